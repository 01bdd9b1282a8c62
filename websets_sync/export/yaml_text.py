"""YAML text of an export: one manifest for stdout, or one file per webset plus webhooks.yaml.

Block style, keys in the manifest's own order, list items indented under their key, and a header
with the ``$schema`` line editors use for validation and hover help.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from websets_sync.export.fields import Document, put
from websets_sync.manifest.schema import SCHEMA_FILE

if TYPE_CHECKING:
    from websets_sync.export.result import ExportResult

MANIFEST_VERSION = 1
WEBHOOKS_FILE = "webhooks.yaml"
IMPORTS_FILE = "imports.yaml"
EMPTY_FILE = "websets.yaml"


def schema_reference(folder: Path) -> str | None:
    """The ``$schema`` reference for manifests written into ``folder``: a relative path to the
    nearest ``schemas/manifest.schema.json`` above it (a clone, or the user's own repository).

    None when there is none: a path into the installed package (a virtualenv) would break on
    every other checkout, so no reference is written rather than a wrong one.
    """
    folder = folder.resolve()
    for parent in (folder, *folder.parents):
        candidate = parent / "schemas" / SCHEMA_FILE
        if candidate.is_file():
            return Path(os.path.relpath(candidate, folder)).as_posix()
    return None


def render_document(result: ExportResult, schema_ref: str | None) -> str:
    """The whole export as one manifest (what ``export`` prints without ``--out``)."""
    document = _manifest(result.project)
    put(document, "imports", list(result.imports))
    put(document, "websets", list(result.websets))
    put(document, "webhooks", list(result.webhooks))
    pinned = any("id" in webset for webset in result.websets)
    return _header(schema_ref, pinned=pinned, webhooks=bool(result.webhooks)) + dump(document)


def render_files(result: ExportResult, schema_ref: str | None) -> dict[str, str]:
    """One file per webset (``<externalId>.yaml``) and ``webhooks.yaml``, by file name."""
    files: dict[str, str] = {}
    taken: set[str] = set()
    for webset in result.websets:
        document = {**_manifest(result.project), "websets": [webset]}
        name = _file_name(str(webset["externalId"]), taken)
        files[name] = _header(schema_ref, pinned="id" in webset, webhooks=False) + dump(document)
    if result.imports:
        document = {**_manifest(result.project), "imports": list(result.imports)}
        files[IMPORTS_FILE] = _header(schema_ref, pinned=False, webhooks=False) + dump(document)
    if result.webhooks:
        document = {**_manifest(result.project), "webhooks": list(result.webhooks)}
        files[WEBHOOKS_FILE] = _header(schema_ref, pinned=False, webhooks=True) + dump(document)
    if not files:
        # Nothing live yet: still a valid manifest set for the project, to start from.
        header = _header(schema_ref, pinned=False, webhooks=False)
        files[EMPTY_FILE] = header + dump(_manifest(result.project))
    return files


def _manifest(project: str) -> Document:
    return {"version": MANIFEST_VERSION, "project": project}


def _file_name(external_id: str, taken: set[str]) -> str:
    # Lower-case comparison: two externalIds differing only in case clash on macOS and Windows.
    stem = external_id.replace(":", "_")
    name, n = f"{stem}.yaml", 1
    while name.lower() in taken or name.lower() == WEBHOOKS_FILE:
        n += 1
        name = f"{stem}-{n}.yaml"
    taken.add(name.lower())
    return name


def _header(schema_ref: str | None, *, pinned: bool, webhooks: bool) -> str:
    lines = [f"# yaml-language-server: $schema={schema_ref}"] if schema_ref else []
    lines.append("# Exported from live state by `websets-sync export`; review before committing.")
    if pinned:
        lines.append(
            "# `id` pins a webset made without an externalId: the API cannot add one later, so"
        )
        lines.append("# here `externalId` only names it in the manifests (webset/<externalId>).")
    if webhooks:
        lines.append("# Webhook secrets are never exported: the state file keeps them.")
    return "\n".join(lines) + "\n"


class _BlockDumper(yaml.SafeDumper):
    """Block style with list items indented under their key (the common style in the wild)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(document: Mapping[str, Any]) -> str:
    """Block YAML in the given key order."""
    return yaml.dump(
        dict(document),
        Dumper=_BlockDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
