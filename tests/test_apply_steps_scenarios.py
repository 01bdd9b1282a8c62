"""Request-sequence goldens: every tests/scenarios/NNN-name/ keeps the steps apply would send for
its plan (``expected.steps.txt`` and ``expected.steps.json``, beside the plan goldens), and apply
is checked to send exactly those requests.

What "exactly" means (see apply/steps.py): units run concurrently, the steps of one unit run one
after another. So, counting every request apply sends after the plan was made (reads included):

- with ``parallelism=1`` the emulator's request log equals the explained request steps, in order:
  the method, and the path template with each id filled in — the id the plan knew, or for an id
  made during the apply (``{webset/x}`` in the golden) the one the state file then records for
  that address;
- with ``parallelism=4`` the log is an interleaving of the units' sequences: every unit's requests
  appear in its order, and nothing else appears.

A scenario whose plan fails gets only ``expected.steps.txt``, holding the error (apply sends
nothing). Ids are normalized as in the plan goldens. Regenerate with
``UPDATE_GOLDENS=1 pytest tests/test_apply_steps_scenarios.py`` and review the diff like code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_plan_scenarios as scenarios

from websets_sync.apply.runner import apply_plan
from websets_sync.apply.steps import plan_steps, request_steps
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.errors import WebsetsSyncError
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest import load_desired_state
from websets_sync.model import Address
from websets_sync.plan import Plan, PlanOptions, build_plan
from websets_sync.plan.imports import needs_imports
from websets_sync.render.explain import explain_plan
from websets_sync.state.store import State, StateStore, load_state

FOLDERS = scenarios.scenario_dirs()


def load_config(folder: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((folder / "scenario.json").read_text())
    return config


#: Scenarios whose plan succeeds (a failing plan applies nothing).
APPLIED = [folder for folder in FOLDERS if load_config(folder).get("exit_code") != 1]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda path: path.name)
def test_scenario_steps_golden_and_sequential_apply(folder: Path, tmp_path: Path) -> None:
    setup = Setup(folder, tmp_path)
    try:
        plan = setup.plan()
    except WebsetsSyncError as exc:
        assert load_config(folder).get("exit_code") == 1, exc.message
        text = f"The plan fails, so apply sends nothing: {exc.message}\n"
        written = scenarios.compare(folder / "expected.steps.txt", text)
        assert not written, f"{written} were missing and have been written; review them"
        return
    text, document = explain_plan(plan), explain_plan(plan, as_json=True)
    assert not [secret for secret in scenarios.SECRETS if secret in text + document]
    written = scenarios.compare(
        folder / "expected.steps.txt", scenarios.normalize(text, folder)
    ) + scenarios.compare(folder / "expected.steps.json", scenarios.normalize(document, folder))

    units = plan_steps(plan)
    log = setup.apply(plan, parallelism=1)

    assert log == expected_requests(request_steps(units), load_state(setup.state_file))
    assert not written, f"{written} were missing and have been written; review them"


@pytest.mark.parametrize("folder", APPLIED, ids=lambda path: path.name)
def test_scenario_concurrent_apply_keeps_each_unit_in_order(folder: Path, tmp_path: Path) -> None:
    setup = Setup(folder, tmp_path)
    plan = setup.plan()
    units = plan_steps(plan)

    log = setup.apply(plan, parallelism=4)

    state = load_state(setup.state_file)
    sequences = [expected_requests(request_steps([unit]), state) for unit in units]
    assert is_interleaving(log, sequences), (log, sequences)


class Setup:
    """A scenario's live state and state file, its plan, and an apply that logs its requests."""

    def __init__(self, folder: Path, tmp_path: Path) -> None:
        self.folder = folder
        self.config = load_config(folder)
        self.emulator_file = tmp_path / "emulator.json"
        self.state_file = tmp_path / "state.json"
        names = scenarios.prepare(
            folder, self.config.get("setup", {}), self.emulator_file, self.state_file
        )
        self.env = scenarios.substitute(self.config.get("env", {}), names)
        self.emulator = Emulator(data_file=self.emulator_file, seed=0)
        self.client = WebsetsClient(
            httpx.Client(transport=self.emulator.transport()),
            api_key="k",
            api_url=scenarios.EMULATOR_URL,
            rate_limit=None,
        )

    def plan(self) -> Plan:
        manifests = [self.folder / name for name in self.config["manifests"]]
        desired, _ = load_desired_state(manifests, self.env)
        state = load_state(self.state_file, project=desired.project)
        options = plan_options(self.config.get("args", []))
        live = fetch_live_state(self.client, imports=needs_imports(desired, state))
        return build_plan(desired, live, state, options)

    def apply(self, plan: Plan, *, parallelism: int) -> list[str]:
        """Apply ``plan``; every request it sent, as ``METHOD path``."""
        self.emulator.clear_log()
        with StateStore(self.state_file, plan.project) as store:
            result = apply_plan(plan, self.client, store, parallelism=parallelism)
        assert result.ok, result
        return [f"{entry.method} {entry.path}" for entry in self.emulator.request_log]


def plan_options(args: Sequence[str]) -> PlanOptions:
    def values(flag: str) -> tuple[Address, ...]:
        return tuple(Address.parse(args[i + 1]) for i, arg in enumerate(args) if arg == flag)

    return PlanOptions(
        allow_delete="--allow-delete" in args,
        targets=values("--target"),
        replace=values("--replace"),
        excludes=tuple(args[i + 1] for i, arg in enumerate(args) if arg == "--exclude"),
    )


def expected_requests(steps: Sequence[Any], state: State) -> list[str]:
    """Each step's ``METHOD path``: known ids as planned, made ids as the state file records."""
    requests = []
    for step in steps:
        ids = {}
        for name, ref in step.request.ids:
            if ref.known is not None:
                ids[name] = ref.known
            else:
                made = state.get(str(ref.produced_by))
                assert made is not None, f"step {step.number}: {ref.produced_by} has no id"
                ids[name] = made.id
        path = step.request.path
        if step.request.upload is not None:
            path = "/imports/{id}/upload"  # the emulator's stand-in for the presigned upload URL
        requests.append(f"{step.request.method} {path.format_map(ids)}")
    return requests


def is_interleaving(log: Sequence[str], sequences: Sequence[Sequence[str]]) -> bool:
    """Whether ``log`` is the sequences merged, each one's order kept."""
    if len(log) != sum(map(len, sequences)):
        return False

    @functools.cache
    def fits(positions: tuple[int, ...]) -> bool:
        done = sum(positions)
        if done == len(log):
            return True
        return any(
            at < len(sequence)
            and sequence[at] == log[done]
            and fits(positions[:i] + (at + 1,) + positions[i + 1 :])
            for i, (at, sequence) in enumerate(zip(positions, sequences, strict=True))
        )

    return fits(tuple(0 for _ in sequences))


def test_interleaving_check_keeps_each_sequence_in_order() -> None:
    assert is_interleaving(["a1", "b1", "a2"], [["a1", "a2"], ["b1"]])
    assert not is_interleaving(["a2", "b1", "a1"], [["a1", "a2"], ["b1"]])
    assert not is_interleaving(["a1", "a2"], [["a1", "a2"], ["b1"]])


def test_every_scenario_has_step_goldens() -> None:
    for folder in FOLDERS:
        assert (folder / "expected.steps.txt").exists(), folder.name
        failing = load_config(folder).get("exit_code") == 1
        assert (folder / "expected.steps.json").exists() != failing, folder.name
