"""`websets-sync apply`, `state` and `secrets` through the real CLI against the emulator."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from apply_support import API_KEY, assert_no_secrets, manifest, write
from click.testing import CliRunner, Result

import websets_sync.cli.wiring as cli_module
from websets_sync.cli.root import cli
from websets_sync.emulator import Emulator, Faults
from websets_sync.state.store import load_state


class Project:
    """A manifest folder, an emulator data file and a state file, driven through the CLI."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.data = tmp / "emulator.json"
        self.state = tmp / ".websets-sync" / "state.json"
        self.manifest = write(tmp / "manifests" / "main.yaml", manifest(websets=1))

    def run(self, *args: str, stdin: str | None = None, check_secrets: bool = True) -> Result:
        base = ["--emulator", str(self.data), "--state", str(self.state), "--no-color"]
        env = {"EXA_API_KEY": API_KEY, "NO_COLOR": "1"}
        result = CliRunner().invoke(cli, [*base, *args], input=stdin, env=env)
        if check_secrets:
            assert_no_secrets(result.stdout, result.stderr, extra=self.secrets())
        return result

    def secrets(self) -> list[str]:
        if not self.state.exists():
            return []
        return [r.secret for r in load_state(self.state).resources.values() if r.secret]

    def emulator(self) -> Emulator:
        return Emulator(data_file=self.data)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


def _with_faults(monkeypatch: pytest.MonkeyPatch, project: Project, faults: Faults) -> None:
    real: Callable[..., Any] = cli_module.make_client

    def make_client(app: Any, *, transport: httpx.BaseTransport | None = None) -> Any:
        emulator = Emulator(data_file=project.data, faults=faults)
        return real(app, transport=emulator.transport())

    monkeypatch.setattr(cli_module, "make_client", make_client)


def test_without_a_terminal_apply_requires_auto_approve(project: Project) -> None:
    result = project.run("apply", str(project.manifest))
    assert result.exit_code == 1
    assert "Error: apply needs confirmation, but there is no terminal" in result.stderr
    assert "--auto-approve" in result.stderr
    assert not project.data.exists() and not project.state.exists()  # nothing read or written


def test_on_a_terminal_apply_asks_and_a_no_changes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "is_terminal", lambda: True)
    declined = project.run("apply", str(project.manifest), stdin="n\n")
    assert declined.exit_code == 1
    assert "Apply these changes? [y/N]" in declined.stdout
    assert "Apply cancelled; nothing was changed." in declined.stdout
    assert project.emulator().store.all("webset") == []

    accepted = project.run("apply", str(project.manifest), stdin="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Apply complete: 7 applied, 0 failed, 0 not attempted." in accepted.stdout
    assert len(project.emulator().store.all("webset")) == 1


def test_auto_approve_applies_and_a_second_apply_changes_nothing(project: Project) -> None:
    first = project.run("apply", "--auto-approve", str(project.manifest))
    assert first.exit_code == 0, first.output
    assert "+ webset/ws-0: created (webset_" in first.stdout
    assert "+ webhook/hook-0: created" in first.stdout
    second = project.run("apply", "--auto-approve", str(project.manifest))
    assert second.exit_code == 0
    assert "No changes." in second.stdout and "Apply complete" not in second.stdout


def test_failures_are_listed_and_exit_1(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_faults(monkeypatch, project, Faults(path_failures={"POST ^/monitors$": 422}))
    result = project.run("apply", "--auto-approve", str(project.manifest))
    assert result.exit_code == 1
    assert "! webset/ws-0/monitor/m0: create failed" in result.stdout
    assert "Apply finished with failures: 6 applied, 1 failed, 0 not attempted." in result.stdout
    assert "Error: apply failed for 1 of 7 changes" in result.stderr
    monkeypatch.undo()
    rerun = project.run("apply", "--auto-approve", str(project.manifest))
    assert rerun.exit_code == 0 and "1 applied, 0 failed" in rerun.stdout


def test_lock_held_by_a_running_apply_fails_at_once(project: Project) -> None:
    project.state.parent.mkdir(parents=True)
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": "2026-01-01T09:00"}
    (project.state.parent / "state.json.lock").write_text(json.dumps(holder))
    result = project.run("apply", "--auto-approve", str(project.manifest))
    assert result.exit_code == 1
    assert f"locked by another apply (pid {os.getpid()} on host {socket.gethostname()}" in (
        result.stderr
    )
    assert "2026-01-01T09:00" in result.stderr


def test_stale_lock_is_taken_over_with_an_explanation(project: Project) -> None:
    project.state.parent.mkdir(parents=True)
    dead = {"pid": 2**22 + 12345, "host": socket.gethostname(), "started_at": "then"}
    (project.state.parent / "state.json.lock").write_text(json.dumps(dead))
    result = project.run("apply", "--auto-approve", str(project.manifest))
    assert result.exit_code == 0, result.output
    assert f"took over the state lock left by pid {dead['pid']}" in result.stderr
    assert "no longer running" in result.stderr
    assert not (project.state.parent / "state.json.lock").exists()


def test_saved_plan_is_applied_exactly(project: Project) -> None:
    saved = project.tmp / "plan.json"
    planned = project.run("plan", str(project.manifest), "--out", str(saved))
    assert planned.exit_code == 0, planned.output
    result = project.run("apply", "--plan", str(saved))
    assert result.exit_code == 0, result.output
    assert "Apply complete: 7 applied" in result.stdout
    assert_no_secrets(saved.read_text(), extra=project.secrets())


def test_saved_plan_is_refused_when_the_manifest_changed(project: Project) -> None:
    saved = project.tmp / "plan.json"
    project.run("plan", str(project.manifest), "--out", str(saved))
    write(project.manifest, manifest(websets=1, title_suffix=" v2"))
    result = project.run("apply", "--plan", str(saved))
    assert result.exit_code == 1
    assert "Error: the manifests changed since the plan was saved" in result.stderr
    assert project.emulator().store.all("webset") == []


def test_saved_plan_is_refused_when_a_live_object_changed(project: Project) -> None:
    project.run("apply", "--auto-approve", str(project.manifest))
    write(project.manifest, manifest(websets=1, title_suffix=" v2"))
    saved = project.tmp / "plan.json"
    project.run("plan", str(project.manifest), "--out", str(saved))
    emulator = project.emulator()
    webset = emulator.store.all("webset")[0]
    emulator.edit("webset", webset["id"], {"title": "Edited in the dashboard"})

    result = project.run("apply", "--plan", str(saved))

    assert result.exit_code == 1
    assert "Error: live state changed since the plan was saved" in result.stderr
    assert f"webset/ws-0 ({webset['id']}) was changed" in result.stderr
    assert project.emulator().store.find("webset", webset["id"])["title"] == (  # type: ignore[index]
        "Edited in the dashboard"
    )


def test_apply_plan_takes_no_paths_or_plan_options(project: Project) -> None:
    result = project.run("apply", "--plan", "x.json", str(project.manifest))
    assert result.exit_code == 1 and "--plan FILE takes no PATHS" in result.output


def test_state_list_show_and_secrets_get(project: Project) -> None:
    project.run("apply", "--auto-approve", str(project.manifest))
    [secret] = project.secrets()

    listed = project.run("state", "list")
    assert listed.exit_code == 0
    assert [line.split()[2] for line in listed.stdout.splitlines() if "webhook/" in line] == [
        "known"
    ]
    shown = project.run("state", "show", "webhook/hook-0")
    assert "secret:          ******** (known" in shown.stdout

    got = project.run("secrets", "get", "webhook/hook-0", check_secrets=False)
    assert got.exit_code == 0 and got.stdout == secret + "\n" and got.stderr == ""

    missing = project.run("secrets", "get", "webhook/nope")
    assert missing.exit_code == 1 and "webhook/nope is not in the state file" in missing.stderr
    no_secret = project.run("secrets", "get", "webset/ws-0")
    assert no_secret.exit_code == 1
    assert "webset/ws-0 has no secret: only webhooks have signing secrets" in no_secret.stderr


def test_wait_reports_progress_until_idle(project: Project) -> None:
    result = project.run(
        "apply", "--auto-approve", "--wait", "--poll-interval", "0.05", str(project.manifest)
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("waiting: ")]
    assert lines[-1].startswith("waiting: 1/1 websets idle, searches 100% complete")
    assert re.search(r"All websets are idle \(\d+s\)\.$", result.stdout.rstrip())
    # What the searches found, next to the plan's estimate (to calibrate --pricing).
    found = result.stdout.split("Searches found", 1)[1].splitlines()
    assert found[:3] == [
        " 10 of up to 10 estimated items:",
        "  webset/ws-0/search/s0: 5 items found (estimated up to 5; $0.15–$0.55 of an "
        "estimated $0.15–$0.55)",
        "  webset/ws-0/search/s1: 5 items found (estimated up to 5; $0.15–$0.55 of an "
        "estimated $0.15–$0.55)",
    ]


def test_ctrl_c_stops_waiting_without_harm(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("websets_sync.workflows.wait_until_idle", interrupted)
    result = project.run("apply", "--auto-approve", "--wait", str(project.manifest))
    assert result.exit_code == 0, result.output
    assert "Stopped waiting after 0s. Searches and enrichments keep running" in result.stdout
