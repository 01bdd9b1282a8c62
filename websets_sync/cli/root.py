"""Command line: parse flags, wire the parts together, turn errors into exit codes. No logic.

This is the only module that reads the environment (EXA_API_KEY, WEBSETS_SYNC_API_URL, NO_COLOR,
GITHUB_STEP_SUMMARY) and the only one that decides exit codes:
0 success (no changes under --detailed-exitcode), 1 error, 2 changes present (--detailed-exitcode).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
import httpx

from websets_sync import __version__
from websets_sync.client.endpoints import DEFAULT_API_URL, RequestRecord, WebsetsClient
from websets_sync.errors import StalePlanError, WebsetsSyncError
from websets_sync.model import Address, LiveState
from websets_sync.render.console import Console

DEFAULT_EMULATOR_FILE = ".websets-sync/emulator.json"
DEFAULT_STATE_FILE = ".websets-sync/state.json"
ENV_API_KEY = "EXA_API_KEY"
ENV_API_URL = "WEBSETS_SYNC_API_URL"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


@dataclass
class App:
    """What the global options decided, shared by every command."""

    api_url: str | None
    state_path: Path
    emulator_file: Path | None
    console: Console
    debug: bool

    def api_key(self) -> str:
        """The API key from the environment (the emulator accepts a placeholder)."""
        key = os.environ.get(ENV_API_KEY, "")
        if self.emulator_file is not None:
            return key or "emulator-key"
        if not key:
            raise WebsetsSyncError(
                f"{ENV_API_KEY} is not set",
                detail="Set it to your Exa API key, or pass --emulator to use the local emulator.",
            )
        return key


def _color_enabled(no_color: bool) -> bool:
    # no-color.org: NO_COLOR disables colour when present and not empty.
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


class SyncGroup(click.Group):
    """The root group: the one place errors become exit codes, also under click's test runner."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        argv = list(kwargs.get("args") or (args[0] if args else None) or sys.argv[1:])
        debug = "--debug" in argv
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            Console().error("aborted")
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            # click uses 2 for usage errors; 2 means "changes present" here, so errors are 1.
            exc.show()
            sys.exit(EXIT_ERROR)
        except WebsetsSyncError as exc:
            console = Console(color=_color_enabled("--no-color" in argv))
            console.error(exc.message, exc.detail)
            if debug:
                console.print_err(traceback.format_exc())
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            Console().error("interrupted")
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else EXIT_OK)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `--emulator` takes an optional FILE; click would read a following command name as
        # that FILE, so `--emulator plan …` means the default file, as a user expects.
        for index, arg in enumerate(args):
            if arg in self.commands:
                break
            if arg == "--emulator" and index + 1 < len(args) and args[index + 1] in self.commands:
                args = [*args[:index], f"--emulator={DEFAULT_EMULATOR_FILE}", *args[index + 1 :]]
                break
        return super().parse_args(ctx, args)


@click.group(cls=SyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="websets-sync")
@click.option(
    "--api-url",
    metavar="URL",
    help=f"Websets API base URL [env {ENV_API_URL}; default https://api.exa.ai/websets/v0].",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STATE_FILE,
    show_default=True,
    help="Local state file (webhook secrets, remembered preventDestroy).",
)
@click.option(
    "--emulator",
    "emulator_file",
    is_flag=False,
    flag_value=DEFAULT_EMULATOR_FILE,
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[FILE]",
    help=f"Use the built-in emulator persisted in FILE (default {DEFAULT_EMULATOR_FILE}).",
)
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.option("--debug", is_flag=True, help="Show tracebacks and request logs (never secrets).")
@click.pass_context
def cli(
    ctx: click.Context,
    api_url: str | None,
    state_path: Path,
    emulator_file: Path | None,
    no_color: bool,
    debug: bool,
) -> None:
    """Declarative GitOps for Exa Websets: validate, plan and apply YAML manifests."""
    ctx.obj = App(
        api_url=api_url or os.environ.get(ENV_API_URL) or None,
        state_path=state_path,
        emulator_file=emulator_file,
        console=Console(color=_color_enabled(no_color)),
        debug=debug,
    )


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="websets-sync")


# Commands are defined below, one section each. Each section is owned by one piece of work;
# keep edits inside your own section.

# --- wiring: client and emulator construction (foundation) --------------------------------------

EMULATOR_API_URL = "http://emulator.local/websets/v0"


def make_client(app: App, *, transport: httpx.BaseTransport | None = None) -> WebsetsClient:
    """The API client for this run: the in-process emulator with --emulator, else the real API.

    ``transport`` replaces the network (tests). The API key goes into request headers only;
    --debug logs method, path, status and duration of each attempt, never headers.
    """
    api_key = app.api_key()
    on_request = _request_logger(app.console) if app.debug else None
    headers = {"user-agent": f"websets-sync/{__version__}"}
    if app.emulator_file is not None and transport is None:
        from websets_sync.emulator import Emulator  # lazily: only --emulator runs need it

        transport = Emulator(data_file=app.emulator_file).transport()
    timeout = httpx.Timeout(30.0, connect=10.0)
    http = httpx.Client(transport=transport, headers=headers, timeout=timeout)
    if app.emulator_file is not None:
        # In-process: nothing to protect from overload, and local runs stay fast.
        return WebsetsClient(
            http, api_key=api_key, api_url=EMULATOR_API_URL, rate_limit=None, on_request=on_request
        )
    api_url = app.api_url or DEFAULT_API_URL
    return WebsetsClient(http, api_key=api_key, api_url=api_url, on_request=on_request)


def _request_logger(console: Console) -> Callable[[RequestRecord], None]:
    def log(record: RequestRecord) -> None:
        outcome = record.status if record.status is not None else record.error
        retry = f" (attempt {record.attempt})" if record.attempt > 1 else ""
        millis = f"{record.duration * 1000:.0f} ms"
        console.print_err(f"debug: {record.method} {record.path} -> {outcome} {millis}{retry}")

    return log


# --- validate (manifests) -----------------------------------------------------------------------


@cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.pass_obj
def validate_command(app: App, paths: tuple[Path, ...], as_json: bool) -> int:
    """Check manifests offline: every error as file:line:col, all at once. No API key needed.

    PATHS are files or directories (every *.yaml / *.yml below, in sorted order).
    """
    from websets_sync.errors import ManifestError
    from websets_sync.manifest.schema import load_desired_state
    from websets_sync.render.problems import (
        render_problems,
        summary_line,
        validation_json,
    )

    try:
        desired, warnings = load_desired_state(list(paths), dict(os.environ))
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


# --- plan (planner) -----------------------------------------------------------------------------


ENV_STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


@cli.command("plan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (the contract).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the plan as Markdown.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan (with fingerprints) for `apply --plan FILE`.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes.")
@click.option("--target", "targets", multiple=True, metavar="ADDR", help="Only this address.")
@click.option("--allow-delete", is_flag=True, help="Plan deletions of managed, undeclared objects.")
@click.option("--replace", "replace", multiple=True, metavar="ADDR", help="Re-create a webhook.")
@click.pass_obj
def plan_command(
    app: App,
    paths: tuple[Path, ...],
    as_json: bool,
    as_markdown: bool,
    out: Path | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    allow_delete: bool,
    replace: tuple[str, ...],
) -> int:
    """Show what apply would change to make the account match the manifests in PATHS."""
    from websets_sync.fetch import fetch_live_state
    from websets_sync.plan.saved import saved_plan_text
    from websets_sync.plan.types import PlanOptions, build_plan
    from websets_sync.render.json import render_plan_json
    from websets_sync.render.markdown import render_plan_markdown
    from websets_sync.render.text import render_plan_text
    from websets_sync.state.store import load_state

    if as_json and as_markdown:
        raise click.UsageError("--json and --markdown cannot be used together")
    options = PlanOptions(
        allow_delete=allow_delete,
        targets=_addresses(targets, "--target"),
        replace=_addresses(replace, "--replace"),
    )
    desired = load_manifests(app, list(paths))
    state = load_state(app.state_path, project=desired.project)
    with make_client(app) as client:
        live = fetch_live_state(client)
    plan = build_plan(desired, live, state, options)
    if as_json:
        app.console.print(render_plan_json(plan))
    elif as_markdown:
        app.console.print(render_plan_markdown(plan))
    else:
        app.console.print(render_plan_text(plan, app.console))
    if out is not None:
        _write_text(out, saved_plan_text(plan))
    summary_path = os.environ.get(ENV_STEP_SUMMARY)
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as summary:
                summary.write(render_plan_markdown(plan) + "\n")
        except OSError as exc:
            raise WebsetsSyncError(
                f"cannot append the plan to {ENV_STEP_SUMMARY} ({summary_path}): {exc.strerror}"
            ) from None
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK


def load_manifests(app: App, paths: list[Path]) -> DesiredState:
    """The desired state of PATHS (interpolated from the environment); warnings are shown."""
    from websets_sync.manifest.schema import load_desired_state
    from websets_sync.render.problems import render_problems

    desired, warnings = load_desired_state(paths, dict(os.environ))
    render_problems(warnings, app.console)
    return desired


def _addresses(texts: tuple[str, ...], option: str) -> tuple[Address, ...]:
    try:
        return tuple(Address.parse(text) for text in texts)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WebsetsSyncError(f"cannot write {path}: {exc.strerror}") from exc


# --- apply, state, secrets (apply) --------------------------------------------------------------

if TYPE_CHECKING:
    from websets_sync.apply.runner import ApplyResult, TouchedWebset
    from websets_sync.model import DesiredState
    from websets_sync.plan.saved import SavedPlan
    from websets_sync.plan.types import Plan, PlanOptions
    from websets_sync.state.store import ResourceState, StateStore


def _is_terminal() -> bool:
    """Whether a person can answer a prompt (tests replace this)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@cli.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Execute exactly this saved plan (`plan --out FILE`); refused if anything changed.",
)
@click.option("--auto-approve", is_flag=True, help="Apply without asking (required without a TTY).")
@click.option("--allow-delete", is_flag=True, help="Delete managed objects no longer declared.")
@click.option("--target", "targets", multiple=True, metavar="ADDR", help="Only this address.")
@click.option("--replace", "replace", multiple=True, metavar="ADDR", help="Re-create a webhook.")
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
@click.pass_obj
def apply_command(
    app: App,
    paths: tuple[Path, ...],
    plan_file: Path | None,
    auto_approve: bool,
    allow_delete: bool,
    targets: tuple[str, ...],
    replace: tuple[str, ...],
    parallelism: int,
    fail_fast: bool,
    wait_idle: bool,
    poll_interval: float,
) -> int:
    """Make the account match the manifests in PATHS (or a saved plan), then save the state."""
    from websets_sync.plan.types import PlanOptions

    if plan_file is not None and (paths or targets or replace or allow_delete):
        raise click.UsageError(
            "--plan FILE takes no PATHS, --target, --replace or --allow-delete: "
            "the saved plan records them"
        )
    if plan_file is None and not paths:
        raise click.UsageError("give the manifest PATHS to apply, or --plan FILE")
    if plan_file is None and not auto_approve and not _is_terminal():
        raise WebsetsSyncError(
            "apply needs confirmation, but there is no terminal to ask on",
            detail="Pass --auto-approve to apply without asking (as in CI).",
        )
    options = PlanOptions(
        allow_delete=allow_delete,
        targets=_addresses(targets, "--target"),
        replace=_addresses(replace, "--replace"),
    )
    run = _ApplyRun(app, parallelism, fail_fast, poll_interval)
    if plan_file is not None:
        return run.saved(plan_file, wait_idle)
    return run.fresh(list(paths), options, auto_approve, wait_idle)


class _ApplyRun:
    """Wires one apply: manifests → (lock, state, fetch, plan) → confirm → execute → report."""

    def __init__(self, app: App, parallelism: int, fail_fast: bool, poll_interval: float) -> None:
        self.app = app
        self.parallelism = parallelism
        self.fail_fast = fail_fast
        self.poll_interval = poll_interval

    def fresh(
        self, paths: list[Path], options: PlanOptions, auto_approve: bool, wait_idle: bool
    ) -> int:
        desired = load_manifests(self.app, paths)
        return self._locked(desired, options, None, auto_approve, wait_idle)

    def saved(self, plan_file: Path, wait_idle: bool) -> int:
        from websets_sync.manifest.schema import load_desired_state
        from websets_sync.plan.saved import read_saved_plan

        try:
            text = plan_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise WebsetsSyncError(f"cannot read {plan_file}: {exc.strerror}") from exc
        saved = read_saved_plan(text)
        paths = [Path(p) for p in saved.manifest_paths]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise StalePlanError(
                f"the saved plan's manifests are not here: {', '.join(missing)}",
                detail="Paths in a saved plan are as given to `plan`: run apply from the "
                "directory the plan was made in, with the same manifests.",
            )
        desired, _ = load_desired_state(paths, dict(os.environ))
        return self._locked(desired, saved.options, saved, True, wait_idle)

    def _locked(
        self,
        desired: DesiredState,
        options: PlanOptions,
        saved: SavedPlan | None,
        auto_approve: bool,
        wait_idle: bool,
    ) -> int:
        from websets_sync.fetch import fetch_live_state
        from websets_sync.plan.saved import check_saved_plan
        from websets_sync.plan.types import build_plan
        from websets_sync.render.text import render_plan_text
        from websets_sync.state.store import StateStore

        console = self.app.console
        # The lock is held from before the state is read until the last change is recorded.
        store = StateStore(self.app.state_path, desired.project)
        with make_client(self.app) as client, store:
            if store.lock.took_over is not None:
                console.warning(
                    f"took over the state lock left by {store.lock.took_over.describe()}: "
                    "that process is no longer running"
                )
            plan = build_plan(desired, fetch_live_state(client), store.state, options)
            if saved is not None:
                check_saved_plan(saved, plan)
            console.print(render_plan_text(plan, console))
            if plan.has_changes and not auto_approve and not _confirm(console):
                console.print("Apply cancelled; nothing was changed.")
                return EXIT_ERROR
            result = self._execute(plan, client, store)
        if plan.has_changes or not result.ok:
            self._report(result)
        if wait_idle and result.touched:
            self._wait(result.touched)
        return EXIT_OK

    def _execute(self, plan: Plan, client: WebsetsClient, store: StateStore) -> ApplyResult:
        from websets_sync.apply.runner import apply_plan
        from websets_sync.render.result import ResultPrinter

        if plan.has_changes:
            self.app.console.print("")
        return apply_plan(
            plan,
            client,
            store,
            parallelism=self.parallelism,
            fail_fast=self.fail_fast,
            on_result=ResultPrinter(self.app.console),
        )

    def _report(self, result: ApplyResult) -> None:
        from websets_sync.apply.runner import Outcome
        from websets_sync.errors import ApplyError
        from websets_sync.render.result import render_apply_summary

        self.app.console.print(render_apply_summary(result, self.app.console))
        if result.interrupted:
            raise ApplyError(
                f"apply was interrupted: {result.count(Outcome.APPLIED)} applied, "
                f"{result.count(Outcome.NOT_ATTEMPTED)} not attempted",
                detail="What was applied is saved in the state file; run apply again to finish.",
            )
        failed = result.count(Outcome.FAILED)
        if failed or not result.ok:
            raise ApplyError(
                f"apply failed for {failed} of {len(result.results)} changes",
                detail="The changes that succeeded are saved; run apply again to finish.",
            )

    def _wait(self, touched: tuple[TouchedWebset, ...]) -> None:
        from websets_sync.apply.wait import wait_until_idle
        from websets_sync.render.result import WaitProgressView

        view = WaitProgressView(self.app.console, terminal=sys.stdout.isatty())
        with make_client(self.app) as client:
            try:
                wait_until_idle(client, touched, on_progress=view, interval=self.poll_interval)
            except KeyboardInterrupt:
                view.finish(stopped=True)
                return
        view.finish()


def _confirm(console: Console) -> bool:
    console.print("")
    return click.confirm("Apply these changes?", default=False)


@cli.group("state")
def state_group() -> None:
    """Inspect the local state file (ids, which webhook secrets are known)."""


@state_group.command("list")
@click.pass_obj
def state_list(app: App) -> int:
    """Every address in the state file, its id, and whether a secret is known."""
    from websets_sync.render.state import render_state_list
    from websets_sync.state.store import load_state

    if not app.state_path.exists():
        from websets_sync.errors import StateError

        raise StateError(
            f"no state file at {app.state_path}",
            detail="apply writes it; pass --state PATH if yours is elsewhere.",
        )
    state = load_state(app.state_path)
    app.console.print(render_state_list(state, app.state_path, app.console))
    return EXIT_OK


@state_group.command("show")
@click.argument("address")
@click.pass_obj
def state_show(app: App, address: str) -> int:
    """One address in the state file (secrets masked)."""
    from websets_sync.render.state import render_state_entry

    key, entry = _state_entry(app, address)
    app.console.print(render_state_entry(key, entry, app.console))
    return EXIT_OK


@cli.group("secrets")
def secrets_group() -> None:
    """Read webhook secrets from the state file."""


@secrets_group.command("get")
@click.argument("address")
@click.pass_obj
def secrets_get(app: App, address: str) -> int:
    """Print exactly the signing secret of webhook ADDR (for a secret store)."""
    from websets_sync.errors import StateError

    if not address.startswith("webhook/"):
        raise click.BadParameter(
            f"{address} has no secret: only webhooks have signing secrets (webhook/<id>)",
            param_hint="ADDRESS",
        )
    key, entry = _state_entry(app, address)
    if entry.secret is None:
        why = "its create response was lost" if entry.secret_unknown else "none was recorded"
        raise StateError(
            f"the secret of {key} is not known ({why})",
            detail=f"Get a new one with: websets-sync apply --replace {key} PATHS...",
        )
    app.console.print(entry.secret)
    return EXIT_OK


def _state_entry(app: App, address: str) -> tuple[str, ResourceState]:
    from websets_sync.errors import StateError
    from websets_sync.state.store import load_state

    key = str(_addresses((address,), "ADDRESS")[0])
    entry = load_state(app.state_path).get(key)
    if entry is None:
        raise StateError(f"{key} is not in the state file {app.state_path}")
    return key, entry


# --- export (ecosystem) -------------------------------------------------------------------------


@cli.command("export")
@click.option(
    "--webset",
    "websets",
    multiple=True,
    metavar="ID_OR_EXTERNAL_ID",
    help="Export only this webset (repeatable). Default: every webset and webhook of the project.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write one file per webset and webhooks.yaml into DIR (default: print one manifest).",
)
@click.option(
    "--project",
    metavar="NAME",
    help="Project to export (default: the one project the live objects are tagged with).",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist in DIR.")
@click.pass_obj
def export_command(
    app: App, websets: tuple[str, ...], out_dir: Path | None, project: str | None, force: bool
) -> int:
    """Write manifests from live state: bring existing websets under management.

    Websets made in the dashboard have no externalId; they are pinned by their id (`id:`).
    Webhook secrets are never exported.
    """
    from websets_sync.export.builder import (
        export_state,
        infer_project,
        remembered_names,
        render_document,
        render_files,
        schema_reference,
    )
    from websets_sync.model import EXTERNAL_ID_PATTERN
    from websets_sync.state.store import load_state

    if project is not None and not EXTERNAL_ID_PATTERN.match(project):
        raise click.BadParameter("must match ^[A-Za-z0-9][A-Za-z0-9._:-]*$", param_hint="--project")
    with make_client(app) as client:
        live = _export_live_state(client, websets)
    project = project or infer_project(live)
    if project is None:
        raise WebsetsSyncError(
            "no live object carries a project tag: pass --project NAME",
            detail="NAME becomes the manifests' `project`; apply then tags what it adopts.",
        )
    # Names the state file remembers keep objects whose tags were dropped under their address.
    remembered = remembered_names(load_state(app.state_path), project)
    result = export_state(live, project, chosen=bool(websets), remembered=remembered)
    for note in result.notes:
        app.console.print_err(f"note: {note}")
    if out_dir is None:
        app.console.print(render_document(result, schema_reference(Path.cwd())).rstrip("\n"))
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_export(app, render_files(result, schema_reference(out_dir)), out_dir, force)
    return EXIT_OK


def _export_live_state(client: WebsetsClient, websets: tuple[str, ...]) -> LiveState:
    from websets_sync.fetch import fetch_live_state, live_webset

    if not websets:
        return fetch_live_state(client)
    # A chosen webset by id or externalId: one GET each (the API takes either in the path).
    return LiveState(websets=tuple(live_webset(_get_chosen(client, ident)) for ident in websets))


def _get_chosen(client: WebsetsClient, ident: str) -> dict[str, Any]:
    from websets_sync.errors import NotFoundError

    try:
        return client.get_webset(ident)
    except NotFoundError:
        raise WebsetsSyncError(
            f"no webset with id or externalId {ident!r}",
            detail="List them with `websets-sync export` (without --webset) or in the dashboard.",
        ) from None


def _write_export(app: App, files: dict[str, str], out_dir: Path, force: bool) -> None:
    existing = sorted(name for name in files if (out_dir / name).exists())
    if existing and not force:
        raise WebsetsSyncError(
            f"{out_dir} already has {', '.join(existing)}",
            detail="Pass --force to overwrite, or export into an empty folder.",
        )
    for name, text in files.items():
        _write_text(out_dir / name, text)
    noun = "file" if len(files) == 1 else "files"
    app.console.print(f"Wrote {len(files)} {noun} to {out_dir}")


# --- emulator (foundation) ----------------------------------------------------------------------


@cli.group("emulator")
def emulator_group() -> None:
    """The built-in local Websets API (for tests, demos and other clients such as exa-py)."""


def _fail_option(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, int]:
    from websets_sync.emulator.faults import parse_fail_option

    rules: dict[str, int] = {}
    for value in values:
        try:
            rule, status = parse_fail_option(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        rules[rule] = status
    return rules


@emulator_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0: any free).")
@click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Persist to this JSON file (default: the global --emulator FILE, else memory only).",
)
@click.option("--api-key", help="Accept only this key (default: any non-empty key).")
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Seconds added to every request.",
)
@click.option(
    "--qps-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="QPS",
    help="Answer 429 + Retry-After above this many QPS.",
)
@click.option(
    "--error-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    metavar="SHARE",
    help="Share of requests answered 500.",
)
@click.option(
    "--lost-response-rate",
    type=click.FloatRange(0, 1),
    metavar="SHARE",
    default=0.0,
    help="Share of writes committed whose answer is then lost (connection closed).",
)
@click.option(
    "--fail",
    "path_failures",
    multiple=True,
    callback=_fail_option,
    metavar="METHOD:PATH-REGEX=STATUS",
    help="Answer STATUS to matching requests, e.g. 'POST:^/websets$=503' (repeatable).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for ids and faults.")
@click.pass_obj
def emulator_serve(
    app: App,
    host: str,
    port: int,
    data_file: Path | None,
    api_key: str | None,
    latency: float,
    qps_limit: float | None,
    error_rate: float,
    lost_response_rate: float,
    path_failures: dict[str, int],
    seed: int,
) -> int:
    """Serve the emulator over HTTP until Ctrl-C (prints the API URL first)."""
    import time

    from websets_sync.emulator import Emulator, Faults, serve

    faults = Faults(
        latency=latency,
        qps_limit=qps_limit,
        error_rate=error_rate,
        lost_response_rate=lost_response_rate,
        path_failures=path_failures,
    )
    emulator = Emulator(
        api_key=api_key, faults=faults, data_file=data_file or app.emulator_file, seed=seed
    )
    try:
        server, base_url = serve(emulator, host=host, port=port)
    except OSError as exc:
        raise WebsetsSyncError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    app.console.print(
        f"Websets API emulator on {base_url}/websets/v0 "
        f"(exa-py base_url {base_url}); Ctrl-C to stop"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return EXIT_OK
