"""The command line: click commands parse flags, call a workflow, map errors to exit codes."""

from websets_sync.cli.root import main

__all__ = ["main"]
