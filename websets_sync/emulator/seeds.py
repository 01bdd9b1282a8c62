"""Defaults that make a partial object given to ``Emulator.seed`` a complete stored object."""

from __future__ import annotations

import copy

from websets_sync.emulator.store import JSON

_DEFAULTS: dict[str, JSON] = {
    "webset": {
        "object": "webset",
        "externalId": None,
        "title": None,
        "excludes": [],
        "metadata": {},
    },
    "search": {
        "object": "webset_search",
        "status": "completed",
        "query": "seeded search",
        "entity": {"type": "company"},
        "criteria": [],
        "count": 10,
        "behavior": "override",
        "exclude": [],
        "scope": [],
        "progress": {"found": 0, "analyzed": 0, "completion": 100, "timeLeft": 0},
        "recall": None,
        "maxPeoplePerCompany": None,
        "metadata": {},
        "canceledAt": None,
        "canceledReason": None,
    },
    "enrichment": {
        "object": "webset_enrichment",
        "status": "completed",
        "title": None,
        "format": "text",
        "options": None,
        "instructions": None,
        "metadata": {},
    },
    "monitor": {"object": "monitor", "status": "enabled", "lastRun": None, "metadata": {}},
    "webhook": {"object": "webhook", "status": "active", "metadata": {}},
    "import": {
        "object": "import",
        "status": "completed",
        "format": "csv",
        "entity": None,
        "title": "Seeded import",
        "count": 0,
        "metadata": {},
        "failedReason": None,
        "failedAt": None,
        "failedMessage": None,
    },
    "item": {"object": "webset_item", "source": "search", "evaluations": []},
    "event": {"object": "event"},
}


def complete(kind: str, data: JSON) -> JSON:
    return copy.deepcopy(_DEFAULTS.get(kind, {})) | copy.deepcopy(data)
