"""The command line: click commands parse flags, call a workflow, map errors to exit codes."""

from websets_sync.cli.process import tune_garbage_collector
from websets_sync.cli.root import cli


def main() -> None:
    """Console-script entry point."""
    tune_garbage_collector()
    cli.main(prog_name="websets-sync")


__all__ = ["main"]
