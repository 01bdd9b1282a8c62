"""The command's process-wide settings (issue 16): the garbage collector runs rarely (a third of
a large plan's CPU went to re-scanning the long-lived manifest, live state and plan), an apply
leaves what it has built out of the collector's walks, and `emulator serve` never stops for a
full one (both would bunch paced requests). Only a process the entry point started is tuned."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

import websets_sync.cli
import websets_sync.cli.apply
from websets_sync.cli import process
from websets_sync.cli.process import GC_THRESHOLDS, NEVER
from websets_sync.plan import Plan, PlanOptions
from websets_sync.render.console import Console


@pytest.fixture
def restored_gc(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The host's collector settings come back afterwards; ``gc.freeze`` is only recorded."""
    saved = gc.get_threshold()
    frozen: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append("freeze"))
    monkeypatch.setitem(process._owned, "collector", False)
    yield frozen
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("restored_gc")
def test_the_entry_point_tunes_the_collector_before_running_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.set_threshold(700, 10, 10)
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(websets_sync.cli.cli, "main", lambda **_: seen.append(gc.get_threshold()))
    websets_sync.cli.main()
    assert seen == [GC_THRESHOLDS]


def test_python_dash_m_runs_the_same_entry_point() -> None:
    script = (
        "import gc, sys; import websets_sync.cli as c; c.cli.main = lambda **_: "
        "print(gc.get_threshold()); sys.argv = ['websets-sync']; "
        "import runpy; runpy.run_module('websets_sync', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(GC_THRESHOLDS)


def test_in_process_commands_leave_the_host_collector_alone(restored_gc: list[str]) -> None:
    before = gc.get_threshold()
    process.freeze_long_lived()
    process.steady_collector_for_serving()
    assert (restored_gc, gc.get_threshold()) == ([], before)


def test_an_apply_freezes_what_it_built_and_serve_never_runs_a_full_collection(
    restored_gc: list[str],
) -> None:
    process.tune_garbage_collector()
    process.freeze_long_lived()
    assert restored_gc == ["freeze"]
    process.steady_collector_for_serving()
    assert gc.get_threshold() == (GC_THRESHOLDS[0], GC_THRESHOLDS[1], NEVER)


def test_the_apply_command_freezes_when_it_starts_changing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(websets_sync.cli.apply, "freeze_long_lived", lambda: calls.append("x"))
    hooks = websets_sync.cli.apply._ConsoleHooks(Console(color=False))
    hooks.starting(Plan(project="p", options=PlanOptions()))
    assert calls == ["x"]
