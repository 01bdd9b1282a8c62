"""Pull-request labels from the plan (issue 15, item 16): the plan comment script labels the pull
request `websets:paid` and `websets:destroy` while its plan JSON has paid or destructive changes,
so branch rules can ask for another reviewer, and removes each label when it is no longer true.

Run under node against a fake GitHub API, with plan.json files that websets-sync itself wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ecosystem_support import ROOT
from workflow_support import PLAN, load, run_github_script, step

from websets_sync.cli.root import cli

PLAN_COMMENT = "Post the plan as a sticky comment"
VALIDATE_COMMENT = "Say in the plan comment that there is no plan"
PAID = "websets:paid"
DESTROY = "websets:destroy"


def change(*, paid: bool = False, destructive: bool = False) -> dict[str, Any]:
    return {"address": "webset/x", "action": "update", "paid": paid, "destructive": destructive}


def run_labels(
    tmp_path: Path,
    changes: list[dict[str, Any]] | None,
    present: list[str],
    exit_code: str = "2",
    step_name: str = PLAN_COMMENT,
    fail: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """The label calls the comment script makes (the comment itself is tested elsewhere)."""
    (tmp_path / "plan.md").write_text("## Plan\n", encoding="utf-8")
    if changes is not None:
        (tmp_path / "plan.json").write_text(json.dumps({"changes": changes}), encoding="utf-8")
    result = run_github_script(
        tmp_path,
        step(load(PLAN), step_name),
        {"comments": [], "labels": present, "fail": fail or {}},
        {"EXIT_CODE": exit_code},
    )
    return [c for c in result["calls"] if c["op"] in ("addLabels", "removeLabel")]


def test_paid_and_destructive_changes_add_both_labels(tmp_path: Path) -> None:
    calls = run_labels(tmp_path, [change(paid=True), change(destructive=True)], ["bug"])
    assert calls == [
        {"op": "addLabels", "owner": "o", "repo": "r", "issue_number": 7, "labels": [PAID, DESTROY]}
    ]


def test_labels_already_there_are_not_added_again(tmp_path: Path) -> None:
    calls = run_labels(tmp_path, [change(paid=True, destructive=True)], [PAID, DESTROY])
    assert calls == []


def test_labels_no_longer_true_are_removed(tmp_path: Path) -> None:
    calls = run_labels(tmp_path, [change(paid=True)], [PAID, DESTROY, "bug"])
    assert calls == [
        {"op": "removeLabel", "owner": "o", "repo": "r", "issue_number": 7, "name": DESTROY}
    ]


def test_a_label_removed_meanwhile_is_no_error(tmp_path: Path) -> None:
    calls = run_labels(tmp_path, [], [DESTROY], fail={"removeLabel": 404})
    assert [c["op"] for c in calls] == ["removeLabel"]  # and the script did not throw


def test_other_label_errors_fail_the_step(tmp_path: Path) -> None:
    with pytest.raises(subprocess.CalledProcessError):
        run_labels(tmp_path, [], [DESTROY], fail={"removeLabel": 403})


def test_a_plan_without_changes_removes_both(tmp_path: Path) -> None:
    calls = run_labels(tmp_path, [], [DESTROY, PAID], exit_code="0")
    removed = [(c["op"], c["name"]) for c in calls]
    assert removed == [("removeLabel", PAID), ("removeLabel", DESTROY)]


@pytest.mark.parametrize("exit_code", ["1", ""])
def test_without_a_plan_for_this_commit_the_labels_stay(tmp_path: Path, exit_code: str) -> None:
    # a stale plan.json from an earlier step must not move them either
    assert run_labels(tmp_path, [], [PAID, DESTROY], exit_code=exit_code) == []


def test_failed_validation_leaves_the_labels(tmp_path: Path) -> None:
    (tmp_path / "validate.out").write_text("bad\n", encoding="utf-8")
    assert run_labels(tmp_path, None, [PAID], exit_code="1", step_name=VALIDATE_COMMENT) == []


def test_labels_follow_a_real_plan_json(tmp_path: Path) -> None:
    """The fields the script reads are the plan contract's: a saved plan of the quickstart on an
    empty account (paid searches, nothing destroyed) gets websets:paid only."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "examples" / "quickstart", work / "websets")
    result = CliRunner().invoke(
        cli,
        [
            "--emulator",
            str(tmp_path / "emulator.json"),
            "--state",
            str(tmp_path / "state.json"),
            "plan",
            str(work / "websets"),
            "--out",
            str(work / "plan.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((work / "plan.json").read_text(encoding="utf-8"))
    assert any(c["paid"] for c in plan["changes"])
    assert not any(c["destructive"] for c in plan["changes"])
    (work / "plan.md").write_text("## Plan\n", encoding="utf-8")
    calls = run_github_script(
        work,
        step(load(PLAN), PLAN_COMMENT),
        {"comments": [], "labels": [DESTROY]},
        {"EXIT_CODE": "2"},
    )["calls"]
    labels = [c for c in calls if c["op"] in ("addLabels", "removeLabel")]
    assert [(c["op"], c.get("labels", c.get("name"))) for c in labels] == [
        ("addLabels", [PAID]),
        ("removeLabel", DESTROY),
    ]


def test_the_plan_job_may_label_pull_requests() -> None:
    # labels on a pull request go through the issues API, which `pull-requests: write` allows
    assert load(PLAN)["jobs"]["plan"]["permissions"]["pull-requests"] == "write"
