"""What every command shares: the API client for this run, manifests with their warnings shown,
address flags, and whether a person can answer a prompt."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import click
import httpx

from websets_sync import __version__, workflows
from websets_sync.cli.root import App
from websets_sync.client.endpoints import DEFAULT_API_URL, RequestRecord, WebsetsClient
from websets_sync.model import Address, DesiredState
from websets_sync.plan.types import PlanOptions
from websets_sync.render.console import Console
from websets_sync.render.problems import render_problems

EMULATOR_API_URL = "http://emulator.local/websets/v0"
#: Seconds of the first retry's backoff and the cap (tests set both to 0: no real sleeping).
RETRY_BACKOFF: tuple[float, float] = (0.5, 20.0)


def make_client(app: App, *, transport: httpx.BaseTransport | None = None) -> WebsetsClient:
    """The API client for this run: the in-process emulator with --emulator, else the real API.

    ``transport`` replaces the network (tests). The API key goes into request headers only;
    --debug logs method, path, status and duration of each attempt, never headers.
    """
    if app.emulator_file is not None and app.api_url_given:
        raise click.UsageError(
            "--api-url and --emulator cannot be used together: the emulator has its own URL"
        )
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
    base, cap = RETRY_BACKOFF
    return WebsetsClient(
        http,
        api_key=api_key,
        api_url=api_url,
        rate_limit=app.rate_limit,
        on_request=on_request,
        backoff_base=base,
        backoff_cap=cap,
    )


def _request_logger(console: Console) -> Callable[[RequestRecord], None]:
    def log(record: RequestRecord) -> None:
        outcome = record.status if record.status is not None else record.error
        retry = f" (attempt {record.attempt})" if record.attempt > 1 else ""
        millis = f"{record.duration * 1000:.0f} ms"
        console.print_err(f"debug: {record.method} {record.path} -> {outcome} {millis}{retry}")

    return log


def load_manifests(app: App, paths: Sequence[Path]) -> DesiredState:
    """The desired state of PATHS (interpolated from the environment); warnings are shown."""
    desired, warnings = workflows.load_manifests(paths, os.environ)
    render_problems(warnings, app.console)
    return desired


def addresses(texts: Sequence[str], option: str) -> tuple[Address, ...]:
    try:
        return tuple(Address.parse(text) for text in texts)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


def plan_options(
    allow_delete: bool,
    targets: Sequence[str],
    replace: Sequence[str],
    adopt: Sequence[str],
    excludes: Sequence[str],
) -> PlanOptions:
    """The options of ``plan`` and ``apply`` as the planner takes them (addresses checked)."""
    return PlanOptions(
        allow_delete=allow_delete,
        targets=addresses(targets, "--target"),
        replace=addresses(replace, "--replace"),
        adopt=addresses(adopt, "--adopt"),
        excludes=tuple(excludes),
    )


def is_terminal() -> bool:
    """Whether a person can answer a prompt (tests replace this)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


F = TypeVar("F", bound=Callable[..., object])


def cost_options(command: F) -> F:
    """``--pricing FILE`` and ``--max-usd N``, shared by plan and apply (DESIGN §12)."""
    command = click.option(
        "--max-usd",
        type=click.FloatRange(min=0),
        metavar="N",
        help="Refuse (exit 3) when what the plan starts now may cost more than N USD.",
    )(command)
    return click.option(
        "--pricing",
        "pricing_file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Estimate with your own prices (schemas/pricing.schema.json); default: built-in.",
    )(command)
