"""Searches and enrichments: the jobs that run inside a webset."""

from __future__ import annotations

import math

from websets_sync.emulator import generate, validate
from websets_sync.emulator.failures import bad_request
from websets_sync.emulator.router import ROUTES, Ctx, Reply, find_child, find_webset
from websets_sync.emulator.store import JSON, Store, public

_ENRICHMENT_CONTENT = ("description", "format", "options")


def _number(value: float) -> float | int:
    return int(value) if value == int(value) else value


def create_search(store: Store, webset: JSON, fields: JSON, search_seconds: float) -> JSON:
    """Start a search; an ``override`` search discards the items earlier searches found."""
    query = fields["query"]
    behavior = fields.get("behavior", "override")
    if behavior == "override":
        for item in store.all("item"):
            if item["websetId"] == webset["id"]:
                store.remove("item", item["id"])
    recall = None
    if fields.get("recall"):
        total = int(fields.get("count", 10)) * 5
        recall = {
            "expected": {
                "total": total,
                "confidence": "medium",
                "bounds": {"min": total // 2, "max": total * 2},
            },
            "reasoning": "Estimated by the emulator.",
        }
    search = {
        "object": "webset_search",
        "status": "created",
        "websetId": webset["id"],
        "query": query,
        "entity": fields.get("entity") or generate.entity_for(query),
        "criteria": [
            {"description": criterion["description"], "successRate": 0}
            for criterion in fields.get("criteria") or generate.criteria_for(query)
        ],
        "count": _number(fields.get("count", 10)),
        "behavior": behavior,
        "exclude": fields.get("exclude", []),
        "scope": fields.get("scope", []),
        "progress": {
            "found": 0,
            "analyzed": 0,
            "completion": 0,
            "timeLeft": math.ceil(search_seconds),
        },
        "recall": recall,
        "maxPeoplePerCompany": fields.get("maxPeoplePerCompany"),
        "metadata": fields.get("metadata", {}),
        "canceledAt": None,
        "canceledReason": None,
    }
    store.insert("search", search)
    store.emit("webset.search.created", search)
    return search


def create_enrichment(store: Store, webset: JSON, fields: JSON) -> JSON:
    existing = [e for e in store.all("enrichment") if e["websetId"] == webset["id"]]
    if len(existing) >= validate.MAX_ENRICHMENTS:
        raise bad_request(
            f"A webset can have at most {validate.MAX_ENRICHMENTS} enrichments; "
            f"webset {webset['id']} already has {len(existing)}"
        )
    enrichment: JSON = {
        "object": "webset_enrichment",
        "status": "pending",
        "websetId": webset["id"],
    }
    enrichment.update({"options": None, "metadata": {}})
    _apply_enrichment_fields(enrichment, fields)
    store.insert("enrichment", enrichment)
    return enrichment


def _apply_enrichment_fields(enrichment: JSON, fields: JSON) -> None:
    for key in (*_ENRICHMENT_CONTENT, "metadata"):
        if key in fields:
            enrichment[key] = fields[key] if fields[key] is not None else {}
    description = enrichment["description"]
    if not enrichment.get("format"):
        # Auto-chosen, as the API does when format is omitted; options imply "options".
        has_options = bool(enrichment.get("options"))
        enrichment["format"] = "options" if has_options else generate.format_for(description)
    if enrichment["format"] != "options":
        enrichment["options"] = None
    enrichment["title"] = generate.enrichment_title(description)
    enrichment["instructions"] = generate.enrichment_instructions(description, enrichment["format"])


def cancel_search(store: Store, search: JSON, reason: str | None) -> None:
    if search["status"] in ("created", "running"):
        search["status"] = "canceled"
        search["canceledAt"] = store.now_iso()
        search["canceledReason"] = reason
        store.touch(search)
        store.emit("webset.search.canceled", search)


def cancel_enrichment(store: Store, enrichment: JSON) -> None:
    if enrichment["status"] == "pending":
        enrichment["status"] = "canceled"
        store.touch(enrichment)


@ROUTES.add("POST", "/websets/*/searches")
def _search_create(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    fields = validate.search_create(ctx.body)
    return Reply(200, public(create_search(ctx.store, webset, fields, ctx.timing.search_seconds)))


@ROUTES.add("GET", "/websets/*/searches/*")
def _search_get(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    return Reply(200, public(find_child(ctx.store, "search", webset, params[1], "Search")))


@ROUTES.add("POST", "/websets/*/searches/*/cancel")
def _search_cancel(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    search = find_child(ctx.store, "search", webset, params[1], "Search")
    cancel_search(ctx.store, search, None)
    return Reply(200, public(search))


@ROUTES.add("POST", "/websets/*/enrichments")
def _enrichment_create(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    fields = validate.enrichment_fields(ctx.body, create=True)
    return Reply(200, public(create_enrichment(ctx.store, webset, fields)))


@ROUTES.add("GET", "/websets/*/enrichments/*")
def _enrichment_get(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    return Reply(200, public(find_child(ctx.store, "enrichment", webset, params[1], "Enrichment")))


@ROUTES.add("PATCH", "/websets/*/enrichments/*")
def _enrichment_update(ctx: Ctx, params: list[str]) -> Reply:
    """Answers 200 with an empty body, as the real API does. A content change re-runs it."""
    webset = find_webset(ctx.store, params[0])
    enrichment = find_child(ctx.store, "enrichment", webset, params[1], "Enrichment")
    fields = validate.enrichment_fields(ctx.body, create=False)
    merged = {key: enrichment.get(key) for key in _ENRICHMENT_CONTENT} | fields
    if merged.get("format") != "options":
        if fields.get("options") is not None:
            raise bad_request("options are only allowed with format 'options'")
        merged["options"] = None  # switching away from options drops them
    elif not merged.get("options"):
        raise bad_request("format 'options' needs options")
    changed = any(merged.get(key) != enrichment.get(key) for key in _ENRICHMENT_CONTENT)
    _apply_enrichment_fields(enrichment, merged)
    if changed:
        enrichment["status"] = "pending"
        enrichment["_t"] = ctx.store.now()
    ctx.store.touch(enrichment)
    return Reply(200, None)


@ROUTES.add("DELETE", "/websets/*/enrichments/*")
def _enrichment_delete(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    enrichment = find_child(ctx.store, "enrichment", webset, params[1], "Enrichment")
    ctx.store.remove("enrichment", enrichment["id"])
    return Reply(200, public(enrichment))


@ROUTES.add("POST", "/websets/*/enrichments/*/cancel")
def _enrichment_cancel(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    enrichment = find_child(ctx.store, "enrichment", webset, params[1], "Enrichment")
    cancel_enrichment(ctx.store, enrichment)
    return Reply(200, public(enrichment))
