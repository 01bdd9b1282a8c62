"""``state list|show`` and ``secrets get``: read the local state file (``state mv|rm``, which
edit it, are in state_edit.py)."""

from __future__ import annotations

import click

from websets_sync.cli import wiring
from websets_sync.cli.options import SyncCommand, global_options
from websets_sync.cli.root import EXIT_OK, App
from websets_sync.cli.state_edit import state_mv, state_rm
from websets_sync.errors import StateError
from websets_sync.render.state import render_state_entry, render_state_list
from websets_sync.state.store import ResourceState, load_state


@click.group("state")
def state_group() -> None:
    """Inspect the local state file (ids, which secrets are known) or edit it (mv, rm)."""


state_group.add_command(state_mv)
state_group.add_command(state_rm)


@state_group.command("list", cls=SyncCommand)
@global_options
@click.pass_obj
def state_list(app: App) -> int:
    """Every address in the state file, its id, and whether a secret is known."""
    if not app.state_path.exists():
        raise StateError(
            f"no state file at {app.state_path}",
            detail="apply writes it; pass --state PATH if yours is elsewhere.",
        )
    state = load_state(app.state_path)
    app.console.print(render_state_list(state, app.state_path, app.console))
    return EXIT_OK


@state_group.command("show", cls=SyncCommand)
@click.argument("address")
@global_options
@click.pass_obj
def state_show(app: App, address: str) -> int:
    """One address in the state file (secrets masked)."""
    key, entry = _state_entry(app, address)
    app.console.print(render_state_entry(key, entry, app.console))
    return EXIT_OK


@click.group("secrets")
def secrets_group() -> None:
    """Read webhook secrets from the state file."""


@secrets_group.command("get", cls=SyncCommand)
@click.argument("address")
@global_options
@click.pass_obj
def secrets_get(app: App, address: str) -> int:
    """Print exactly the signing secret of webhook ADDR (for a secret store)."""
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
    key = str(wiring.addresses((address,), "ADDRESS")[0])
    entry = load_state(app.state_path).get(key)
    if entry is None:
        raise StateError(f"{key} is not in the state file {app.state_path}")
    return key, entry
