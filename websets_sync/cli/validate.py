"""``validate PATHS``: offline checks, every problem at file:line:col."""

from __future__ import annotations

import os
from pathlib import Path

import click

from websets_sync import workflows
from websets_sync.cli.options import SyncCommand, global_options
from websets_sync.cli.root import EXIT_ERROR, EXIT_OK, App
from websets_sync.errors import ManifestError
from websets_sync.render.problems import render_problems, summary_line, validation_json


@click.command("validate", cls=SyncCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@global_options
@click.pass_obj
def validate_command(app: App, paths: tuple[Path, ...], as_json: bool) -> int:
    """Check manifests offline: every error as file:line:col, all at once. No API key needed.

    PATHS are files or directories (every *.yaml / *.yml below, in sorted order).
    """
    try:
        desired, warnings = workflows.load_manifests(paths, os.environ)
    except ManifestError as exc:
        if as_json:
            app.console.print(validation_json(exc.problems, None))
        else:
            render_problems(exc.problems, app.console)
            app.console.error(exc.message)
        return EXIT_ERROR
    if as_json:
        app.console.print(validation_json(warnings, desired))
    else:
        render_problems(warnings, app.console)
        app.console.print(app.console.style(summary_line(desired), "green"))
    return EXIT_OK
