"""``state mv FROM TO`` and ``state rm ADDR``: state surgery, as in Terraform (DESIGN §6, §11).

Both hold the state lock while they edit and keep the previous file as ``<file>.backup``. They
change only the local file: the live objects keep their tags (a ``moved`` block re-tags them).
"""

from __future__ import annotations

import click

from websets_sync.cli import wiring
from websets_sync.cli.options import SyncCommand, global_options
from websets_sync.cli.root import EXIT_OK, App
from websets_sync.model import Kind
from websets_sync.state.store import BACKUP_SUFFIX
from websets_sync.state.surgery import move_entry, remove_entry


@click.command("mv", cls=SyncCommand)
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@global_options
@click.pass_obj
def state_mv(app: App, source: str, target: str) -> int:
    """Move the state entry FROM to TO (a webset's children with it); TO must not exist."""
    old, new = wiring.addresses((source, target), "FROM/TO")
    if old.kind is not new.kind:
        raise click.BadParameter(
            f"{old} and {new} are of different kinds ({old.kind.value}, {new.kind.value})",
            param_hint="FROM/TO",
        )
    if old.kind.is_child and old.webset != new.webset:
        raise click.BadParameter(
            f"{new} is in another webset than {old}: the API cannot move a child between websets",
            param_hint="FROM/TO",
        )
    moved = move_entry(app.state_path, str(old), str(new), children=old.kind is Kind.WEBSET)
    for key in moved:
        app.console.print(f"Moved {key} to {new}{key[len(str(old)) :]}")
    app.console.print(f"Previous state kept in {app.state_path}{BACKUP_SUFFIX}.")
    return EXIT_OK


@click.command("rm", cls=SyncCommand)
@click.argument("address", metavar="ADDR")
@global_options
@click.pass_obj
def state_rm(app: App, address: str) -> int:
    """Forget ADDR in the state file (a webset's children with it); the live object stays."""
    (forgotten,) = wiring.addresses((address,), "ADDR")
    removed = remove_entry(app.state_path, str(forgotten), children=forgotten.kind is Kind.WEBSET)
    for key in removed:
        app.console.print(f"Removed {key}")
    app.console.print(f"Previous state kept in {app.state_path}{BACKUP_SUFFIX}.")
    return EXIT_OK
