"""Plan, apply and export do work in proportion to the number of objects (issue 16).

Not timed: the Python function calls each one makes are counted (a profile hook sees every call,
generator steps included) at n and 4n websets. Linear work grows 4x; a scan per object (quadratic)
grows 16x. The bound, 5x, leaves room for sorting (n log n) and fixed costs (measured: 3.9-4.0x).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from apply_support import World, manifest, write

from websets_sync.emulator import Emulator
from websets_sync.export import export_state
from websets_sync.fetch import fetch_live_state
from websets_sync.model import Address, Kind
from websets_sync.plan import PlanOptions, children

SMALL, LARGE = 20, 80
LINEAR = 5.0


def calls(action: Callable[[], Any]) -> int:
    """Python calls ``action`` makes, outside the emulator (its scaling is test_emulator_scale's;
    here it only stands in for the API)."""
    count = 0
    answering = threading.local()
    handle = Emulator.handle.__code__

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if frame.f_code is handle and event in ("call", "return"):
            answering.inside = event == "call"
        elif event == "call" and not getattr(answering, "inside", False):
            count += 1

    sys.setprofile(hook)
    threading.setprofile(hook)  # apply's workers too
    try:
        action()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return count


def applied_world(tmp: Path, websets: int, webhooks: int) -> tuple[World, list[Path]]:
    world = World(tmp)
    paths = [write(tmp / "m.yaml", manifest(websets=websets, webhooks=webhooks))]
    world.apply(paths)
    return world, paths


def growth(measure: Callable[[Path, int], int], tmp_path: Path) -> float:
    small = measure(tmp_path / "small", SMALL)
    large = measure(tmp_path / "large", LARGE)
    return large / small


def test_plan_of_an_applied_account_is_linear(tmp_path: Path) -> None:
    def measure(tmp: Path, n: int) -> int:
        world, paths = applied_world(tmp, n, n)
        return calls(lambda: world.plan(paths))

    assert growth(measure, tmp_path) < LINEAR


def test_plan_with_a_target_per_webset_is_linear(tmp_path: Path) -> None:
    def measure(tmp: Path, n: int) -> int:
        world = World(tmp)
        paths = [write(tmp / "m.yaml", manifest(websets=n, webhooks=n))]
        # Children of websets not created yet: each brings its webset's creation along.
        targets = tuple(Address.for_child(Kind.MONITOR, f"ws-{w}", "m0") for w in range(n))
        return calls(lambda: world.plan(paths, PlanOptions(targets=targets)))

    assert growth(measure, tmp_path) < LINEAR


def test_apply_from_empty_is_linear(tmp_path: Path) -> None:
    def measure(tmp: Path, n: int) -> int:
        world = World(tmp)
        paths = [write(tmp / "m.yaml", manifest(websets=n, webhooks=n))]
        plan = world.plan(paths)
        return calls(lambda: world.execute(plan, parallelism=1))

    assert growth(measure, tmp_path) < LINEAR


def test_export_is_linear(tmp_path: Path) -> None:
    def measure(tmp: Path, n: int) -> int:
        world, _ = applied_world(tmp, n, n)
        live = fetch_live_state(world.client)
        return calls(lambda: export_state(live, "proj"))

    assert growth(measure, tmp_path) < LINEAR


def test_declared_webhooks_are_not_compared_with_every_untagged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Webhooks have no identity fields to adopt by: a new webhook is not checked against each
    of the account's untagged ones (that was declared × untagged calls)."""
    world = World(tmp_path)
    for h in range(50):
        world.client.create_webhook(
            {"url": f"https://elsewhere.example.com/{h}", "events": ["webset.idle"]}
        )
    checked: list[Kind] = []
    real = children.same_identity

    def counting(kind: Kind, spec: Any, data: Any) -> bool:
        checked.append(kind)
        return real(kind, spec, data)

    monkeypatch.setattr(children, "same_identity", counting)
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=50))
    plan = world.plan([path])
    assert sum(1 for c in plan.changes if c.action.value == "create") == 50
    assert Kind.WEBHOOK not in checked
