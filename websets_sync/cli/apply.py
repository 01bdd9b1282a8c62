"""``apply PATHS`` / ``apply --plan FILE``: confirm, execute, report, optionally wait."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from websets_sync import workflows
from websets_sync.apply.result import ApplyResult, ChangeResult
from websets_sync.cli import wiring
from websets_sync.cli.options import SyncCommand, global_options, selection_options
from websets_sync.cli.plan import ENV_STEP_SUMMARY
from websets_sync.cli.process import freeze_long_lived
from websets_sync.cli.root import EXIT_ERROR, EXIT_OK, App
from websets_sync.errors import WebsetsSyncError
from websets_sync.plan import Action, Plan
from websets_sync.render.console import Console
from websets_sync.render.found import render_found_report
from websets_sync.render.markdown import secrets_unknown_banner
from websets_sync.render.result import ResultPrinter, WaitProgressView, render_apply_summary
from websets_sync.render.text import render_plan_text


@click.command("apply", cls=SyncCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Execute exactly this saved plan (`plan --out FILE`); refused if anything changed.",
)
@click.option("--auto-approve", is_flag=True, help="Apply without asking (required without a TTY).")
@click.option("--allow-delete", is_flag=True, help="Delete managed objects no longer declared.")
@selection_options
@click.option(
    "--parallelism",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Websets applied at the same time (all under one rate limit).",
)
@click.option("--fail-fast", is_flag=True, help="Start nothing new after the first failure.")
@click.option("--wait", "wait_idle", is_flag=True, help="Then wait until the websets are idle.")
@click.option(
    "--poll-interval", type=float, default=5.0, hidden=True, help="Seconds between polls."
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another apply of the project to finish (0: fail at once).",
)
@global_options
@wiring.cost_options
@click.pass_obj
def apply_command(
    app: App,
    paths: tuple[Path, ...],
    plan_file: Path | None,
    auto_approve: bool,
    allow_delete: bool,
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    adopt: tuple[str, ...],
    excludes: tuple[str, ...],
    parallelism: int,
    fail_fast: bool,
    wait_idle: bool,
    poll_interval: float,
    lock_timeout: float,
    pricing_file: Path | None,
    max_usd: float | None,
) -> int:
    """Make the account match the manifests in PATHS (or a saved plan), then save the state.

    On a terminal, apply shows the plan and asks: `y` for a plan that only adds or changes, the
    word `yes` when anything is deleted, replaced or loses data. A saved plan (`--plan FILE`)
    was reviewed when it was made: it is applied without asking, on a terminal or not, and only
    if nothing it was made from has changed.
    """
    if plan_file is not None and (paths or targets or replace or adopt or allow_delete or excludes):
        raise click.UsageError(
            "--plan FILE takes no PATHS, --target, --replace, --adopt, --exclude or "
            "--allow-delete: "
            "the saved plan records them"
        )
    if plan_file is None and not paths:
        raise click.UsageError("give the manifest PATHS to apply, or --plan FILE")
    if plan_file is None and not auto_approve and not wiring.is_terminal():
        raise WebsetsSyncError(
            "apply needs confirmation, but there is no terminal to ask on",
            detail="Pass --auto-approve to apply without asking (as in CI).",
        )
    options = wiring.plan_options(allow_delete, targets, replace, adopt, excludes)
    # A saved plan was reviewed when it was made: applying it asks nothing more.
    settings = workflows.ApplySettings(
        parallelism=parallelism,
        fail_fast=fail_fast,
        auto_approve=auto_approve or plan_file is not None,
        lock_timeout=lock_timeout,
        pricing=workflows.load_pricing_file(pricing_file, os.environ),
        max_usd=max_usd,
    )
    hooks = _ConsoleHooks(app.console)
    if plan_file is not None:
        loaded = workflows.load_saved_plan(plan_file, os.environ)
        with wiring.make_client(app) as client:
            outcome = workflows.apply_saved(loaded, client, app.state_path, hooks, settings)
    else:
        desired = wiring.load_manifests(app, paths)
        with wiring.make_client(app) as client:
            outcome = workflows.apply_manifests(
                desired, client, app.state_path, options, hooks, settings
            )
    if outcome.result is None:
        app.console.print("Apply cancelled; nothing was changed.")
        return EXIT_ERROR
    unknown = tuple(dict.fromkeys((*outcome.plan.secrets_unknown, *outcome.result.secrets_lost)))
    if unknown:
        _append_step_summary(secrets_unknown_banner(unknown))
    if outcome.plan.has_changes or not outcome.result.ok:
        app.console.print(render_apply_summary(outcome.result, app.console))
        workflows.raise_for_result(outcome.result)
    if wait_idle and outcome.result.touched:
        _wait(app, outcome.plan, outcome.result, poll_interval)
    return EXIT_OK


def _append_step_summary(lines: Sequence[str]) -> None:
    """In GitHub Actions, put what must not be missed in the job summary too."""
    summary_path = os.environ.get(ENV_STEP_SUMMARY)
    if not summary_path:
        return
    try:
        with open(summary_path, "a", encoding="utf-8") as summary:
            summary.write("\n".join(["## websets-sync apply", "", *lines]) + "\n")
    except OSError as exc:
        raise WebsetsSyncError(
            f"cannot append to {ENV_STEP_SUMMARY} ({summary_path}): {exc.strerror}"
        ) from None


_DESTROYING = (Action.DELETE, Action.REPLACE)


class _ConsoleHooks:
    """An apply as a person sees it on the console."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.printer = ResultPrinter(console)

    def warn(self, message: str) -> None:
        self.console.warning(message)

    def show_plan(self, plan: Plan) -> None:
        self.console.print(render_plan_text(plan, self.console))

    def confirm(self, plan: Plan) -> bool:
        self.console.print("")
        risky = [c for c in plan.changes if c.destructive or c.action in _DESTROYING]
        if not risky:
            return click.confirm("Apply these changes?", default=False)
        # As Terraform does: what cannot be undone needs the whole word, not a reflexive "y".
        noun = "change destroys" if len(risky) == 1 else "changes destroy"
        self.console.print(
            self.console.style(f"{len(risky)} {noun} data or replace objects.", "red", "bold")
        )
        answer = click.prompt(
            "Only 'yes' will be accepted to apply. Enter a value",
            default="",
            show_default=False,
        )
        return str(answer).strip() == "yes"

    def starting(self, plan: Plan) -> None:
        freeze_long_lived()
        if plan.has_changes:
            self.console.print("")

    def on_result(self, result: ChangeResult) -> None:
        self.printer(result)


def _wait(app: App, plan: Plan, result: ApplyResult, interval: float) -> None:
    """Follow the touched websets until idle, then say what their searches found."""
    view = WaitProgressView(app.console, terminal=sys.stdout.isatty())
    with wiring.make_client(app) as client:
        try:
            final = workflows.wait_for_websets(client, result.touched, view, interval)
        except KeyboardInterrupt:
            view.finish(stopped=True)
            return
    view.finish(found=render_found_report(plan, result, final))
