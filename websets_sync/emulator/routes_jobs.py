"""Searches and enrichments: the jobs that run inside a webset."""

from __future__ import annotations

from websets_sync.emulator import generate, validate
from websets_sync.emulator.failures import bad_request
from websets_sync.emulator.imported import excluded_urls
from websets_sync.emulator.lifecycle import Timing
from websets_sync.emulator.router import ROUTES, Ctx, Reply, find_child, find_webset
from websets_sync.emulator.store import JSON, Store, public

_ENRICHMENT_CONTENT = ("description", "format", "options")


def _number(value: float) -> float | int:
    return int(value) if value == int(value) else value


def create_search(store: Store, webset: JSON, fields: JSON, timing: Timing) -> JSON:
    """Start a search: ``running`` at once, ``timeLeft: null``, generated criteria still ``[]``
    and ``metadata: {}`` whatever was sent (all as recorded, API-NOTES §9 R4, R12)."""
    query = fields["query"]
    # The spec: "When scope is present, the search behavior is OVERRIDE".
    behavior = "override" if fields.get("scope") else fields.get("behavior", "override")
    given = fields.get("criteria")
    generated = [{"description": c["description"]} for c in generate.criteria_for(query)]
    search = {
        "object": "webset_search",
        "status": "running",
        "websetId": webset["id"],
        "query": query,
        "entity": fields.get("entity") or generate.entity_for(query),
        "criteria": [{"description": c["description"], "successRate": 0} for c in given or []],
        "count": _number(fields.get("count", 10)),
        "behavior": behavior,
        "exclude": fields.get("exclude", []),
        "scope": fields.get("scope", []),
        "progress": {"found": 0, "analyzed": 0, "completion": 0, "timeLeft": None},
        "recall": None,  # recorded null at create even when requested; estimated later
        "metadata": {},
        "canceledAt": None,
        "canceledReason": None,
    }
    if fields.get("maxPeoplePerCompany") is not None:
        # Not in any recorded answer: only shown when asked for.
        search["maxPeoplePerCompany"] = fields["maxPeoplePerCompany"]
    if not given:
        search["_criteria"] = [{**c, "successRate": 0} for c in generated]
    if fields.get("recall"):
        search["_recall"] = _recall_estimate(int(fields.get("count", 10)))
    if search["exclude"]:
        search["_excluded"] = excluded_urls(store, search["exclude"])
    store.insert("search", search)
    store.watch("search", search)
    if behavior == "override":
        _reevaluate(store, webset, search)
    store.emit("webset.search.created", search)
    return search


def _recall_estimate(count: int) -> JSON:
    total = count * 5
    return {
        "expected": {
            "total": total,
            "confidence": "medium",
            "bounds": {"min": total // 2, "max": total * 2},
        },
        "reasoning": "Estimated by the emulator.",
    }


def _reevaluate(store: Store, webset: JSON, search: JSON) -> None:
    """An override search evaluates the webset's earlier items against its own definition and
    keeps the ones that match (spec); here: those of its entity type that a seeded coin picks."""
    wanted = search["entity"]["type"]
    for item in store.children("item", webset["id"]):
        coin = store.rng("reevaluate", search["id"], item["id"]).random()
        if item.get("properties", {}).get("type") != wanted or coin >= 0.5:
            store.remove("item", item["id"])


def create_enrichment(store: Store, webset: JSON, fields: JSON) -> JSON:
    """A new enrichment is ``pending`` with ``title`` and ``instructions`` null (recorded);
    both are generated a moment later (lifecycle). No limit on how many a webset has: no
    source states one."""
    enrichment: JSON = {
        "object": "webset_enrichment",
        "status": "pending",
        "websetId": webset["id"],
        "title": None,
    }
    enrichment.update({"options": None, "metadata": {}})
    _apply_enrichment_fields(enrichment, fields)
    store.insert("enrichment", enrichment)
    store.watch("enrichment", enrichment)
    return enrichment


def _apply_enrichment_fields(enrichment: JSON, fields: JSON) -> None:
    for key in (*_ENRICHMENT_CONTENT, "metadata"):
        if key in fields:
            empty: JSON | None = {} if key == "metadata" else None
            enrichment[key] = fields[key] if fields[key] is not None else empty
    description = enrichment["description"]
    if not enrichment.get("format"):
        # Auto-chosen, as the API does when format is omitted; options imply "options".
        has_options = bool(enrichment.get("options"))
        enrichment["format"] = "options" if has_options else generate.format_for(description)
    enrichment["title"] = None
    enrichment["instructions"] = None
    enrichment["_title"] = generate.enrichment_title(description)
    enrichment["_instructions"] = generate.enrichment_instructions(
        description, enrichment["format"]
    )


def cancel_search(store: Store, search: JSON, reason: str | None) -> None:
    """Recorded (R13): a canceled search shows ``completion: 100`` and ``timeLeft: 0``."""
    if search["status"] in ("created", "running"):
        search["status"] = "canceled"
        search["progress"] = {**search["progress"], "completion": 100, "timeLeft": 0}
        store.settle("search", search)
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
    return Reply(201, public(create_search(ctx.store, webset, fields, ctx.timing)))


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
    return Reply(201, public(create_enrichment(ctx.store, webset, fields)))


@ROUTES.add("GET", "/websets/*/enrichments/*")
def _enrichment_get(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    return Reply(200, public(find_child(ctx.store, "enrichment", webset, params[1], "Enrichment")))


@ROUTES.add("PATCH", "/websets/*/enrichments/*")
def _enrichment_update(ctx: Ctx, params: list[str]) -> Reply:
    """Answers the updated enrichment (recorded, R2). A content change re-runs it, and its
    generated title and instructions are null again until regenerated (recorded)."""
    webset = find_webset(ctx.store, params[0])
    enrichment = find_child(ctx.store, "enrichment", webset, params[1], "Enrichment")
    fields = validate.enrichment_fields(ctx.body, create=False)
    merged = {key: enrichment.get(key) for key in _ENRICHMENT_CONTENT} | fields
    if merged.get("format") != enrichment.get("format") and "options" not in fields:
        merged["options"] = None  # switching format drops options not sent again
    if merged.get("format") == "options" and not merged.get("options"):
        raise bad_request("format 'options' needs options")
    changed = any(merged.get(key) != enrichment.get(key) for key in _ENRICHMENT_CONTENT)
    if changed:
        _apply_enrichment_fields(enrichment, merged)
        enrichment["status"] = "pending"
        enrichment["_t"] = ctx.store.now()
        ctx.store.watch("enrichment", enrichment)
    if "metadata" in fields:
        enrichment["metadata"] = fields["metadata"] or {}
    ctx.store.touch(enrichment)
    return Reply(200, public(enrichment))


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
