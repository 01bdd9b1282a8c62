"""The GitHub Actions recipe in examples/github/: structure, the commands it runs, and its scripts.

The sticky-comment script is run under node with a fake GitHub API, and the state save/restore
steps are run under bash against a local bare repository, so what the workflows do is tested,
not only how they look.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from ecosystem_support import (
    ROOT,
    assert_command_exists,
    websets_sync_commands,
)
from workflow_support import (
    APPLY,
    DRIFT,
    PLAN,
    RECIPE,
    load,
    run_github_script,
    run_scripts,
    step,
    steps,
)

VALID_STATE = (
    '{"version": 1, "serial": 1, "lineage": "l-1", "project": "p", "resources": '
    '{"webhook/a": {"id": "webhook_1", "secret": "whsec_plain"}}}\n'
)


# --- structure -----------------------------------------------------------------------------------


def test_plan_workflow_triggers_permissions_and_jobs() -> None:
    workflow = load(PLAN)
    assert list(workflow["on"]) == ["pull_request"]
    assert "websets/**" in workflow["on"]["pull_request"]["paths"]
    # least privilege: nothing for the workflow, each job asks for what it needs
    assert workflow["permissions"] == {}
    for job in ("validate", "plan"):
        assert workflow["jobs"][job]["permissions"] == {
            "contents": "read",
            "pull-requests": "write",
        }
    assert workflow["jobs"]["plan"]["needs"] == "validate"
    # forks get no secrets: only validate runs for them
    assert "head.repo.full_name == github.repository" in workflow["jobs"]["plan"]["if"]


def test_apply_workflow_triggers_concurrency_and_permissions() -> None:
    workflow = load(APPLY)
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {"group": "websets-sync-apply", "cancel-in-progress": False}
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["apply"]["permissions"] == {"contents": "write"}
    # the state is saved even when apply failed part-way, but only when it was restored (a wrong
    # key must not lead to the stored state being overwritten)
    assert step(workflow, "Restore the state file")["id"] == "restore"
    assert (
        step(workflow, "Save the state file")["if"]
        == "always() && steps.restore.outcome == 'success'"
    )


@pytest.mark.parametrize("path", RECIPE, ids=lambda p: p.name)
def test_only_first_party_actions_are_used(path: Path) -> None:
    used = {s["uses"].split("@")[0] for s in steps(load(path)) if "uses" in s}
    assert used <= {
        "actions/checkout",
        "actions/setup-python",
        "actions/github-script",
        "actions/upload-artifact",
    }
    assert used


@pytest.mark.parametrize("path", RECIPE, ids=lambda p: p.name)
def test_secrets_reach_only_the_steps_that_need_them(path: Path) -> None:
    workflow = load(path)
    for s in steps(workflow):
        env = s.get("env", {})
        for name, value in env.items():
            if "secrets." in str(value):
                assert value == f"${{{{ secrets.{name} }}}}"
        script = s.get("run", "")
        assert "set -x" not in script
        assert "EXA_API_KEY" not in script  # only ever passed through env
        assert "cat .websets-sync" not in script
    text = path.read_text(encoding="utf-8")
    assert "secrets.EXA_API_KEY" in text
    # the plain state file is never uploaded, only the encrypted copy
    for s in steps(workflow):
        if s.get("uses", "").startswith("actions/upload-artifact"):
            assert ".websets-sync" not in s["with"]["path"]


def test_plan_job_posts_one_sticky_comment_and_uploads_the_saved_plan() -> None:
    workflow = load(PLAN)
    comment = step(workflow, "Post the plan as a sticky comment")
    assert comment["uses"].startswith("actions/github-script@")
    assert "<!-- websets-sync-plan -->" in comment["with"]["script"]
    upload = step(workflow, "Upload the saved plan")
    assert "plan.json" in upload["with"]["path"]
    plan_run = step(workflow, "Plan")["run"]
    assert 'echo "exitcode=$code" >> "$GITHUB_OUTPUT"' in plan_run
    assert step(workflow, "Fail when plan failed")["if"] == "steps.plan.outputs.exitcode == '1'"


# --- the commands the workflows run exist with the flags they use --------------------------------


@pytest.mark.parametrize("path", RECIPE, ids=lambda p: p.name)
def test_every_websets_sync_command_exists_with_its_flags(path: Path) -> None:
    commands = [c for script in run_scripts(load(path)) for c in websets_sync_commands(script)]
    assert commands, "the workflow runs websets-sync"
    for argv in commands:
        assert_command_exists(argv)


def test_the_recipe_runs_validate_plan_and_apply_as_documented() -> None:
    plan_commands = [c for s in run_scripts(load(PLAN)) for c in websets_sync_commands(s)]
    apply_commands = [c for s in run_scripts(load(APPLY)) for c in websets_sync_commands(s)]
    assert ["validate", "$MANIFESTS"] in plan_commands
    assert [
        "plan",
        "$MANIFESTS",
        "--markdown",
        "--out",
        "plan.json",
        "--detailed-exitcode",
    ] in plan_commands
    # the state file is checked after the restore and before the save
    check = ["--state", ".websets-sync/state.json", "state", "list"]
    assert apply_commands.count(check) == 2 and plan_commands.count(check) == 1
    assert [c for c in apply_commands if c != check] == [
        ["validate", "$MANIFESTS"],
        ["plan", "$MANIFESTS", "--out", "plan.json"],
        ["apply", "--plan", "plan.json", "--auto-approve"],
    ]


# --- the sticky comment script, run under node -------------------------------------------------

PLAN_COMMENT = "Post the plan as a sticky comment"
VALIDATE_COMMENT = "Say in the plan comment that there is no plan"


def run_comment_script(
    tmp_path: Path,
    existing: list[dict[str, Any]],
    exit_code: str,
    step_name: str = PLAN_COMMENT,
    *,
    budget_error: bool = False,
) -> Any:
    (tmp_path / "plan.md").write_text("## Plan: 1 to create\n", encoding="utf-8")
    error = (
        "Error: the plan is over budget: it may cost up to $4.40 now (--max-usd is $2.00)\n"
        if budget_error
        else "Error: EXA_API_KEY is not set\n"
    )
    (tmp_path / "plan.err").write_text(error, encoding="utf-8")
    (tmp_path / "validate.out").write_text(
        "websets/a.yaml:3: unknown field 'qury'\n", encoding="utf-8"
    )
    comment_step = step(load(PLAN), step_name)
    result = run_github_script(
        tmp_path, comment_step, {"comments": existing}, {"EXIT_CODE": exit_code}
    )
    return result["calls"]


def test_first_plan_creates_the_comment(tmp_path: Path) -> None:
    human = {"id": 1, "user": {"type": "User"}, "body": "quoting <!-- websets-sync-plan -->"}
    calls = run_comment_script(tmp_path, [human], "2")
    assert [c["op"] for c in calls] == ["create"]
    body = calls[0]["body"]
    assert body.startswith("<!-- websets-sync-plan -->\n## Plan: 1 to create")
    assert "Plan for abcdef1" in body and calls[0]["issue_number"] == 7


def test_later_plans_update_the_same_comment_in_place(tmp_path: Path) -> None:
    ours = {"id": 99, "user": {"type": "Bot"}, "body": "<!-- websets-sync-plan -->\nold"}
    other_bot = {"id": 5, "user": {"type": "Bot"}, "body": "coverage report"}
    calls = run_comment_script(tmp_path, [other_bot, ours], "0")
    assert [(c["op"], c["comment_id"]) for c in calls] == [("update", 99)]


def test_a_failed_plan_posts_its_error(tmp_path: Path) -> None:
    calls = run_comment_script(tmp_path, [], "1")
    assert "could not make a plan for abcdef1" in calls[0]["body"]
    assert "`websets-sync plan` failed" in calls[0]["body"]
    assert "Error: EXA_API_KEY is not set" in calls[0]["body"]
    assert "## Plan: 1 to create" not in calls[0]["body"]


def test_an_over_budget_plan_posts_the_plan_and_the_budget_error(tmp_path: Path) -> None:
    calls = run_comment_script(tmp_path, [], "3", budget_error=True)
    body = calls[0]["body"]
    assert "## Plan: 1 to create" in body
    assert "Over budget: apply will refuse this plan." in body
    assert "Error: the plan is over budget: it may cost up to $4.40 now" in body
    assert step(load(PLAN), "Fail when the plan is over budget")["if"] == (
        "steps.plan.outputs.exitcode == '3'"
    )


def test_a_step_failing_before_plan_still_replaces_the_old_plan(tmp_path: Path) -> None:
    ours = {"id": 99, "user": {"type": "Bot"}, "body": "<!-- websets-sync-plan -->\nold plan"}
    (tmp_path / "plan.err").unlink(missing_ok=True)
    calls = run_comment_script(tmp_path, [ours], "")  # the Plan step never ran
    assert [(c["op"], c["comment_id"]) for c in calls] == [("update", 99)]
    assert "could not make a plan for abcdef1" in calls[0]["body"]
    assert step(load(PLAN), PLAN_COMMENT)["if"] == "!cancelled()"


def test_failed_validation_replaces_the_old_plan_in_the_comment(tmp_path: Path) -> None:
    workflow = load(PLAN)
    comment = step(workflow, VALIDATE_COMMENT)
    # the plan job is skipped when validate fails, so the validate job itself must say so
    assert workflow["jobs"]["validate"]["steps"][-1] == comment
    assert comment["if"].startswith("failure() && ")
    assert "head.repo.full_name == github.repository" in comment["if"]
    assert comment["with"]["script"] == step(workflow, PLAN_COMMENT)["with"]["script"]
    assert "> validate.out 2>&1" in step(workflow, "Validate manifests")["run"]

    ours = {"id": 99, "user": {"type": "Bot"}, "body": "<!-- websets-sync-plan -->\nold plan"}
    calls = run_comment_script(tmp_path, [ours], "1", VALIDATE_COMMENT)
    assert [(c["op"], c["comment_id"]) for c in calls] == [("update", 99)]
    body = calls[0]["body"]
    assert body.startswith("<!-- websets-sync-plan -->\n### websets-sync could not make a plan")
    assert "for abcdef1" in body and "`websets-sync validate` failed" in body
    assert "unknown field 'qury'" in body
    assert "old plan" not in body and "## Plan:" not in body


def test_validate_step_keeps_its_exit_code_and_output(tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    (tmp_path / "websets").mkdir()
    (tmp_path / "websets" / "bad.yaml").write_text("websets: [}\n", encoding="utf-8")
    script = step(load(PLAN), "Validate manifests")["run"]
    env = {
        **os.environ,
        "MANIFESTS": "websets",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    written = (tmp_path / "validate.out").read_text(encoding="utf-8")
    assert "bad.yaml" in written and written in result.stdout


# --- the encrypted state branch, run under bash --------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def _clone(origin: Path, target: Path) -> Path:
    _git(origin.parent, "clone", "--quiet", "--depth=1", f"file://{origin}", str(target))
    return target


def _run_step(
    name: str, cwd: Path, tmp_path: Path, key: str, workflow: Path = APPLY
) -> subprocess.CompletedProcess[str]:
    script = step(load(workflow), name)["run"]
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "STATE_BRANCH": "websets-sync-state",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_SHA": "0123456789abcdef",
        "GITHUB_RUN_ID": "1",
        "WEBSETS_SYNC_STATE_KEY": key,
        # the scripts check the state file with `websets-sync state list`
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    _git(tmp_path, "init", "--quiet", "-b", "main", str(seed))
    (seed / "README").write_text("x\n", encoding="utf-8")
    _git(seed, "add", "README")
    _git(seed, "commit", "--quiet", "-m", "init")
    _git(seed, "push", "--quiet", f"file://{bare}", "main")
    return bare


def test_state_is_saved_encrypted_and_restored(tmp_path: Path, origin: Path) -> None:
    state = VALID_STATE
    first = _clone(origin, tmp_path / "run1")
    assert "first apply" in _run_step("Restore the state file", first, tmp_path, "k3y").stdout
    (first / ".websets-sync").mkdir()
    (first / ".websets-sync" / "state.json").write_text(state, encoding="utf-8")
    saved = _run_step("Save the state file", first, tmp_path, "k3y")
    assert saved.returncode == 0, saved.stderr

    stored = subprocess.run(
        ["git", "show", "websets-sync-state:state.json.enc"],
        cwd=origin,
        capture_output=True,
        check=True,
    ).stdout
    assert b"whsec_plain" not in stored and stored.startswith(b"Salted__")
    assert _git(first, "status", "--porcelain") == "?? .websets-sync/"  # tree untouched

    second = _clone(origin, tmp_path / "run2")
    restored = _run_step("Restore the state file", second, tmp_path, "k3y")
    assert restored.returncode == 0, restored.stderr
    path = second / ".websets-sync" / "state.json"
    assert path.read_text(encoding="utf-8") == state
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    # the next save is a new commit on top: the branch history is the backup
    path.write_text(state.replace("whsec_plain", "whsec_new"), encoding="utf-8")
    assert _run_step("Save the state file", second, tmp_path, "k3y").returncode == 0
    assert _git(origin, "rev-list", "--count", "websets-sync-state") == "2"

    wrong = _clone(origin, tmp_path / "run3")
    assert _run_step("Restore the state file", wrong, tmp_path, "wrong-key").returncode != 0
    assert not (wrong / ".websets-sync" / "state.json").exists() or (
        "whsec" not in (wrong / ".websets-sync" / "state.json").read_text(errors="replace")
    )


def _store_state(origin: Path, tmp_path: Path) -> None:
    run = _clone(origin, tmp_path / "seed-state")
    (run / ".websets-sync").mkdir()
    (run / ".websets-sync" / "state.json").write_text(VALID_STATE, encoding="utf-8")
    saved = _run_step("Save the state file", run, tmp_path, "k3y")
    assert saved.returncode == 0, saved.stderr


@pytest.mark.parametrize("workflow", [APPLY, PLAN, DRIFT], ids=lambda p: p.name)
def test_a_wrong_state_key_fails_the_restore_and_leaves_no_file(
    tmp_path: Path, origin: Path, workflow: Path
) -> None:
    _store_state(origin, tmp_path)
    run = _clone(origin, tmp_path / "run")
    restored = _run_step("Restore the state file", run, tmp_path, "wrong-key", workflow)
    assert restored.returncode == 1
    assert "WEBSETS_SYNC_STATE_KEY" in restored.stdout
    assert not (run / ".websets-sync" / "state.json").exists()


def test_save_never_overwrites_the_stored_state_with_garbage(tmp_path: Path, origin: Path) -> None:
    _store_state(origin, tmp_path)
    before = _git(origin, "rev-parse", "websets-sync-state")
    run = _clone(origin, tmp_path / "run")
    # what a failed decrypt used to leave behind
    (run / ".websets-sync").mkdir()
    (run / ".websets-sync" / "state.json").write_bytes(b"\x8f\x02garbage\xff")
    saved = _run_step("Save the state file", run, tmp_path, "wrong-key")
    assert saved.returncode == 1
    assert "not a websets-sync state file" in saved.stdout
    assert _git(origin, "rev-parse", "websets-sync-state") == before
    # and the good state is still there, readable with the right key
    again = _clone(origin, tmp_path / "again")
    assert _run_step("Restore the state file", again, tmp_path, "k3y").returncode == 0
    assert (again / ".websets-sync" / "state.json").read_text(encoding="utf-8") == VALID_STATE


def test_apply_refuses_to_run_without_the_state_key(tmp_path: Path, origin: Path) -> None:
    run = _clone(origin, tmp_path / "run")
    result = _run_step("Restore the state file", run, tmp_path, "")
    assert result.returncode == 1
    assert "WEBSETS_SYNC_STATE_KEY" in result.stdout


# --- the checker itself --------------------------------------------------------------------------


def test_command_lines_are_found_only_in_command_position() -> None:
    script = (
        "pip install websets-sync  # not a command\n"
        "set +e\n"
        'FOO=1 websets-sync --no-color validate "$DIR" \\\n  --json > out.json 2> err.txt\n'
        "code=$?; test $code = 0 && websets-sync state list | head\n"
    )
    assert websets_sync_commands(script) == [
        ["--no-color", "validate", "$DIR", "--json"],
        ["state", "list"],
    ]


def test_command_checker_rejects_unknown_commands_and_flags() -> None:
    assert_command_exists(["--no-color", "--emulator", "x.json", "validate", "a", "--json"])
    assert_command_exists(["--emulator", "plan", "a", "--json"])  # default emulator file
    with pytest.raises(AssertionError, match="has no option --nope"):
        assert_command_exists(["validate", "a", "--nope"])
    with pytest.raises(AssertionError, match="is not a command"):
        assert_command_exists(["frobnicate"])
    with pytest.raises(AssertionError, match="has no option --colour"):
        assert_command_exists(["--colour", "validate", "a"])


# --- the workflows' own run scripts, end to end against a served emulator ------------------------

_URL = re.compile(r"(http://127\.0\.0\.1:\d+/websets/v0)")


@contextmanager
def served_emulator() -> Iterator[str]:
    command = [sys.executable, "-m", "websets_sync", "emulator", "serve", "--port", "0"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            match = _URL.search(process.stdout.readline())
            assert match, "emulator serve printed no URL"
            yield match.group(1)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()  # never left behind for Popen's exit to wait on forever
                raise


def run_step(workflow: dict[str, Any], name: str, cwd: Path, env: dict[str, str]) -> str:
    """Run one step's script as Actions would (bash -e), with the workflow's and step's env."""
    script = step(workflow, name)["run"]
    declared = {**workflow["env"], **step(workflow, name).get("env", {})}
    # `${{ secrets.X }}` values are GitHub's to fill in: here they come from ``env``.
    full_env = {**env, **{k: str(v) for k, v in declared.items() if "${{" not in str(v)}}
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{name}: {result.stdout}\n{result.stderr}"
    return result.stdout


def test_recipe_steps_plan_apply_and_replan_for_real(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "quickstart", repo / "websets")
    bin_dir = str(Path(sys.executable).parent)
    outputs = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    with served_emulator() as api_url:
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "EXA_API_KEY": "ci-key",
            "WEBSETS_SYNC_API_URL": api_url,
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        pr, merge, daily = load(PLAN), load(APPLY), load(DRIFT)
        run_step(daily, "Plan", repo, env)
        assert outputs.read_text() == "exitcode=2\n"  # the account lacks what is declared: drift
        assert (repo / "plan.md").read_text().startswith("#")
        outputs.write_text("")
        run_step(pr, "Validate manifests", repo, env)
        run_step(pr, "Plan", repo, env)
        assert outputs.read_text() == "exitcode=2\n"  # changes present, not an error
        assert (repo / "plan.md").read_text().startswith("#")
        assert json.loads((repo / "plan.json").read_text())["format_version"] == 1
        assert (repo / "plan.md").read_text().strip() in summary.read_text()  # job summary

        run_step(merge, "Validate", repo, env)
        run_step(merge, "Plan", repo, env)
        applied = run_step(merge, "Apply the plan shown above", repo, env)
        assert "Apply complete" in applied

        outputs.write_text("")
        run_step(pr, "Plan", repo, env)
        assert outputs.read_text() == "exitcode=0\n"  # the next pull request sees no changes
        outputs.write_text("")
        run_step(daily, "Plan", repo, env)
        assert outputs.read_text() == "exitcode=0\n"  # and the daily check finds no drift
    state = repo / ".websets-sync" / "state.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
