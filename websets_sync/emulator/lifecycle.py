"""Time passing: searches run and add items, enrichments complete, uploaded imports finish.

Evaluated lazily on every request from the emulator's (injectable) clock, so no thread is needed
and a fake clock makes progress exact in tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from websets_sync.emulator import generate
from websets_sync.emulator.store import JSON, Store

ACTIVE_SEARCH = ("created", "running")
#: Beyond this many items a search stops materializing them (memory guard, not an API rule).
MAX_ITEMS_PER_SEARCH = 1000


@dataclass
class Timing:
    """How long jobs take, in clock seconds."""

    search_seconds: float = 2.0
    enrichment_seconds: float = 1.0
    import_seconds: float = 0.5


def advance(store: Store, timing: Timing) -> None:
    now = store.now()
    for search in store.all("search"):
        if search["status"] in ACTIVE_SEARCH:
            _progress_search(store, search, now, timing.search_seconds)
    searching = {s["websetId"] for s in store.all("search") if s["status"] in ACTIVE_SEARCH}
    for enrichment in store.all("enrichment"):
        ready = now - float(enrichment["_t"]) >= timing.enrichment_seconds
        if enrichment["status"] == "pending" and ready and enrichment["websetId"] not in searching:
            enrichment["status"] = "completed"
            store.touch(enrichment)
    for record in store.all("import"):
        uploaded = record.get("_uploadedAt")
        if uploaded is None or record["status"] != "processing":
            continue
        if now - float(uploaded) >= timing.import_seconds:
            record["status"] = "completed"
            store.touch(record)
            store.emit("import.completed", record)


def _progress_search(store: Store, search: JSON, now: float, duration: float) -> None:
    elapsed = now - float(search["_t"])
    count = min(int(search["count"]), MAX_ITEMS_PER_SEARCH)
    start = 0.1 * duration
    if elapsed < start:
        status, found = "created", 0
    elif elapsed < duration:
        status = "running"
        found = math.floor(count * (elapsed - start) / (duration - start))
    else:
        status, found = "completed", count
    if status == search["status"] and found == search["progress"]["found"]:
        return
    search["status"] = status
    search["progress"] = {
        "found": found,
        "analyzed": found * 3,
        "completion": 100 if status == "completed" else round(100 * found / max(count, 1)),
        "timeLeft": 0 if status == "completed" else max(0, math.ceil(duration - elapsed)),
    }
    if status != "created":
        rng = store.rng("criteria", search["id"])
        for criterion in search["criteria"]:
            criterion["successRate"] = generate.success_rate(rng)
    _materialize_items(store, search, found)
    store.touch(search)
    if status == "completed":
        store.emit("webset.search.completed", search)


def _materialize_items(store: Store, search: JSON, found: int) -> None:
    made = int(search.get("_made", 0))
    entity = search.get("entity")
    for index in range(made, found):
        rng = store.rng("item", search["id"], index)
        item = {
            "object": "webset_item",
            "source": "search",
            "sourceId": search["id"],
            "websetId": search["websetId"],
            "properties": generate.item_properties(entity, rng, search["query"]),
            "evaluations": [
                {
                    "criterion": criterion["description"],
                    "reasoning": "Matches the query in the emulator.",
                    "satisfied": "yes",
                    "references": [],
                }
                for criterion in search["criteria"]
            ],
        }
        store.insert("item", item)
    search["_made"] = max(made, found)


def webset_children(store: Store) -> dict[str, dict[str, list[JSON]]]:
    """Searches, enrichments, monitors and items grouped by websetId (one pass per kind)."""
    grouped: dict[str, dict[str, list[JSON]]] = {}
    for kind in ("search", "enrichment", "monitor", "item"):
        for obj in store.all(kind):
            grouped.setdefault(obj["websetId"], {}).setdefault(kind, []).append(obj)
    return grouped


def webset_status(children: dict[str, list[JSON]]) -> str:
    if any(s["status"] in ACTIVE_SEARCH for s in children.get("search", [])):
        return "running"
    if any(e["status"] == "pending" for e in children.get("enrichment", [])):
        return "running"
    return "idle"
