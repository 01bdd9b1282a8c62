"""``emulator serve``: the built-in Websets API over HTTP, with fault injection."""

from __future__ import annotations

from pathlib import Path

import click

from websets_sync.cli.options import SyncCommand, global_options
from websets_sync.cli.process import steady_collector_for_serving
from websets_sync.cli.root import EXIT_OK, App
from websets_sync.errors import WebsetsSyncError


@click.group("emulator")
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


@emulator_group.command("serve", cls=SyncCommand)
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
@click.option(
    "--credits",
    type=click.FloatRange(min=0),
    metavar="N",
    help="A credit balance, one per item found; when spent: 402 and searches canceled.",
)
@click.option(
    "--deliver-to",
    type=click.Choice(["loopback", "any"]),
    default="loopback",
    show_default=True,
    help="Which webhook URLs get real deliveries (loopback: 127.0.0.0/8, ::1, localhost).",
)
@global_options
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
    credits: float | None,
    deliver_to: str,
) -> int:
    """Serve the emulator over HTTP until Ctrl-C (prints the API URL first).

    Test harness (no API key): /__emulator/requests, /__emulator/reset, /__emulator/clock,
    /__emulator/deliveries.
    """
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
        api_key=api_key,
        faults=faults,
        data_file=data_file or app.emulator_file,
        seed=seed,
        credits=credits,
        deliver_to=deliver_to,
    )
    try:
        server, base_url = serve(emulator, host=host, port=port)
    except OSError as exc:
        raise WebsetsSyncError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    steady_collector_for_serving()
    app.console.print(
        f"Websets API emulator on {base_url}/websets/v0 "
        f"(exa-py base_url {base_url}); Ctrl-C to stop"
    )
    try:
        while True:
            # Time passes without requests too: monitors fall due, webhook retries go out.
            time.sleep(1)
            emulator.tick()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return EXIT_OK
