"""Events that follow from time passing, found by looking at what the last tick changed.

Creates, updates and deletes emit their events where they happen (the route handlers). What
happens *between* requests (items found, searches progressing, enrichments finishing, a webset
falling idle, the credit balance running out) is announced here after each tick, by comparing
with what was seen before: only the jobs that were still running when the tick began
(``Store.active``) and the objects made since are looked at, so the work grows with what changed,
not with what is stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from websets_sync.emulator import views
from websets_sync.emulator.lifecycle import ACTIVE_SEARCH
from websets_sync.emulator.routes_jobs import cancel_search
from websets_sync.emulator.store import JSON, Store

OUT_OF_CREDITS = "out_of_credits"
#: The error the API answers when the balance is spent (observed; API-NOTES §1).
NO_CREDITS_MESSAGE = "You have exceeded your credits limit"
NO_CREDITS_TAG = "NO_MORE_CREDITS"


@dataclass
class Watch:
    """What the last tick saw, and the credit balance (None: unlimited)."""

    item_mark: int
    credits: float | None = None
    busy: set[str] = field(default_factory=set)
    tick_start: int = 0  # store.counter when the current tick began

    @property
    def out_of_credits(self) -> bool:
        return self.credits is not None and self.credits <= 0


def running(store: Store) -> list[JSON]:
    """Before time moves: the searches and enrichments it can change."""
    return [*store.active("search"), *store.active("enrichment")]


def announce(store: Store, watch: Watch, before: list[JSON]) -> None:
    """``before``: what ``running`` answered when the tick began (some of it has ended now)."""
    fresh = _new_items(store, watch)
    if watch.credits is not None and fresh:
        fresh = _charge(store, watch, fresh)
    _items_created(store, fresh)
    searches = [obj for obj in before if obj.get("object") == "webset_search"]
    enrichments = [obj for obj in before if obj.get("object") == "webset_enrichment"]
    _searches_updated(store, searches)
    _enrichments_finished(store, enrichments)
    _websets_idle(store, watch, before)


def skip_seen(store: Store, watch: Watch, obj: JSON) -> None:
    """An object inserted outside a tick (``Emulator.seed``) was made elsewhere: no events."""
    watch.item_mark = store.counter
    if "status" in obj and obj.get("object") == "webset_enrichment":
        obj["_seenStatus"] = obj["status"]
    if obj.get("object") == "webset_search":
        obj["_seen"] = [obj["status"], obj["progress"]["found"]]


def _new_items(store: Store, watch: Watch) -> list[JSON]:
    fresh = []
    for item in reversed(store.objects["item"].values()):
        if int(item["_seq"]) <= watch.item_mark:
            break
        fresh.append(item)
    watch.item_mark = store.counter
    fresh.reverse()
    return fresh


def _charge(store: Store, watch: Watch, fresh: list[JSON]) -> list[JSON]:
    """One credit per item found; items beyond the balance are not found, searches stop."""
    assert watch.credits is not None
    affordable = max(0, math.floor(watch.credits))
    kept, dropped = fresh[:affordable], fresh[affordable:]
    watch.credits -= len(kept)
    for item in dropped:
        store.remove("item", item["id"])
    for search_id in sorted({str(item["sourceId"]) for item in dropped}):
        search = store.find("search", search_id)
        if search is not None and search["status"] == "completed":
            # It finished within this tick only by finding items it could not pay for.
            _unemit(store, watch, "webset.search.completed", search_id)
            search["status"] = "running"
            store.watch("search", search)
    if watch.out_of_credits:
        exhaust(store, watch)
    return kept


def _unemit(store: Store, watch: Watch, event_type: str, data_id: str) -> None:
    events = store.objects["event"]
    for event in reversed(list(events.values())):
        if int(event["_seq"]) <= watch.tick_start:
            break
        if event["type"] == event_type and event["data"].get("id") == data_id:
            store.remove("event", event["id"])


def exhaust(store: Store, watch: Watch) -> None:
    """The balance is spent: every running search is canceled, its webset paused."""
    watch.credits = 0
    paused = []
    for search in store.active("search"):
        if search["status"] not in ACTIVE_SEARCH:
            continue
        items = store.children("item", search["websetId"])
        found = sum(1 for i in items if i.get("sourceId") == search["id"])
        search["progress"]["found"] = found
        search["_made"] = found
        cancel_search(store, search, OUT_OF_CREDITS)
        if search["websetId"] not in paused:
            paused.append(search["websetId"])
    for webset_id in paused:
        webset = store.find("webset", webset_id)
        if webset is not None:
            store.emit("webset.paused", views.webset(store, webset))
            watch.busy.discard(webset_id)


def _items_created(store: Store, fresh: list[JSON]) -> None:
    enrichments: dict[str, list[JSON]] = {}
    for item in fresh:
        webset_id = item["websetId"]
        if webset_id not in enrichments:
            enrichments[webset_id] = store.children("enrichment", webset_id)
        store.emit("webset.item.created", views.item(store, item, enrichments[webset_id]))


def _searches_updated(store: Store, searches: list[JSON]) -> None:
    """Progress of a running search (the created/completed/canceled events come from elsewhere)."""
    for search in searches:
        seen = [search["status"], search["progress"]["found"]]
        before = search.get("_seen") or [None, 0]  # a new search has found nothing
        if before == seen:
            continue
        moved = seen[1] != before[1] or before[0] not in (None, seen[0])
        if search["status"] == "running" and moved:
            store.emit("webset.search.updated", search)
        search["_seen"] = seen


def _enrichments_finished(store: Store, enrichments: list[JSON]) -> None:
    """An enrichment that completed has enriched every item of its webset."""
    for enrichment in enrichments:
        if enrichment.get("_seenStatus") == enrichment["status"]:
            continue
        enrichment["_seenStatus"] = enrichment["status"]
        if enrichment["status"] != "completed":
            continue
        if store.find("enrichment", enrichment["id"]) is None:
            continue  # deleted meanwhile
        siblings = store.children("enrichment", enrichment["websetId"])
        for item in store.children("item", enrichment["websetId"]):
            store.emit("webset.item.enriched", views.item(store, item, siblings))


def _websets_idle(store: Store, watch: Watch, before: list[JSON]) -> None:
    """Websets busy at the start of the tick (or since) with nothing running any more."""
    watch.busy |= {obj["websetId"] for obj in before}
    busy = {obj["websetId"] for obj in running(store)}
    for webset_id in sorted(watch.busy - busy):
        webset = store.find("webset", webset_id)
        if webset is not None:
            store.emit("webset.idle", views.webset(store, webset))
    watch.busy = busy


def export(store: Store, webset: JSON) -> JSON:
    """A dashboard export (the API has no export endpoint; only its two events exist)."""
    store.counter += 1
    now = store.now_iso()
    record: JSON = {
        "id": f"export_{store.counter:08d}{webset['id'][-8:]}",
        "object": "webset_export",
        "websetId": webset["id"],
        "format": "csv",
        "status": "pending",
        "createdAt": now,
        "updatedAt": now,
    }
    store.emit("webset.export.created", record)
    record = {**record, "status": "completed"}
    store.emit("webset.export.completed", record)
    return record
