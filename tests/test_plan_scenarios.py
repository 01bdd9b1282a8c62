"""Scenario goldens: each tests/scenarios/NNN-name/ runs `plan` end to end through the real CLI.

A scenario folder holds ``scenario.json`` (setup and arguments), its manifests, and the expected
views ``expected.txt`` / ``expected.json`` / ``expected.md`` (or only ``expected.txt`` holding
the error output when the plan must fail). Setup runs against an emulator persisted in a temp
file, which the CLI then reads with ``--emulator FILE``:

- ``apply``: manifests planned and applied with the real planner and apply (an apply-equivalent
  live state, and the state file it writes);
- ``seed``: raw objects inserted as if made elsewhere (``name`` them; ``{name}`` in a later string
  is replaced by that object's id);
- ``edits``: dashboard edits of objects found by address (``{"address": …, "changes": {…}}``);
- ``reapply``: a second apply, e.g. of a manifest edit;
- ``state``: a state file to use instead.
``env`` sets environment variables for the CLI (``{name}`` works there too).

Emulator ids are deterministic for a seed, but they depend on how many objects setup created;
goldens show them as ``<kind#n>`` (numbered by first appearance) so that they only change when
the plan does. Regenerate with ``UPDATE_GOLDENS=1 pytest tests/test_plan_scenarios.py`` and
review the diff like code.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from websets_sync.apply.runner import apply_plan
from websets_sync.cli.root import cli
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model import Address, Kind, LiveObject, LiveState
from websets_sync.plan import PlanOptions, build_plan
from websets_sync.plan.imports import needs_imports
from websets_sync.state.store import StateStore

SCENARIOS = Path(__file__).parent / "scenarios"
ROOT = Path(__file__).parent.parent
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"
ID_PATTERN = re.compile(r"\b(wsearch|wenrich|webset|monitor|webhook)_[0-9a-z]{26}\b")
EMULATOR_URL = "http://emulator.local/websets/v0"
#: Credentials in the scenario manifests' webhook URLs: never in any view.
SECRETS = ("abc123", "hunter2", "zzz")


def scenario_dirs() -> list[Path]:
    return sorted(path for path in SCENARIOS.iterdir() if (path / "scenario.json").exists())


@pytest.mark.parametrize("folder", scenario_dirs(), ids=lambda path: path.name)
def test_scenario(folder: Path, tmp_path: Path) -> None:
    config = json.loads((folder / "scenario.json").read_text())
    emulator_file = tmp_path / "emulator.json"
    state_file = tmp_path / "state.json"
    names = prepare(folder, config.get("setup", {}), emulator_file, state_file)
    env = substitute(config.get("env", {}), names)
    manifests = [str(folder / name) for name in config["manifests"]]
    expected_exit = config.get("exit_code", 0)
    views = (
        {"txt": []} if expected_exit == 1 else {"txt": [], "json": ["--json"], "md": ["--markdown"]}
    )
    written: list[str] = []
    for suffix, flags in views.items():
        args = [*manifests, *config.get("args", []), *flags]
        result = run_plan(emulator_file, state_file, args, env)
        assert result.exit_code == expected_exit, result.output + result.stderr
        text = result.stderr if expected_exit == 1 else result.stdout
        assert not [secret for secret in SECRETS if secret in result.output + result.stderr]
        written += compare(folder / f"expected.{suffix}", normalize(text, folder))
    if written:
        pytest.fail(f"{', '.join(written)} were missing and have been written; review them")


def run_plan(
    emulator_file: Path, state_file: Path, args: list[str], extra_env: dict[str, str] | None = None
) -> Any:
    runner = CliRunner()
    env = {"EXA_API_KEY": "", "GITHUB_STEP_SUMMARY": "", "NO_COLOR": "1", **(extra_env or {})}
    global_options = ["--no-color", "--emulator", str(emulator_file), "--state", str(state_file)]
    return runner.invoke(cli, [*global_options, "plan", *args], env=env)


def normalize(text: str, folder: Path) -> str:
    numbers: dict[str, str] = {}
    counters: dict[str, Iterator[int]] = {}

    def placeholder(match: re.Match[str]) -> str:
        if match.group(0) not in numbers:
            counter = counters.setdefault(match.group(1), itertools.count(1))
            numbers[match.group(0)] = f"<{match.group(1)}#{next(counter)}>"
        return numbers[match.group(0)]

    text = text.replace(str(folder) + os.sep, "")
    return ID_PATTERN.sub(placeholder, text).rstrip() + "\n"


def compare(path: Path, actual: str) -> list[str]:
    """Check a golden; a missing one (or any, with UPDATE_GOLDENS=1) is written instead."""
    if UPDATE or not path.exists():
        missing = not path.exists()
        path.write_text(actual)
        return [path.name] if missing and not UPDATE else []
    assert actual == path.read_text(), f"{path} differs (UPDATE_GOLDENS=1 to regenerate)"
    return []


# --- setup --------------------------------------------------------------------------------------


def prepare(
    folder: Path, setup: dict[str, Any], emulator_file: Path, state_file: Path
) -> dict[str, str]:
    """Build the scenario's live state and state file; returns the ids of named seeds."""
    clock = itertools.count(1_760_000_000.0, 0.5)
    emulator = Emulator(data_file=emulator_file, seed=0, clock=lambda: next(clock))
    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key="k",
        api_url=EMULATOR_URL,
        rate_limit=None,
    )
    for key in ("apply", "reapply"):
        if key in setup:
            apply_manifests([folder / name for name in setup[key]], client, state_file)
    names: dict[str, str] = {}
    for entry in setup.get("seed", []):
        seeded = emulator.seed(entry["kind"], substitute(entry["data"], names))
        if "name" in entry:
            names[entry["name"]] = seeded["id"]
    live = fetch_live_state(client)
    for edit in setup.get("edits", []):
        target = find_live(live, Address.parse(edit["address"]))
        emulator.edit(target.kind.value, target.id, edit["changes"])
    if "state" in setup:
        state_file.write_text(json.dumps(substitute(setup["state"], names)))
    emulator.store.save()
    return names


def apply_manifests(paths: list[Path], client: WebsetsClient, state_file: Path) -> None:
    desired, _ = load_desired_state(paths, {})
    with StateStore(state_file, desired.project) as store:
        live = fetch_live_state(client, imports=needs_imports(desired, store.state))
        plan = build_plan(desired, live, store.state, PlanOptions())
        result = apply_plan(plan, client, store, parallelism=1)
    assert result.ok, result


def substitute(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, ident in names.items():
            value = value.replace("{" + name + "}", ident)
        return value
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    return value


def find_live(live: LiveState, address: Address) -> LiveObject:
    if address.kind is Kind.WEBHOOK:
        return _tagged(live.webhooks, address.name)
    webset = next(w for w in live.websets if w.external_id == address.webset)
    if address.kind is Kind.WEBSET:
        return webset.webset
    children = {
        Kind.SEARCH: webset.searches,
        Kind.ENRICHMENT: webset.enrichments,
        Kind.MONITOR: webset.monitors,
    }[address.kind]
    return _tagged(children, address.name)


def _tagged(objects: tuple[LiveObject, ...], name: str) -> LiveObject:
    return [obj for obj in objects if obj.tagged_external_id == name][-1]


CONVERGING = [
    folder
    for folder in scenario_dirs()
    if json.loads((folder / "scenario.json").read_text()).get("exit_code") == 2
    and "--target" not in json.loads((folder / "scenario.json").read_text()).get("args", [])
]


@pytest.mark.parametrize("folder", CONVERGING, ids=lambda path: path.name)
def test_apply_then_plan_shows_no_changes(folder: Path, tmp_path: Path) -> None:
    """Applying a scenario's plan converges: the next plan has no changes and no warnings."""
    config = json.loads((folder / "scenario.json").read_text())
    emulator_file = tmp_path / "emulator.json"
    state_file = tmp_path / "state.json"
    names = prepare(folder, config.get("setup", {}), emulator_file, state_file)
    env = substitute(config.get("env", {}), names)
    manifests = [folder / name for name in config["manifests"]]
    args = config.get("args", [])
    options = PlanOptions(
        allow_delete="--allow-delete" in args,
        replace=tuple(Address.parse(args[i + 1]) for i, a in enumerate(args) if a == "--replace"),
        excludes=tuple(args[i + 1] for i, a in enumerate(args) if a == "--exclude"),
    )
    emulator = Emulator(data_file=emulator_file, seed=0)
    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key="k",
        api_url=EMULATOR_URL,
        rate_limit=None,
    )
    desired, _ = load_desired_state(manifests, env)
    with StateStore(state_file, desired.project) as store:
        live = fetch_live_state(client, imports=needs_imports(desired, store.state))
        plan = build_plan(desired, live, store.state, options)
        assert apply_plan(plan, client, store, parallelism=1).ok
    args = [*map(str, manifests), "--detailed-exitcode"]
    result = run_plan(emulator_file, state_file, args, env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No changes." in result.stdout
    assert "Warnings" not in result.stdout


def test_every_json_golden_follows_the_published_plan_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    goldens = sorted(SCENARIOS.glob("*/expected.json"))
    assert len(goldens) >= 15  # every scenario that plans (the others end in an error)
    for golden in goldens:
        errors = [e.message for e in validator.iter_errors(json.loads(golden.read_text()))]
        assert errors == [], golden
