"""The global options again on every command, so ``plan x.yaml --no-color`` works as well as
``--no-color plan x.yaml``. Each one, when given after the command, overrides the root's value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from websets_sync.cli.root import (
    DEFAULT_EMULATOR_FILE,
    DEFAULT_STATE_FILE,
    HELP_API_URL,
    HELP_DEBUG,
    HELP_EMULATOR,
    HELP_NO_COLOR,
    HELP_RATE_LIMIT,
    HELP_STATE,
    App,
    color_enabled,
    default_state,
)
from websets_sync.render.console import Console

Decorated = TypeVar("Decorated", bound=Callable[..., Any])


def _app(ctx: click.Context) -> App:
    app = ctx.find_object(App)
    if app is None:  # a command invoked on its own (tests): the defaults of the root group
        app = App(None, Path(DEFAULT_STATE_FILE), None, Console(color=color_enabled(False)), False)
        ctx.obj = app
    return app


def _late_api_url(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        app = _app(ctx)
        app.api_url, app.api_url_given = value, True


def _late_state(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        app = _app(ctx)
        app.state_path, app.state_given = value, True


def _late_emulator(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        app = _app(ctx)
        app.emulator_file = value
        if not app.state_given:  # the emulator keeps its own state (issue 10, finding 2)
            app.state_path = default_state(value)


def _late_rate_limit(ctx: click.Context, _: click.Parameter, value: float | None) -> None:
    if value is not None:
        _app(ctx).rate_limit = value


def _late_no_color(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        _app(ctx).console = Console(color=False)


def _late_debug(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        _app(ctx).debug = True


class SyncCommand(click.Command):
    """A command that also takes the global options after its name (``plan x.yaml --no-color``).

    After the command, a bare ``--emulator`` always means the default file (a following word is
    a PATH of the command); ``--emulator=FILE`` names another file.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = [
            f"--emulator={DEFAULT_EMULATOR_FILE}" if arg == "--emulator" else arg for arg in args
        ]
        return super().parse_args(ctx, args)


def global_options(command: Decorated) -> Decorated:
    """The root group's options, repeated on a command (applied on top of the root's values)."""
    path = click.Path(dir_okay=False, path_type=Path)
    options = [
        click.option("--api-url", metavar="URL", callback=_late_api_url, help=HELP_API_URL),
        click.option("--state", type=path, callback=_late_state, help=HELP_STATE),
        click.option(
            "--rate-limit",
            type=click.FloatRange(min=0, min_open=True),
            metavar="RPS",
            callback=_late_rate_limit,
            help=HELP_RATE_LIMIT,
        ),
        click.option(
            "--emulator",
            type=path,
            metavar="[=FILE]",
            callback=_late_emulator,
            help=f"{HELP_EMULATOR} After the command, name a FILE as --emulator=FILE.",
        ),
        click.option("--no-color", is_flag=True, callback=_late_no_color, help=HELP_NO_COLOR),
        click.option("--debug", is_flag=True, callback=_late_debug, help=HELP_DEBUG),
    ]
    for option in reversed(options):
        command = option(command)
    for param in command.__click_params__:  # type: ignore[attr-defined]
        if param.name in _LATE_NAMES:
            param.expose_value = False
            param.is_eager = True
    return command


_LATE_NAMES = {"api_url", "state", "rate_limit", "emulator", "no_color", "debug"}


def selection_options(command: Decorated) -> Decorated:
    """What a plan is made of, shared by ``plan`` and ``apply``: --target, --replace, --adopt and
    --exclude (``wiring.plan_options`` turns them into PlanOptions)."""
    options = [
        click.option(
            "--target", "targets", multiple=True, metavar="ADDR", help="Only this address."
        ),
        click.option(
            "--replace",
            "replace",
            multiple=True,
            metavar="ADDR",
            help="Re-create a webhook or an import.",
        ),
        click.option(
            "--adopt",
            "adopt",
            multiple=True,
            metavar="ADDR",
            help="Take over the untagged object the state file remembers for ADDR.",
        ),
        click.option(
            "--exclude",
            "excludes",
            multiple=True,
            metavar="ADDR",
            help="Leave out this address (a glob) and what depends on it (a webset's children).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
