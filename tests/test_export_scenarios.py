"""Round trip over every planner scenario, through the real CLI: export → plan shows no changes.

Each tests/scenarios/NNN-name/ set-up (applied manifests, dashboard edits, seeded objects) is
rebuilt in an emulator file; `export --out DIR` writes the project's manifests and `plan DIR`
must find nothing to do — apart from `adopt` for websets and children nobody owns yet, which
only tags them.
After applying those adoptions, plan finds nothing at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from websets_sync.cli.root import cli
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT

SCENARIOS = Path(__file__).parent / "scenarios"
ENV = {"EXA_API_KEY": "", "GITHUB_STEP_SUMMARY": "", "NO_COLOR": "1"}


def scenario_dirs() -> list[Path]:
    if not SCENARIOS.is_dir():
        return []
    return sorted(path for path in SCENARIOS.iterdir() if (path / "scenario.json").exists())


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    options = ["--emulator", str(tmp_path / "emulator.json"), "--state", str(tmp_path / "s.json")]
    return CliRunner().invoke(cli, [*options, *args], env={**ENV, **(env or {})})


def url_variables(tmp_path: Path, notes: str) -> dict[str, str]:
    """What the user sets after export: each webhook URL that carries credentials is written as
    ``${WEBHOOK_URL_<EXTERNALID>}``, and export says so."""
    data_file = tmp_path / "emulator.json"
    if not data_file.exists():  # nothing was ever stored
        return {}
    stored = json.loads(data_file.read_text())["objects"]["webhook"]
    variables: dict[str, str] = {}
    for webhook in stored.values():
        ext = webhook["metadata"].get(TAG_EXTERNAL_ID, "")
        name = "WEBHOOK_URL_" + re.sub(r"[^A-Za-z0-9]", "_", ext).upper()
        if f"set {name} before" in notes:
            variables[name] = webhook["url"]
    return variables


def plan_actions(tmp_path: Path, folder: Path, env: dict[str, str]) -> dict[str, str]:
    result = run(tmp_path, "plan", str(folder), "--json", env=env)
    assert result.exit_code == 0, result.output
    plan: dict[str, Any] = json.loads(result.stdout)
    return {change["address"]: change["action"] for change in plan["changes"]}


def has_objects_for(tmp_path: Path, project: str) -> bool:
    """Whether export has anything to take: an empty account, or a webset or webhook of this
    project or of nobody."""
    data_file = tmp_path / "emulator.json"
    if not data_file.exists():
        return True
    objects = json.loads(data_file.read_text())["objects"]
    stored = [*objects.get("webset", {}).values(), *objects.get("webhook", {}).values()]
    owners = [(o.get("metadata") or {}).get(TAG_PROJECT) for o in stored]
    return not owners or any(owner in (None, project) for owner in owners)


@pytest.mark.parametrize("folder", scenario_dirs(), ids=lambda path: path.name)
def test_export_of_each_scenario_plans_no_changes(folder: Path, tmp_path: Path) -> None:
    from test_plan_scenarios import prepare  # the planner's scenario set-up, reused as is

    config = json.loads((folder / "scenario.json").read_text())
    prepare(folder, config.get("setup", {}), tmp_path / "emulator.json", tmp_path / "s.json")
    manifests = [folder / name for name in config["manifests"]]
    project = load_desired_state(manifests, {})[0].project

    exported = tmp_path / "exported"
    result = run(tmp_path, "export", "--project", project, "--out", str(exported))
    if not has_objects_for(tmp_path, project):
        # only other projects' objects: export says so instead of writing an empty manifest
        assert result.exit_code == 1, result.output
        assert f"no webset or webhook belongs to project {project!r}" in result.stderr
        assert not exported.exists()
        return
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote ")

    for secret in ("abc123", "hunter2", "zzz"):  # URL credentials in the scenario manifests
        assert secret not in result.output + "".join(p.read_text() for p in exported.iterdir())
    env = url_variables(tmp_path, result.stderr)

    actions = plan_actions(tmp_path, exported, env)
    assert {a for a in actions.values() if a != "no-op"} <= {"adopt"}
    if "adopt" in actions.values():
        applied = run(tmp_path, "apply", str(exported), "--auto-approve", env=env)
        assert applied.exit_code == 0, applied.output
        assert set(plan_actions(tmp_path, exported, env).values()) <= {"no-op"}
