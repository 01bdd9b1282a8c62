"""``force-unlock [--project P]``: release a project lease left by an apply that is gone (§9)."""

from __future__ import annotations

import click

from websets_sync.cli import wiring
from websets_sync.cli.root import EXIT_OK, App
from websets_sync.errors import StateError
from websets_sync.model import EXTERNAL_ID_PATTERN
from websets_sync.state.lease import force_unlock
from websets_sync.state.store import load_state


@click.command("force-unlock")
@click.option(
    "--project",
    metavar="NAME",
    help="The project whose lease to release (default: the state file's project).",
)
@click.pass_obj
def force_unlock_command(app: App, project: str | None) -> int:
    """Delete the project's lease in the live account.

    Only when the apply holding it is surely gone: while it runs, it renews the lease.
    """
    if project is None:
        project = load_state(app.state_path).project if app.state_path.exists() else None
    if project is None:
        raise StateError(
            "which project? pass --project NAME",
            detail=f"There is no state file at {app.state_path} to take it from.",
        )
    if not EXTERNAL_ID_PATTERN.match(project):
        raise click.BadParameter("must match ^[A-Za-z0-9][A-Za-z0-9._:-]*$", param_hint="--project")
    with wiring.make_client(app) as client:
        holder = force_unlock(client, project)
    if holder is None:
        app.console.print(f"Project {project!r} has no lease: nothing to release.")
    else:
        app.console.print(f"Released the lease of project {project!r} held by {holder.describe()}.")
    return EXIT_OK
