"""Request bodies of an import (DESIGN §10): its create and its PATCH, with the reserved tags.

The file's SHA-256 rides in a reserved tag: how a changed file is seen without downloading it.
"""

from __future__ import annotations

from typing import Any

from websets_sync.errors import ApplyError
from websets_sync.model import (
    TAG_EXTERNAL_ID,
    TAG_FILE_SHA256,
    TAG_PROJECT,
    DesiredResource,
    LiveObject,
)

JSON = dict[str, Any]


def import_create_body(declared: DesiredResource, project: str) -> JSON:
    """POST /imports: the declared fields, the file's row count and size, and the tags."""
    if declared.upload is None:
        raise ApplyError("the plan carries no CSV file for this import")
    body: JSON = {"format": "csv", **{k: v for k, v in declared.spec.items() if k != "metadata"}}
    body.update(count=declared.upload.count, size=declared.upload.size)
    body["metadata"] = _metadata(declared, project, None)
    return body


def import_update_body(declared: DesiredResource, project: str, live: LiveObject | None) -> JSON:
    """PATCH /imports/{id}: title when declared, and the full metadata map (the API replaces
    it). An import pinned by id, without its file, keeps the live file tag."""
    body: JSON = {"title": declared.spec["title"]} if "title" in declared.spec else {}
    body["metadata"] = _metadata(declared, project, live)
    return body


def _metadata(declared: DesiredResource, project: str, live: LiveObject | None) -> dict[str, str]:
    user = declared.spec.get("metadata")
    metadata = dict(user) if isinstance(user, dict) else {}
    metadata.update({TAG_PROJECT: project, TAG_EXTERNAL_ID: declared.address.name})
    sha = declared.upload.sha256 if declared.upload is not None else None
    if sha is None and live is not None:
        sha = live.metadata.get(TAG_FILE_SHA256)
    if sha:
        metadata[TAG_FILE_SHA256] = sha
    return metadata
