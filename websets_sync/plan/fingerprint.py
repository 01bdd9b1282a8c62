"""Fingerprints that let ``apply --plan FILE`` refuse a plan made against another world.

A live object's fingerprint hashes its comparable view (kinds.py, reserved tags kept), never
progress, status or timestamps: a search that keeps finding items does not make a plan stale,
while a title edited in the dashboard, or a tag changed, does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from websets_sync.model import DesiredState, LiveObject, LiveState
from websets_sync.model.kinds import normalize


def fingerprint_live(live: LiveState) -> dict[str, str]:
    """{live id: sha256 of the object's comparable view} for every object read."""
    return {obj.id: _object_fingerprint(obj) for obj in _objects(live)}


def manifest_fingerprint(desired: DesiredState) -> str:
    """sha256 over the manifest files read (path and content hash of each, in order)."""
    files = [[s.path, s.sha256] for s in desired.sources]
    # A CSV file is part of what was planned: a changed one makes a saved plan stale too.
    files += [[i.upload.path, i.upload.sha256] for i in desired.imports if i.upload is not None]
    text = json.dumps(files)
    return hashlib.sha256(text.encode()).hexdigest()


def stale_objects(saved: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """What changed since a plan was saved, one line per object (empty when nothing did)."""
    lines = []
    for object_id in sorted(saved):
        if object_id not in current:
            lines.append(f"{object_id} no longer exists")
        elif current[object_id] != saved[object_id]:
            lines.append(f"{object_id} was changed")
    lines.extend(f"{object_id} is new" for object_id in sorted(set(current) - set(saved)))
    return lines


def _objects(live: LiveState) -> Iterator[LiveObject]:
    for webset in live.websets:
        yield webset.webset
        yield from webset.searches
        yield from webset.enrichments
        yield from webset.monitors
    yield from live.webhooks
    yield from live.imports


def _object_fingerprint(obj: LiveObject) -> str:
    view: dict[str, Any] = {
        "kind": obj.kind.value,
        "externalId": obj.data.get("externalId"),
        "view": normalize(obj.kind, obj.data, live=True, keep_reserved=True),
    }
    text = json.dumps(view, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
