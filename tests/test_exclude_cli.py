"""``--exclude`` on plan and apply through the command line, and in saved plans."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from websets_sync.cli.root import cli

BASE = Path(__file__).parent / "scenarios" / "_manifests" / "base.yaml"


def run(tmp_path: Path, *args: str) -> Result:
    emulator = tmp_path / "emulator.json"
    state = tmp_path / "state.json"
    env = {"EXA_API_KEY": "", "NO_COLOR": "1", "GITHUB_STEP_SUMMARY": ""}
    options = ["--no-color", f"--emulator={emulator}", "--state", str(state)]
    return CliRunner().invoke(cli, [*options, *args], env=env)


def test_apply_with_exclude_leaves_the_excluded_webset_for_later(tmp_path: Path) -> None:
    result = run(tmp_path, "apply", str(BASE), "--auto-approve", "--exclude", "webset/*")
    assert result.exit_code == 0, result.output
    plan = json.loads(run(tmp_path, "plan", str(BASE), "--json").stdout)
    assert [(c["address"], c["action"]) for c in plan["changes"] if c["action"] != "no-op"] == [
        ("webset/eu-ai", "create"),
        ("webset/eu-ai/search/initial", "run"),
        ("webset/eu-ai/enrichment/ceo", "create"),
        ("webset/eu-ai/monitor/weekly", "create"),
    ]
    assert "excluded" not in plan  # only when --exclude is given


def test_a_saved_plan_keeps_its_excludes(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    made = run(tmp_path, "plan", str(BASE), "--exclude", "webhook/crm", "--out", str(out))
    assert made.exit_code == 0, made.output
    saved = json.loads(out.read_text())
    assert saved["options"]["exclude"] == ["webhook/crm"]
    assert saved["excluded"] == ["webhook/crm"]
    shown = run(tmp_path, "show", str(out))
    assert "Excluded (--exclude, not part of this plan):\n  webhook/crm" in shown.stdout
    applied = run(tmp_path, "apply", "--plan", str(out))
    assert applied.exit_code == 0, applied.output
    assert "webset/eu-ai: created" in applied.stdout
    assert "webhook/crm: created" not in applied.stdout
    after = json.loads(run(tmp_path, "plan", str(BASE), "--json").stdout)
    assert [(c["address"], c["action"]) for c in after["changes"] if c["action"] != "no-op"] == [
        ("webhook/crm", "create")
    ]
    refused = run(tmp_path, "apply", "--plan", str(out), "--exclude", "webset/*")
    assert refused.exit_code == 1 and "--exclude" in refused.output


def test_excluding_an_inline_child_alone_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path, "plan", str(BASE), "--exclude", "webset/eu-ai/enrichment/ceo")
    assert result.exit_code == 1
    assert "is sent inside the create request of webset/eu-ai" in result.output
