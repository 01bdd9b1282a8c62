"""Drift detection on a schedule (issue 15, item 15): examples/github/websets-drift.yml plans the
manifests every day; drift opens or updates ONE issue with the Markdown plan, a clean plan closes
it, a failed plan fails the run loudly and leaves the issue alone.

The issue script runs under node against a fake GitHub API; the Plan step runs for real against a
served emulator (see test_ecosystem_workflows.py for the shared end-to-end run).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from workflow_support import DRIFT, PLAN, load, run_github_script, step

ISSUE_STEP = "Open, update or close the drift issue"
MARKER = "<!-- websets-sync-drift -->"
PLAN_MD = "## Plan: 1 to update\n\n- ~ webset/ai-startups: title\n"


def ours(number: int, body: str = f"{MARKER}\nold plan") -> dict[str, Any]:
    return {"number": number, "user": {"type": "Bot"}, "body": body}


def run_issue_script(
    tmp_path: Path, exit_code: str, issues: list[dict[str, Any]], plan: str = PLAN_MD
) -> dict[str, Any]:
    (tmp_path / "plan.md").write_text(plan, encoding="utf-8")
    workflow = load(DRIFT)
    return run_github_script(
        tmp_path,
        step(workflow, ISSUE_STEP),
        {"issues": issues, "next_issue_number": 12},
        {"EXIT_CODE": exit_code, "MANIFESTS": workflow["env"]["MANIFESTS"]},
    )


def writes(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in result["calls"] if c["op"] != "listForRepo"]


# --- the workflow -------------------------------------------------------------------------------


def test_drift_runs_daily_and_by_hand_with_only_what_it_needs() -> None:
    workflow = load(DRIFT)
    assert workflow["on"]["schedule"] == [{"cron": "23 6 * * *"}]  # once a day
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {"group": "websets-sync-drift", "cancel-in-progress": False}
    assert workflow["jobs"]["drift"]["permissions"] == {"contents": "read", "issues": "write"}


def test_drift_plans_with_detailed_exitcode_and_restores_the_state_like_the_pr_plan() -> None:
    workflow = load(DRIFT)
    plan = step(workflow, "Plan")
    assert plan["env"] == {"EXA_API_KEY": "${{ secrets.EXA_API_KEY }}"}
    assert (
        'websets-sync plan "$MANIFESTS" --markdown --detailed-exitcode > plan.md 2> plan.err'
        in plan["run"]
    )
    assert 'echo "exitcode=$code" >> "$GITHUB_OUTPUT"' in plan["run"]
    restore = step(workflow, "Restore the state file")
    assert restore == step(load(PLAN), "Restore the state file")
    issue = step(workflow, ISSUE_STEP)
    assert issue["if"] == (
        "steps.plan.outputs.exitcode == '0' || steps.plan.outputs.exitcode == '2'"
    )
    assert issue["env"] == {"EXIT_CODE": "${{ steps.plan.outputs.exitcode }}"}


# --- the issue script ---------------------------------------------------------------------------


def test_first_drift_opens_one_labelled_issue_with_the_plan(tmp_path: Path) -> None:
    human = {"number": 3, "user": {"type": "User"}, "body": f"quoting {MARKER}"}
    pull = {**ours(4), "pull_request": {"url": "…"}}  # a PR is not the drift issue
    result = run_issue_script(tmp_path, "2", [human, pull])
    calls = writes(result)
    assert [c["op"] for c in calls] == ["createIssue"]
    created = calls[0]
    assert created["title"] == "websets-sync: the live account drifted from the manifests"
    assert created["labels"] == ["websets:drift"]
    assert created["body"].startswith(f"{MARKER}\nThe live account no longer matches")
    assert "`websets`" in created["body"] and PLAN_MD in created["body"]
    assert "/o/r/actions/runs/42" in created["body"]
    assert result["log"] == [["warning", "The account drifted: opened issue #12."]]
    listed = [c for c in result["calls"] if c["op"] == "listForRepo"]
    assert listed == [
        {"op": "listForRepo", "owner": "o", "repo": "r", "state": "open", "per_page": 100}
    ]


def test_later_drift_updates_the_same_issue_in_place(tmp_path: Path) -> None:
    other = {"number": 5, "user": {"type": "Bot"}, "body": "dependency update"}
    result = run_issue_script(tmp_path, "2", [other, ours(9)])
    calls = writes(result)
    assert [(c["op"], c["issue_number"]) for c in calls] == [("updateIssue", 9)]
    assert PLAN_MD in calls[0]["body"] and "old plan" not in calls[0]["body"]
    assert "state" not in calls[0]  # still open
    assert result["log"] == [["notice", "The account still drifts: updated issue #9."]]


def test_a_clean_plan_closes_the_issue_with_a_comment(tmp_path: Path) -> None:
    result = run_issue_script(tmp_path, "0", [ours(9)], plan="No changes.\n")
    calls = writes(result)
    assert [(c["op"], c["issue_number"]) for c in calls] == [("create", 9), ("updateIssue", 9)]
    assert calls[0]["body"].startswith("The live account matches the manifests again")
    assert calls[1]["state"] == "closed" and calls[1]["state_reason"] == "completed"
    assert result["log"] == [["notice", "No drift any more: closed issue #9."]]


def test_a_clean_plan_without_an_issue_does_nothing(tmp_path: Path) -> None:
    human = {"number": 3, "user": {"type": "User"}, "body": f"quoting {MARKER}"}
    result = run_issue_script(tmp_path, "0", [human], plan="No changes.\n")
    assert writes(result) == [] and result["log"] == []


def test_a_huge_plan_is_cut_to_fit_an_issue(tmp_path: Path) -> None:
    huge = "- ~ webset/x: a change\n" * 5000  # 115,000 characters
    result = run_issue_script(tmp_path, "2", [], plan=huge)
    body = writes(result)[0]["body"]
    assert len(body) <= 65536  # GitHub's limit for an issue body
    assert "cut here: the workflow run has the whole plan" in body


# --- a failed plan ------------------------------------------------------------------------------


def test_a_failed_plan_fails_the_run_loudly_and_leaves_the_issue_alone(tmp_path: Path) -> None:
    workflow = load(DRIFT)
    fail = step(workflow, "Fail when plan failed")
    assert fail["if"] == "steps.plan.outputs.exitcode != '0' && steps.plan.outputs.exitcode != '2'"
    # the issue step does not run for exit 1 (its `if`), so nothing is opened or closed
    assert "'1'" not in step(workflow, ISSUE_STEP)["if"]
    (tmp_path / "plan.err").write_text(
        "Error: the API rejected the key (HTTP 401)\nCheck EXA_API_KEY.\n", encoding="utf-8"
    )
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", fail["run"]],
        cwd=tmp_path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == (
        "::error title=websets-sync plan failed::Error: the API rejected the key (HTTP 401) "
        "Check EXA_API_KEY. \n"
    )
