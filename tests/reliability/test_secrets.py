"""No webhook secret and no API key in any output: every command of a full workflow (with
--debug request logs, JSON, Markdown, saved plans and the GitHub step summary) is checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from apply_support import API_KEY, SECRET_PATTERN, assert_no_secrets, manifest, write
from click.testing import CliRunner, Result
from processes import run_cli, served_emulator

from websets_sync.cli.root import cli
from websets_sync.state.store import load_state


@pytest.mark.slow
def test_no_secret_in_any_output_of_a_full_workflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=2))
    summary = tmp_path / "step-summary.md"
    files = [tmp_path / "plan.json", summary]
    base = ["--emulator", str(tmp_path / "emulator.json"), "--debug", "--no-color"]
    env = {"EXA_API_KEY": API_KEY, "GITHUB_STEP_SUMMARY": str(summary)}
    outputs: list[str] = []

    def run(*args: str) -> Result:
        result = CliRunner().invoke(cli, [*base, *args], env=env)
        outputs.extend([result.stdout, result.stderr])
        return result

    assert run("plan", str(path), "--out", str(files[0])).exit_code == 0
    assert run("plan", "--json", str(path)).exit_code == 0
    assert run("plan", "--markdown", str(path)).exit_code == 0
    assert run("apply", "--plan", str(files[0])).exit_code == 0
    assert run("apply", "--auto-approve", str(path)).exit_code == 0
    replaced = run("apply", "--auto-approve", "--replace", "webhook/hook-1", str(path))
    assert replaced.exit_code == 0, replaced.output
    assert run("plan", "--json", str(path)).exit_code == 0
    assert run("state", "list").exit_code == 0
    for address in ("webhook/hook-0", "webhook/hook-1"):
        assert run("state", "show", address).exit_code == 0
    assert run("export").exit_code == 0

    # --emulator FILE keeps its own state beside FILE (issue 10, finding 2).
    state = load_state(tmp_path / "emulator.state.json")
    secrets = [e.secret for e in state.resources.values()]
    assert len([s for s in secrets if s]) == 2
    assert any("debug: POST /webhooks" in text for text in outputs)  # the logs were on
    assert_no_secrets(*outputs, *(f.read_text() for f in files), extra=[s for s in secrets if s])
    # The one command that prints a secret prints exactly it, and nothing else does.
    got = CliRunner().invoke(cli, [*base, "secrets", "get", "webhook/hook-0"], env=env)
    assert SECRET_PATTERN.fullmatch(got.stdout.strip())


@pytest.mark.slow
def test_a_rejected_api_key_is_never_echoed(tmp_path: Path) -> None:
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=0))
    state = tmp_path / "state.json"
    wrong_key = "sk-wrong-" + os.urandom(6).hex()
    with served_emulator(tmp_path / "emulator.json") as url:
        args = ["--debug", "apply", "--auto-approve", str(path)]
        result = run_cli(url, state, args, tmp_path, api_key=wrong_key)
    assert result.returncode == 1
    # The real API answers a wrong key with 400 (API-NOTES §9 R5), not 401.
    assert "HTTP 400: x-api-key header is invalid" in result.stderr
    assert "check EXA_API_KEY" in result.stderr
    assert wrong_key not in result.stdout + result.stderr
