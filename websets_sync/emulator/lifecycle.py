"""Time passing: searches run and add items, generated fields fill in, enrichments complete,
uploaded imports finish.

Evaluated lazily on every request from the emulator's (injectable) clock, so no thread is needed
and a fake clock makes progress exact in tests. Only the objects still changing are visited
(``Store.watch``), so the cost does not grow with everything stored.

The timeline follows the recorded real API (API-NOTES §9 R3, R4, R13): a new search is
``running`` at once with ``timeLeft: null`` and (when none were given) ``criteria: []``; a
webset created without a title has ``title: null``; a new enrichment has ``title`` and
``instructions`` null. After ``generate_seconds`` the generated values appear and the search
reports a ``timeLeft``; it completes after ``search_seconds``.
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
    #: Until then a webset's generated title, a search's generated criteria and an enrichment's
    #: title and instructions are null / [] (the real API takes ~1-3 s).
    generate_seconds: float = 0.5

    @classmethod
    def recorded(cls) -> Timing:
        """The pace of the recorded real API: titles after ~1 s, a one-item search ~18 s,
        enrichments done ~12 s after their webset's searches."""
        return cls(
            search_seconds=18.0, enrichment_seconds=12.0, import_seconds=5.0, generate_seconds=1.0
        )


def advance(store: Store, timing: Timing) -> None:
    now = store.now()
    for search in store.active("search"):
        _progress_search(store, search, now, timing)
    for webset in store.active("webset"):
        if now - float(webset["_t"]) >= timing.generate_seconds:
            webset["title"] = webset.pop("_title", webset.get("title"))
            store.settle("webset", webset)
            store.touch(webset)
    for enrichment in store.active("enrichment"):
        _progress_enrichment(store, enrichment, now, timing)
    for record in store.active("import"):
        uploaded = record.get("_uploadedAt")
        if record["status"] not in ("pending", "processing"):
            store.settle("import", record)
        if uploaded is None or record["status"] != "processing":
            continue
        if now - float(uploaded) >= timing.import_seconds:
            record["status"] = "completed"
            store.settle("import", record)
            store.touch(record)
            store.emit("import.completed", record)


def _progress_enrichment(store: Store, enrichment: JSON, now: float, timing: Timing) -> None:
    elapsed = now - float(enrichment["_t"])
    if elapsed >= timing.generate_seconds and "_title" in enrichment:
        enrichment["title"] = enrichment.pop("_title")
        enrichment["instructions"] = enrichment.pop("_instructions")
        store.touch(enrichment)
    if enrichment["status"] != "pending":
        store.settle("enrichment", enrichment)
        return
    searching = any(
        s["status"] in ACTIVE_SEARCH for s in store.children("search", enrichment["websetId"])
    )
    if elapsed >= timing.enrichment_seconds and not searching and "_title" not in enrichment:
        enrichment["status"] = "completed"
        store.settle("enrichment", enrichment)
        store.touch(enrichment)


def _progress_search(store: Store, search: JSON, now: float, timing: Timing) -> None:
    if search["status"] not in ACTIVE_SEARCH:
        store.settle("search", search)
        return
    duration = max(timing.search_seconds, timing.generate_seconds)
    elapsed = now - float(search["_t"])
    count = min(int(search["count"]), MAX_ITEMS_PER_SEARCH)
    start = timing.generate_seconds
    if elapsed < start:
        return
    if "_recall" in search:
        search["recall"] = search.pop("_recall")
    if "_criteria" in search:
        search["criteria"] = search.pop("_criteria")
        rng = store.rng("criteria", search["id"])
        for criterion in search["criteria"]:
            criterion["successRate"] = generate.success_rate(rng)
    if elapsed < duration:
        status = "running"
        found = math.floor(count * (elapsed - start) / max(duration - start, 1e-9))
    else:
        status, found = "completed", count
    search["status"] = status
    search["progress"] = {
        "found": found,
        "analyzed": found * 3,
        "completion": 100 if status == "completed" else round(100 * found / max(count, 1)),
        "timeLeft": 0 if status == "completed" else max(0, math.ceil(duration - elapsed)),
    }
    _materialize_items(store, search, found)
    store.touch(search)
    if status == "completed":
        store.settle("search", search)
        store.emit("webset.search.completed", search)


def _materialize_items(store: Store, search: JSON, found: int) -> None:
    made = int(search.get("_made", 0))
    entity = search.get("entity")
    excluded = set(search.get("_excluded") or ())
    for index in range(made, found):
        rng = store.rng("item", search["id"], index)
        properties = generate.item_properties(entity, rng, search["query"])
        if properties.get("url") in excluded:
            continue  # the search's exclude leaves it out
        item = {
            "object": "webset_item",
            "source": "search",
            "sourceId": search["id"],
            "websetId": search["websetId"],
            "properties": properties,
            "evaluations": [
                {
                    "criterion": criterion["description"],
                    "reasoning": "Matches the query in the emulator.",
                    "satisfied": "yes",
                    "references": [generate.reference(properties)],
                }
                for criterion in search["criteria"]
            ],
        }
        store.insert("item", item)
    search["_made"] = max(made, found)


def webset_status(store: Store, webset_id: str) -> str:
    if any(s["status"] in ACTIVE_SEARCH for s in store.children("search", webset_id)):
        return "running"
    if any(e["status"] == "pending" for e in store.children("enrichment", webset_id)):
        return "running"
    return "idle"
