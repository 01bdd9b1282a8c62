"""``plan PATHS``: what apply would change, as text, JSON or Markdown; optionally saved."""

from __future__ import annotations

import os
from pathlib import Path

import click

from websets_sync import workflows
from websets_sync.cli import wiring
from websets_sync.cli.options import SyncCommand, global_options, selection_options
from websets_sync.cli.root import EXIT_CHANGES, EXIT_OK, App
from websets_sync.errors import WebsetsSyncError
from websets_sync.plan import Plan
from websets_sync.plan.cost import check_budget
from websets_sync.plan.saved import saved_plan_text
from websets_sync.render.explain import explain_plan
from websets_sync.render.json import render_plan_json
from websets_sync.render.markdown import render_plan_markdown
from websets_sync.render.text import render_plan_text

ENV_STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


@click.command("plan", cls=SyncCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (the contract).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the plan as Markdown.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan (with fingerprints) for `apply --plan FILE`.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Print the requests apply would send (with --json: as JSON), sending nothing.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes.")
@click.option("--allow-delete", is_flag=True, help="Plan deletions of managed, undeclared objects.")
@selection_options
@global_options
@wiring.cost_options
@click.pass_obj
def plan_command(
    app: App,
    paths: tuple[Path, ...],
    as_json: bool,
    as_markdown: bool,
    out: Path | None,
    explain: bool,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    allow_delete: bool,
    replace: tuple[str, ...],
    adopt: tuple[str, ...],
    excludes: tuple[str, ...],
    pricing_file: Path | None,
    max_usd: float | None,
) -> int:
    """Show what apply would change to make the account match the manifests in PATHS.

    Also what it may cost; exit 3 when that is over --max-usd or the manifests' budget.
    """
    if as_json and as_markdown:
        raise click.UsageError("--json and --markdown cannot be used together")
    options = wiring.plan_options(allow_delete, targets, replace, adopt, excludes)
    desired = wiring.load_manifests(app, paths)
    pricing = workflows.load_pricing_file(pricing_file, os.environ)
    with wiring.make_client(app) as client:
        plan = workflows.make_plan(desired, client, app.state_path, options, pricing)
    if explain:
        if as_markdown:
            raise click.UsageError("--explain prints text or --json, not --markdown")
        app.console.print(explain_plan(plan, as_json=as_json))
    elif as_json:
        app.console.print(render_plan_json(plan))
    elif as_markdown:
        app.console.print(render_plan_markdown(plan))
    else:
        app.console.print(render_plan_text(plan, app.console))
    if out is not None:
        workflows.write_text(out, saved_plan_text(plan))
    _append_step_summary(plan)
    check_budget(plan, desired.budget, max_usd)
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK


def _append_step_summary(plan: Plan) -> None:
    summary_path = os.environ.get(ENV_STEP_SUMMARY)
    if not summary_path:
        return
    try:
        with open(summary_path, "a", encoding="utf-8") as summary:
            summary.write(render_plan_markdown(plan) + "\n")
    except OSError as exc:
        raise WebsetsSyncError(
            f"cannot append the plan to {ENV_STEP_SUMMARY} ({summary_path}): {exc.strerror}"
        ) from None
