"""Account-wide resources: webhooks, imports (with their upload URL) and events."""

from __future__ import annotations

from datetime import datetime

from websets_sync.emulator import imports, validate, views
from websets_sync.emulator.deliveries import attempts
from websets_sync.emulator.failures import bad_query, bad_request
from websets_sync.emulator.imported import upload_rows
from websets_sync.emulator.router import ROUTES, Ctx, Reply, find, listing, page, page_kept
from websets_sync.emulator.store import JSON, iso, public

MAX_PAGE = 200
UPLOAD_VALID_SECONDS = 3600


@ROUTES.add("POST", "/webhooks")
def _webhook_create(ctx: Ctx, params: list[str]) -> Reply:
    fields = validate.webhook_fields(ctx.body, create=True)
    webhook: JSON = {"object": "webhook", "status": "active", "metadata": {}, **fields}
    ctx.store.insert("webhook", webhook)
    secret = "whsec_" + "".join(
        ctx.store.rng("secret", webhook["id"]).choices("0123456789abcdef", k=32)
    )
    # Only the create response shows the secret; it is kept privately to sign deliveries.
    webhook["_secret"] = secret
    return Reply(200, views.webhook(webhook, secret=secret))


@ROUTES.add("GET", "/webhooks")
def _webhook_list(ctx: Ctx, params: list[str]) -> Reply:
    chunk, paging = page(ctx, "webhook", ctx.store.ordered("webhook"), maximum=MAX_PAGE)
    return listing([views.webhook(w) for w in chunk], paging)


@ROUTES.add("GET", "/webhooks/*")
def _webhook_get(ctx: Ctx, params: list[str]) -> Reply:
    return Reply(200, views.webhook(find(ctx.store, "webhook", params[0], "Webhook")))


@ROUTES.add("PATCH", "/webhooks/*")
def _webhook_update(ctx: Ctx, params: list[str]) -> Reply:
    """``status`` cannot be changed through the API; metadata is replaced, not merged."""
    webhook = find(ctx.store, "webhook", params[0], "Webhook")
    webhook.update(validate.webhook_fields(ctx.body, create=False))
    ctx.store.touch(webhook)
    return Reply(200, views.webhook(webhook))


@ROUTES.add("DELETE", "/webhooks/*")
def _webhook_delete(ctx: Ctx, params: list[str]) -> Reply:
    webhook = find(ctx.store, "webhook", params[0], "Webhook")
    ctx.store.remove("webhook", webhook["id"])
    return Reply(200, views.webhook(webhook))


@ROUTES.add("GET", "/webhooks/*/attempts")
def _webhook_attempts(ctx: Ctx, params: list[str]) -> Reply:
    """Delivery attempts (deliveries.py), filtered by ``eventType`` and ``successful``."""
    found = attempts(find(ctx.store, "webhook", params[0], "Webhook"))
    event_type = ctx.arg("eventType")
    if event_type is not None:
        if event_type not in validate.EVENT_TYPES:
            raise bad_query(f"eventType: unknown event type {event_type!r}")
        found = [a for a in found if a["eventType"] == event_type]
    successful = ctx.arg("successful")
    if successful is not None:
        # exa-py sends Python's "True"/"False".
        if successful.lower() not in ("true", "false"):
            raise bad_query("successful: must be true or false")
        found = [a for a in found if a["successful"] == (successful.lower() == "true")]
    chunk, paging = page_kept(ctx, found, maximum=MAX_PAGE)
    return listing([public(a) for a in chunk], paging)


@ROUTES.add("POST", "/imports")
def _import_create(ctx: Ctx, params: list[str]) -> Reply:
    fields = validate.import_create(ctx.body)
    store = ctx.store
    record: JSON = {
        "object": "import",
        "status": "pending",
        "format": "csv",
        "entity": fields["entity"],
        "title": fields.get("title") or f"Import {store.now_iso()[:10]}",
        "count": fields["count"],
        "metadata": fields.get("metadata", {}),
        "failedReason": None,
        "failedAt": None,
        "failedMessage": None,
        "_size": fields["size"],
        "_identifier": (fields.get("csv") or {}).get("identifier"),
    }
    store.insert("import", record)
    store.emit("import.created", record)
    view = public(record)
    view["uploadUrl"] = f"{ctx.origin}/websets/v0/imports/{record['id']}/upload"
    view["uploadValidUntil"] = iso(store.now() + UPLOAD_VALID_SECONDS)
    return Reply(201, view)


@ROUTES.add("PUT", "/imports/*/upload", auth=False)
def _import_upload(ctx: Ctx, params: list[str]) -> Reply:
    """Stands in for the signed upload URL (no API key, like a pre-signed URL)."""
    record = find(ctx.store, "import", params[0], "Import")
    if record["status"] != "pending":
        raise bad_request(f"Import {record['id']} was already uploaded")
    imports.receive_upload(ctx.store, record, ctx.raw)
    # Kept for websets that import it and searches that exclude it (emulator/imported.py).
    record["_rows"] = upload_rows(ctx.raw, int(record.get("_identifier") or 0))
    ctx.store.watch("import", record)
    return Reply(200, None)


@ROUTES.add("GET", "/imports")
def _import_list(ctx: Ctx, params: list[str]) -> Reply:
    chunk, paging = page(ctx, "import", ctx.store.ordered("import"), maximum=MAX_PAGE)
    return listing([public(r) for r in chunk], paging)


@ROUTES.add("GET", "/imports/*")
def _import_get(ctx: Ctx, params: list[str]) -> Reply:
    return Reply(200, public(find(ctx.store, "import", params[0], "Import")))


@ROUTES.add("PATCH", "/imports/*")
def _import_update(ctx: Ctx, params: list[str]) -> Reply:
    record = find(ctx.store, "import", params[0], "Import")
    record.update(validate.import_update(ctx.body))
    ctx.store.touch(record)
    return Reply(200, public(record))


@ROUTES.add("DELETE", "/imports/*")
def _import_delete(ctx: Ctx, params: list[str]) -> Reply:
    record = find(ctx.store, "import", params[0], "Import")
    ctx.store.remove("import", record["id"])
    return Reply(200, public(record))


@ROUTES.add("GET", "/events")
def _events(ctx: Ctx, params: list[str]) -> Reply:
    events = ctx.store.ordered("event")
    types = [
        kind
        for value in ctx.query.get("types", []) + ctx.query.get("types[]", [])
        for kind in value.split(",")
        if kind
    ]
    for kind in types:
        if kind not in validate.EVENT_TYPES:
            raise bad_query(f"types: unknown event type {kind!r}")
    if types:
        events = [e for e in events if e["type"] in types]
    # Both bounds are inclusive (spec: "before or at", "after or at").
    before, after = _moment(ctx, "createdBefore"), _moment(ctx, "createdAfter")
    if before is not None:
        events = [e for e in events if _parse_moment(e["createdAt"]) <= before]
    if after is not None:
        events = [e for e in events if _parse_moment(e["createdAt"]) >= after]
    chunk, paging = page(ctx, "event", events, maximum=MAX_PAGE)
    return listing([public(e) for e in chunk], paging)


@ROUTES.add("GET", "/events/*")
def _event(ctx: Ctx, params: list[str]) -> Reply:
    return Reply(200, public(find(ctx.store, "event", params[0], "Event")))


def _parse_moment(text: str) -> datetime:
    # fromisoformat accepts "Z" only from Python 3.11 on.
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _moment(ctx: Ctx, name: str) -> datetime | None:
    text = ctx.arg(name)
    if text is None:
        return None
    try:
        moment = _parse_moment(text)
    except ValueError:
        raise bad_query(f"{name}: must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise bad_query(f"{name}: must include a timezone (e.g. Z)")
    return moment
