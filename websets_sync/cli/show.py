"""``show PLANFILE``: review a saved plan without applying it (and without an API key)."""

from __future__ import annotations

from pathlib import Path

import click

from websets_sync import workflows
from websets_sync.cli.options import SyncCommand, global_options
from websets_sync.cli.root import EXIT_OK, App
from websets_sync.render.json import render_plan_json
from websets_sync.render.markdown import render_plan_markdown
from websets_sync.render.text import render_plan_text


@click.command("show", cls=SyncCommand)
@click.argument("plan_file", metavar="PLANFILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (the contract).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the plan as Markdown.")
@global_options
@click.pass_obj
def show_command(app: App, plan_file: Path, as_json: bool, as_markdown: bool) -> int:
    """Show a saved plan (`plan --out FILE`) as it will be applied; reads nothing live."""
    if as_json and as_markdown:
        raise click.UsageError("--json and --markdown cannot be used together")
    plan = workflows.read_saved_plan_file(plan_file)
    if as_json:
        app.console.print(render_plan_json(plan))
    elif as_markdown:
        app.console.print(render_plan_markdown(plan))
    else:
        app.console.print(render_plan_text(plan, app.console))
    return EXIT_OK
