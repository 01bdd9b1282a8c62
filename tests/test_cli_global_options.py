"""Global options: `--emulator` with and without its optional FILE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from websets_sync.cli.root import DEFAULT_EMULATOR_FILE, cli

QUICKSTART = Path(__file__).parent.parent / "examples" / "quickstart"


def test_emulator_before_a_command_name_uses_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    applied = runner.invoke(cli, ["--emulator", "apply", str(QUICKSTART), "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    stored = json.loads((tmp_path / DEFAULT_EMULATOR_FILE).read_text())
    assert stored  # the default emulator file now holds the applied websets
    planned = runner.invoke(cli, ["--emulator", "plan", str(QUICKSTART), "--detailed-exitcode"])
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output


def test_emulator_with_a_file_uses_that_file(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere.json"
    state = tmp_path / "state.json"
    args = ["--emulator", str(data), "--state", str(state), "apply", str(QUICKSTART)]
    result = CliRunner().invoke(cli, [*args, "--auto-approve"])
    assert result.exit_code == 0, result.output
    assert data.exists() and state.exists()
