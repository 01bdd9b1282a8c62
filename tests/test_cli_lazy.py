"""Commands load lazily: `--help` lists them all without importing any, and stays in sync."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from websets_sync.cli.root import COMMANDS, cli


def test_the_listed_help_of_each_command_is_its_own_first_line() -> None:
    ctx = click.Context(cli)
    for name, lazy in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert lazy.short_help == command.get_short_help_str(limit=200), name


def test_root_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, lazy in COMMANDS.items():
        assert f"  {name}" in result.stdout
        assert lazy.short_help in " ".join(result.stdout.split())


def test_root_help_imports_no_command_and_no_http_client() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['websets-sync', '--help']\n"
        "from websets_sync.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('websets_sync.cli.') "
        "or m in ('httpx', 'websets_sync.workflows'))\n"
        "print('LOADED', loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # The root and the process settings (a few lines, no imports of ours): no command module.
    assert "LOADED ['websets_sync.cli.process', 'websets_sync.cli.root']" in out.stdout
