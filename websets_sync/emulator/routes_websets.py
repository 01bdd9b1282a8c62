"""Websets and their items."""

from __future__ import annotations

from websets_sync.emulator import generate, validate, views
from websets_sync.emulator.failures import bad_query, conflict, not_found
from websets_sync.emulator.imported import embed_imports
from websets_sync.emulator.router import (
    ROUTES,
    Ctx,
    Reply,
    find_child,
    find_webset,
    listing,
    page,
)
from websets_sync.emulator.routes_jobs import (
    cancel_enrichment,
    cancel_search,
    create_enrichment,
    create_search,
)
from websets_sync.emulator.store import JSON, Store

MAX_WEBSETS_PAGE = 100
MAX_ITEMS_PAGE = 100


def _check_sources(store: Store, refs: list[JSON]) -> None:
    """Imports and websets named in ``import``/``exclude`` must exist (else 404)."""
    for ref in refs:
        if ref["source"] == "import" and store.find("import", ref["id"]) is None:
            raise not_found("Import", ref["id"])
        if ref["source"] == "webset":
            find_webset(store, ref["id"])


@ROUTES.add("POST", "/websets")
def _create(ctx: Ctx, params: list[str]) -> Reply:
    fields = validate.webset_create(ctx.body)
    store = ctx.store
    external_id = fields.get("externalId")
    if external_id is not None and store.find_external(external_id) is not None:
        raise conflict("Webset with this externalId already exists")
    imports = fields.get("import", [])
    _check_sources(store, imports + fields.get("exclude", []))
    search = fields.get("search")
    webset: JSON = {
        "object": "webset",
        "externalId": external_id,
        "title": fields.get("title"),
        "excludes": fields.get("exclude", []),
        "metadata": fields.get("metadata", {}),
        "_imports": [ref["id"] for ref in imports if ref["source"] == "import"],
    }
    store.insert("webset", webset)
    embed_imports(store, webset, webset["_imports"])
    if search is not None and webset["title"] is None:
        # Recorded (R3): the answer says title null; the generated one comes a moment later.
        webset["_title"] = generate.title_for(search["query"], search.get("entity"))
        store.watch("webset", webset)
    store.emit("webset.created", views.webset(store, webset))
    if search is not None:
        # Recorded: the webset's exclude applies to its first search, which shows it.
        search = {"exclude": webset["excludes"], **search} if webset["excludes"] else search
        create_search(store, webset, search, ctx.timing)
    for enrichment in fields.get("enrichments", []):
        create_enrichment(store, webset, enrichment)
    return Reply(201, views.webset(store, webset))


@ROUTES.add("GET", "/websets")
def _list(ctx: Ctx, params: list[str]) -> Reply:
    websets = ctx.store.ordered("webset")
    term = ctx.arg("search")
    if term is not None:
        if not 2 <= len(term) <= 50:
            raise bad_query("search: must be 2 to 50 characters long")
        needle = term.lower()
        websets = [w for w in websets if _mentions(w, needle)]
    chunk, paging = page(ctx, "webset", websets, maximum=MAX_WEBSETS_PAGE)
    return listing(views.websets(ctx.store, chunk), paging)


def _mentions(webset: JSON, needle: str) -> bool:
    fields = (webset["id"], webset.get("externalId") or "", webset.get("title") or "")
    return any(needle in text.lower() for text in fields)


@ROUTES.add("GET", "/websets/*")
def _get(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    expand = ctx.query.get("expand", []) + ctx.query.get("expand[]", [])
    # Recorded: a GET answers ``items`` always, empty unless expanded.
    with_items = any("items" in value.split(",") for value in expand)
    return Reply(200, views.webset(ctx.store, webset, with_items=with_items))


@ROUTES.add("POST", "/websets/*")
def _update(ctx: Ctx, params: list[str]) -> Reply:
    """Webset update is POST. ``metadata`` replaces the stored map (null clears it)."""
    webset = find_webset(ctx.store, params[0])
    fields = validate.webset_update(ctx.body)
    if "title" in fields:
        webset["title"] = fields["title"]
        webset.pop("_title", None)  # a title given now is not overwritten by a generated one
        ctx.store.settle("webset", webset)
    if "metadata" in fields:
        webset["metadata"] = fields["metadata"] or {}
    ctx.store.touch(webset)
    return Reply(200, views.webset(ctx.store, webset))


@ROUTES.add("DELETE", "/websets/*")
def _delete(ctx: Ctx, params: list[str]) -> Reply:
    store = ctx.store
    webset = find_webset(store, params[0])
    for search in store.children("search", webset["id"]):
        cancel_search(store, search, "webset_deleted")
    view = views.webset(store, webset)
    for kind in ("search", "enrichment", "monitor", "item"):
        for obj in store.children(kind, webset["id"]):
            store.remove(kind, obj["id"])
    store.remove("webset", webset["id"])
    store.emit("webset.deleted", view)
    return Reply(200, view)


@ROUTES.add("POST", "/websets/*/cancel")
def _cancel(ctx: Ctx, params: list[str]) -> Reply:
    store = ctx.store
    webset = find_webset(store, params[0])
    for search in store.children("search", webset["id"]):
        cancel_search(store, search, "webset_canceled")
    for enrichment in store.children("enrichment", webset["id"]):
        cancel_enrichment(store, enrichment)
    store.touch(webset)
    return Reply(200, views.webset(store, webset))


def _enrichments_of(store: Store, webset: JSON) -> list[JSON]:
    return store.children("enrichment", webset["id"])


@ROUTES.add("GET", "/websets/*/items")
def _items(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    items = ctx.store.children("item", webset["id"])
    source_id = ctx.arg("sourceId")
    if source_id is not None:
        items = [i for i in items if i["sourceId"] == source_id]
    chunk, paging = page(ctx, "item", items, maximum=MAX_ITEMS_PAGE, default=20)
    enrichments = _enrichments_of(ctx.store, webset)
    return listing([views.item(ctx.store, i, enrichments) for i in chunk], paging)


@ROUTES.add("GET", "/websets/*/items/*")
def _item_get(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    item = find_child(ctx.store, "item", webset, params[1], "Item")
    return Reply(200, views.item(ctx.store, item, _enrichments_of(ctx.store, webset)))


@ROUTES.add("DELETE", "/websets/*/items/*")
def _item_delete(ctx: Ctx, params: list[str]) -> Reply:
    webset = find_webset(ctx.store, params[0])
    item = find_child(ctx.store, "item", webset, params[1], "Item")
    view = views.item(ctx.store, item, _enrichments_of(ctx.store, webset))
    ctx.store.remove("item", item["id"])
    return Reply(200, view)


@ROUTES.add("POST", "/websets/preview")
def _preview(ctx: Ctx, params: list[str]) -> Reply:
    """Entity and criteria the API would choose, plus sample items when ``search=true``."""
    body = ctx.body.get("search")
    fields = validate.search_create(body if isinstance(body, dict) else {}, "search", inline=True)
    query = fields["query"]
    entity = fields.get("entity") or generate.entity_for(query)
    items = []
    if ctx.arg("search") == "true":
        count = min(int(fields.get("count", 10)), 10)
        for index in range(count):
            rng = ctx.store.rng("preview", query, index)
            ctx.store.counter += 1
            items.append(
                {
                    "id": f"preview_{ctx.store.counter:08d}",
                    "properties": generate.item_properties(entity, rng, query),
                    "createdAt": ctx.store.now_iso(),
                }
            )
    criteria = fields.get("criteria") or generate.criteria_for(query)
    return Reply(
        200, {"search": {"entity": entity, "criteria": criteria}, "enrichments": [], "items": items}
    )
