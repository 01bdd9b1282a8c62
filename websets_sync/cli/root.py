"""The root command: global options, lazy command loading, and errors → exit codes.

This package is the only place that reads the environment (EXA_API_KEY, WEBSETS_SYNC_API_URL,
WEBSETS_SYNC_RATE_LIMIT, NO_COLOR, GITHUB_STEP_SUMMARY) and the only one that decides exit codes:
0 success (no changes under --detailed-exitcode), 1 error, 2 changes present (--detailed-exitcode),
3 over budget (--max-usd or the manifests' budget; apply then sends nothing).
Commands live one per module and are imported only when run, so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from websets_sync import __version__
from websets_sync.errors import BudgetError, WebsetsSyncError
from websets_sync.render.console import Console

DEFAULT_EMULATOR_FILE = ".websets-sync/emulator.json"
DEFAULT_STATE_FILE = ".websets-sync/state.json"
ENV_API_KEY = "EXA_API_KEY"
ENV_API_URL = "WEBSETS_SYNC_API_URL"
ENV_RATE_LIMIT = "WEBSETS_SYNC_RATE_LIMIT"
DEFAULT_RATE_LIMIT = 9.8  # = client.ratelimit's (tested), without importing the client here
EXIT_TERMINATED = 143  # 128 + SIGTERM, as shells report it

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_OVER_BUDGET = 3


@dataclass(frozen=True)
class LazyCommand:
    """Where a command is defined ("module:attribute"), and its one-line help for ``--help``,
    which lists every command without importing any (a test keeps the lines in sync)."""

    target: str
    short_help: str


COMMANDS: dict[str, LazyCommand] = {
    "validate": LazyCommand(
        "websets_sync.cli.validate:validate_command",
        "Check manifests offline: every error as file:line:col, all at once.",
    ),
    "plan": LazyCommand(
        "websets_sync.cli.plan:plan_command",
        "Show what apply would change to make the account match the manifests in PATHS.",
    ),
    "apply": LazyCommand(
        "websets_sync.cli.apply:apply_command",
        "Make the account match the manifests in PATHS (or a saved plan), then save the state.",
    ),
    "show": LazyCommand(
        "websets_sync.cli.show:show_command",
        "Show a saved plan (`plan --out FILE`) as it will be applied; reads nothing live.",
    ),
    "export": LazyCommand(
        "websets_sync.cli.export:export_command",
        "Write manifests from live state: bring existing websets under management.",
    ),
    "state": LazyCommand(
        "websets_sync.cli.state:state_group",
        "Inspect the local state file (ids, which secrets are known) or edit it (mv, rm).",
    ),
    "secrets": LazyCommand(
        "websets_sync.cli.state:secrets_group", "Read webhook secrets from the state file."
    ),
    "emulator": LazyCommand(
        "websets_sync.cli.emulator:emulator_group",
        "The built-in local Websets API (for tests, demos and other clients such as exa-py).",
    ),
    "force-unlock": LazyCommand(
        "websets_sync.cli.unlock:force_unlock_command",
        "Delete the project's lease in the live account.",
    ),
}


@dataclass
class App:
    """What the global options decided, shared by every command.

    ``api_url_given`` is True when --api-url was passed (not only the environment variable), so
    that asking for both an API URL and the emulator is refused rather than silently resolved.
    """

    api_url: str | None
    state_path: Path
    emulator_file: Path | None
    console: Console
    debug: bool
    #: Requests per second at most (the client slows down further on 429s).
    rate_limit: float = DEFAULT_RATE_LIMIT
    api_url_given: bool = False
    #: Whether --state was given (else the state file follows --emulator FILE).
    state_given: bool = False

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


def color_enabled(no_color: bool) -> bool:
    # no-color.org: NO_COLOR disables colour when present and not empty.
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


class SyncGroup(click.Group):
    """The root group: the one place errors become exit codes, also under click's test runner."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, _, attribute = COMMANDS[cmd_name].target.partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name].short_help) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        argv = list(kwargs.get("args") or (args[0] if args else None) or sys.argv[1:])
        debug = "--debug" in argv
        try:
            with sigterm_as_interrupt():
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
            console = Console(color=color_enabled("--no-color" in argv))
            console.error(exc.message, exc.detail)
            if debug:
                console.print_err(traceback.format_exc())
            sys.exit(EXIT_OVER_BUDGET if isinstance(exc, BudgetError) else EXIT_ERROR)
        except Terminated:
            Console().error("terminated (SIGTERM)")
            sys.exit(EXIT_TERMINATED)
        except KeyboardInterrupt:
            Console().error("interrupted")
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else EXIT_OK)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `--emulator` takes an optional FILE; click would read a following command name as
        # that FILE, so `--emulator plan …` means the default file, as a user expects.
        for index, arg in enumerate(args):
            if arg in COMMANDS:
                break
            if arg == "--emulator" and index + 1 < len(args) and args[index + 1] in COMMANDS:
                args = [*args[:index], f"--emulator={DEFAULT_EMULATOR_FILE}", *args[index + 1 :]]
                break
        return super().parse_args(ctx, args)


class Terminated(KeyboardInterrupt):
    """SIGTERM (CI's cancel) as Ctrl-C: apply starts nothing new, sums up, releases locks."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _terminate) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def default_state(emulator_file: Path | None) -> Path:
    """The emulator keeps its own state beside its data, so trying it never touches real state."""
    if emulator_file is None:
        return Path(DEFAULT_STATE_FILE)
    return emulator_file.with_name(f"{emulator_file.stem}.state.json")


def rate_limit_setting(value: float | None) -> float:
    if value is not None:
        return value
    text = os.environ.get(ENV_RATE_LIMIT)
    if not text:
        return DEFAULT_RATE_LIMIT
    try:
        rate = float(text)
    except ValueError:
        rate = 0.0
    if not rate > 0 or rate == float("inf"):
        raise WebsetsSyncError(f"{ENV_RATE_LIMIT} must be a positive number, not {text!r}")
    return rate


HELP_API_URL = f"Websets API base URL [env {ENV_API_URL}; default https://api.exa.ai/websets/v0]."
HELP_STATE = (
    f"Local state file (webhook secrets, remembered preventDestroy) [default {DEFAULT_STATE_FILE};"
    " with --emulator FILE: FILE's name + .state.json beside it]."
)
HELP_RATE_LIMIT = f"Requests per second at most; slower on 429s [env {ENV_RATE_LIMIT}, default 9.8]"
HELP_EMULATOR = f"Use the built-in emulator persisted in FILE (default {DEFAULT_EMULATOR_FILE})."
HELP_NO_COLOR = "Plain output (also when NO_COLOR is set)."
HELP_DEBUG = "Show tracebacks and request logs (never secrets)."


@click.group(cls=SyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="websets-sync")
@click.option(
    "--api-url",
    metavar="URL",
    help=HELP_API_URL,
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=HELP_STATE,
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="RPS",
    help=HELP_RATE_LIMIT,
)
@click.option(
    "--emulator",
    "emulator_file",
    is_flag=False,
    flag_value=DEFAULT_EMULATOR_FILE,
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[FILE]",
    help=HELP_EMULATOR,
)
@click.option("--no-color", is_flag=True, help=HELP_NO_COLOR)
@click.option("--debug", is_flag=True, help=HELP_DEBUG)
@click.pass_context
def cli(
    ctx: click.Context,
    api_url: str | None,
    state_path: Path | None,
    rate_limit: float | None,
    emulator_file: Path | None,
    no_color: bool,
    debug: bool,
) -> None:
    """Declarative GitOps for Exa Websets: validate, plan and apply YAML manifests."""
    ctx.obj = App(
        api_url=api_url or os.environ.get(ENV_API_URL) or None,
        state_path=state_path or default_state(emulator_file),
        emulator_file=emulator_file,
        console=Console(color=color_enabled(no_color)),
        debug=debug,
        rate_limit=rate_limit_setting(rate_limit),
        api_url_given=api_url is not None,
        state_given=state_path is not None,
    )
