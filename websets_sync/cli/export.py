"""``export``: live state → manifests, printed or written into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from websets_sync import workflows
from websets_sync.cli import wiring
from websets_sync.cli.options import SyncCommand, global_options
from websets_sync.cli.root import EXIT_OK, App
from websets_sync.export import render_document, render_files, schema_reference
from websets_sync.manifest.schema import SCHEMA_FILE
from websets_sync.model import EXTERNAL_ID_PATTERN


@click.command("export", cls=SyncCommand)
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
@global_options
@click.pass_obj
def export_command(
    app: App, websets: tuple[str, ...], out_dir: Path | None, project: str | None, force: bool
) -> int:
    """Write manifests from live state: bring existing websets under management.

    Websets made in the dashboard have no externalId; they are pinned by their id (`id:`).
    Webhook secrets are never exported.
    """
    if project is not None and not EXTERNAL_ID_PATTERN.match(project):
        raise click.BadParameter("must match ^[A-Za-z0-9][A-Za-z0-9._:-]*$", param_hint="--project")
    with wiring.make_client(app) as client:
        result = workflows.export_live(client, websets, project, app.state_path)
    for note in result.notes:
        app.console.print_err(f"note: {note}")
    folder = Path.cwd() if out_dir is None else out_dir
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    schema_ref = schema_reference(folder)
    if schema_ref is None:
        app.console.print_err(
            f"note: no schemas/{SCHEMA_FILE} above {folder}: the files carry no $schema line "
            "(copy the schema from websets-sync's repository into schemas/ for editor checks)"
        )
    if out_dir is None:
        app.console.print(render_document(result, schema_ref).rstrip("\n"))
        return EXIT_OK
    files = render_files(result, schema_ref)
    workflows.write_files(files, out_dir, force=force)
    noun = "file" if len(files) == 1 else "files"
    app.console.print(f"Wrote {len(files)} {noun} to {out_dir}")
    return EXIT_OK
