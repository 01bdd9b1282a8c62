"""Imports and references in an export (DESIGN §10).

An import's CSV cannot be downloaded from the API, so an import of the project is written as an
entry *pinned by id* (no ``file:``), with a note saying how to manage its file again. References
name their target by externalId wherever the target is known (an exported import, a webset with
an externalId), and by raw API id otherwise, so that an export plans with no changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from websets_sync.export.fields import Document, escape, is_usable_id, put, user_metadata
from websets_sync.model import LiveObject, LiveState

PINNED_NOTE = (
    "import/{name} is pinned by id {id}: the API cannot give its CSV back; to manage the file, "
    "put the CSV in the repository and write `file: <path>` instead of `id:` (a new import is "
    "then uploaded and this one replaced)"
)
REFERENCE_FIELDS = ("import", "exclude", "scope")


def import_documents(
    live: LiveState, project: str, notes: list[str]
) -> tuple[list[Document], dict[tuple[str, str], str]]:
    """(entries of the project's imports, (source, live id) → externalId of every known target)."""
    names: dict[tuple[str, str], str] = {}
    documents: list[Document] = []
    for obj in reversed(live.imports):  # newest first: of duplicate tags the newest wins
        name = obj.tagged_external_id
        if obj.project != project or name is None or not is_usable_id(name):
            continue
        if name in {d["externalId"] for d in documents}:
            continue
        names[("import", obj.id)] = name
        documents.append(_import_document(obj, name))
        notes.append(PINNED_NOTE.format(name=name, id=obj.id))
    documents.reverse()
    for webset in live.websets:
        if webset.external_id is not None and is_usable_id(webset.external_id):
            names[("webset", webset.id)] = webset.external_id
    return documents, names


def _import_document(obj: LiveObject, name: str) -> Document:
    document: Document = {"externalId": name, "id": obj.id}
    put(document, "entity", obj.data.get("entity") or None)
    put(document, "title", obj.data.get("title") or None)
    put(document, "metadata", user_metadata(obj.data.get("metadata")))
    return dict(escape(document))


def webset_sources(data: Mapping[str, Any]) -> tuple[list[Document] | None, list[Document] | None]:
    """A live webset's ``import`` and ``exclude`` as ``{source, id}`` lists (None when empty)."""
    imports = [
        {"source": "import", "id": obj["id"]}
        for obj in data.get("imports") or []
        if isinstance(obj, Mapping) and "id" in obj
    ]
    excludes = [
        {"source": ref.get("source"), "id": ref.get("id")}
        for ref in data.get("excludes") or []
        if isinstance(ref, Mapping) and "id" in ref
    ]
    return imports or None, excludes or None


def name_references(websets: Sequence[Document], names: Mapping[tuple[str, str], str]) -> None:
    """Rewrite every ``{source, id}`` of known target to ``{source, externalId}``, in place."""
    for webset in websets:
        owners = [webset, *(webset.get("searches") or [])]
        for owner in owners:
            for field in REFERENCE_FIELDS:
                refs = owner.get(field)
                if isinstance(refs, list):
                    owner[field] = [_named(ref, names) for ref in refs]


def _named(ref: Any, names: Mapping[tuple[str, str], str]) -> Any:
    if not isinstance(ref, dict) or "id" not in ref:
        return ref
    name = names.get((str(ref.get("source")), str(ref["id"])))
    if name is None:
        return ref
    rest = {k: v for k, v in ref.items() if k not in ("source", "id")}
    return {"source": ref["source"], "externalId": name, **rest}
