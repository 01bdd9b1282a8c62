"""Bad surroundings give one clear `Error:` line and exit 1, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from websets_sync.cli.root import cli, color_enabled

QUICKSTART = Path(__file__).parent.parent / "examples" / "quickstart"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"EXA_API_KEY": "", "GITHUB_STEP_SUMMARY": "", "NO_COLOR": "1"}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


def assert_clean_error(result: Result, message: str) -> None:
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}"), result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("garbage", "cannot read the emulator data file"),
        ('{"websets": 5}', ""),
        ('{"version": 1, "counter": "x", "objects": {}}', ""),
    ],
)
def test_an_unreadable_emulator_file_is_an_error(
    tmp_path: Path, content: str, message: str
) -> None:
    data = tmp_path / "emulator.json"
    data.write_text(content)
    result = run("--emulator", str(data), "plan", str(QUICKSTART))
    assert_clean_error(result, message)
    assert str(data) in result.stderr
    served = run("emulator", "serve", "--port", "0", "--data", str(data))
    assert_clean_error(served, message)


def test_an_unwritable_step_summary_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "summary.md"
    result = run(
        "--emulator",
        str(tmp_path / "e.json"),
        "--state",
        str(tmp_path / "state.json"),
        "plan",
        str(QUICKSTART),
        env={"GITHUB_STEP_SUMMARY": str(target)},
    )
    assert_clean_error(result, "cannot append the plan to GITHUB_STEP_SUMMARY")


def test_state_list_without_a_state_file_says_so(tmp_path: Path) -> None:
    result = run("--state", str(tmp_path / "nope.json"), "state", "list")
    assert_clean_error(result, f"no state file at {tmp_path / 'nope.json'}")


def test_a_saved_plan_applied_from_elsewhere_names_the_missing_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_in = tmp_path / "repo"
    shutil.copytree(QUICKSTART, made_in / "manifests")
    monkeypatch.chdir(made_in)
    common = ("--emulator", str(tmp_path / "e.json"), "--state", str(tmp_path / "s.json"))
    planned = run(*common, "plan", "manifests", "--out", str(tmp_path / "plan.json"))
    assert planned.exit_code == 0, planned.output
    monkeypatch.chdir(tmp_path)
    result = run(*common, "apply", "--plan", str(tmp_path / "plan.json"))
    assert_clean_error(result, "the saved plan's manifests are not here: manifests")
    assert "run apply from the directory the plan was made in" in result.stderr


def test_an_unreachable_api_names_the_url_without_credentials(tmp_path: Path) -> None:
    result = run(
        "--api-url",
        "http://user:pw@127.0.0.1:9/websets/v0",
        "--state",
        str(tmp_path / "s.json"),
        "plan",
        str(QUICKSTART),
        env={"EXA_API_KEY": "sk-test-unreachable"},
    )
    assert_clean_error(result, "GET /websets failed")
    assert "API URL: http://REDACTED@127.0.0.1:9/websets/v0" in result.stderr
    assert "pw@" not in result.stderr and "sk-test-unreachable" not in result.stderr


@pytest.mark.parametrize(("value", "disabled"), [("1", True), ("", False)])
def test_no_color_counts_only_when_not_empty(
    monkeypatch: pytest.MonkeyPatch, value: str, disabled: bool
) -> None:
    monkeypatch.setenv("NO_COLOR", value)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert color_enabled(False) is not disabled


def test_a_rejected_api_key_says_to_check_exa_api_key(tmp_path: Path) -> None:
    from websets_sync.emulator import Emulator, serve

    server, base_url = serve(Emulator(api_key="the-right-key"))
    try:
        result = run(
            "--state",
            str(tmp_path / "state.json"),
            "plan",
            str(QUICKSTART),
            env={"EXA_API_KEY": "a-wrong-key", "WEBSETS_SYNC_API_URL": f"{base_url}/websets/v0"},
        )
    finally:
        server.shutdown()
        server.server_close()
    # The real API answers a wrong key with 400 (API-NOTES §9 R5), not 401.
    assert_clean_error(result, "GET /websets failed with HTTP 400: x-api-key header is invalid")
    assert "check EXA_API_KEY" in result.stderr
    assert "a-wrong-key" not in result.output + result.stderr
