"""Request-body validation per the spec's rules; unknown top-level fields are ignored.

Each function returns the accepted fields (absent ones left out) or raises a 400 ApiFailure.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from websets_sync.emulator import checks as c
from websets_sync.emulator.failures import bad_request
from websets_sync.emulator.store import JSON
from websets_sync.model.cron import cron_problem

ENRICHMENT_FORMATS = ("text", "date", "number", "options", "email", "phone", "url")
SEARCH_BEHAVIORS = ("override", "append")
EVENT_TYPES = (
    "webset.created",
    "webset.deleted",
    "webset.paused",
    "webset.idle",
    "webset.search.created",
    "webset.search.canceled",
    "webset.search.completed",
    "webset.search.updated",
    "import.created",
    "import.completed",
    "webset.item.created",
    "webset.item.enriched",
    "monitor.created",
    "monitor.updated",
    "monitor.deleted",
    "monitor.run.created",
    "monitor.run.completed",
    "webset.export.created",
    "webset.export.completed",
)


def _present(values: JSON) -> JSON:
    return {key: value for key, value in values.items() if value is not None}


def search_create(body: JSON, where: str = "", *, inline: bool = False) -> JSON:
    """A search body; ``inline``: the ``search`` of a create-webset body (count default 10)."""
    c.obj(body, where)
    fields = {
        "query": c.string(body, "query", where, required=True, min_len=1, max_len=5000),
        "count": c.number(body, "count", where, required=not inline, minimum=1),
        "entity": c.entity(body, "entity", where),
        "criteria": c.criteria(body, "criteria", where, min_items=1, min_len=1),
        "exclude": c.sources(body, "exclude", where),
        "scope": c.sources(body, "scope", where, scope=True),
        "recall": c.boolean(body, "recall", where),
        "maxPeoplePerCompany": c.number(
            body, "maxPeoplePerCompany", where, minimum=1, integer=True
        ),
    }
    if not inline:
        # The inline search of a create-webset body has no metadata or behavior (spec).
        fields["behavior"] = c.choice(body, "behavior", SEARCH_BEHAVIORS, where)
        fields["metadata"] = c.metadata(body, where)
    return _present(fields)


def enrichment_fields(body: JSON, where: str = "", *, create: bool) -> JSON:
    c.obj(body, where)
    fields = {
        "description": c.string(
            body, "description", where, required=create, min_len=1, max_len=5000
        ),
        "format": c.choice(body, "format", ENRICHMENT_FORMATS, where),
        "options": _options(body, where),
        "metadata": c.metadata(body, where, nullable=not create),
    }
    if create and fields["format"] == "options" and fields["options"] is None:
        raise bad_request(f"{where or 'body'}: format 'options' needs options")
    result = _present(fields)
    if not create and "metadata" in body and body["metadata"] is None:
        result["metadata"] = None
    return result


def _options(body: JSON, where: str) -> list[JSON] | None:
    value = body.get("options")
    if value is None:
        return None
    name = f"{where}.options" if where else "options"
    if not isinstance(value, list) or not 1 <= len(value) <= 150:
        raise bad_request(f"{name}: must be a list of 1 to 150 options")
    labels = []
    for index, option in enumerate(value):
        at = f"{name}[{index}]"
        labels.append({"label": c.string(c.obj(option, at), "label", at, required=True)})
    return labels


def webset_create(body: JSON) -> JSON:
    c.obj(body, "")
    enrichments = body.get("enrichments")
    if enrichments is not None and not isinstance(enrichments, list):
        raise bad_request("enrichments: must be a list")
    search = body.get("search")
    fields = {
        "search": None if search is None else search_create(search, "search", inline=True),
        "import": c.sources(body, "import"),
        "enrichments": [
            enrichment_fields(item, f"enrichments[{index}]", create=True)
            for index, item in enumerate(enrichments or [])
        ]
        or None,
        "exclude": c.sources(body, "exclude"),
        "externalId": c.string(body, "externalId", max_len=300, nullable=True),
        "metadata": c.metadata(body),
        "title": c.string(body, "title", min_len=1, nullable=True),
    }
    return _present(fields)


def webset_update(body: JSON) -> JSON:
    c.obj(body, "")
    result = _present({"title": c.string(body, "title", min_len=1)})
    if "metadata" in body:
        result["metadata"] = c.metadata(body, nullable=True)
    return result


def cadence(body: JSON, where: str) -> JSON:
    c.obj(body, where)
    cron = c.string(body, "cron", where, required=True, min_len=1)
    problem = cron_problem(cron or "")
    if problem is not None:
        raise bad_request(f"{where}.cron: {problem}")
    return {"cron": cron, "timezone": c.timezone(body, where) or "Etc/UTC"}


def monitor_behavior(body: JSON, where: str) -> JSON:
    c.obj(body, where)
    c.choice(body, "type", ("search",), where, required=True)
    at = f"{where}.config"
    config = c.obj(body.get("config"), at)
    fields = {
        "query": c.string(config, "query", at, min_len=2, max_len=10000),
        "criteria": c.criteria(config, "criteria", at, min_items=0, min_len=2),
        "entity": c.entity(config, "entity", at),
        "count": c.number(config, "count", at, required=True, exclusive_minimum=0),
        "behavior": c.choice(config, "behavior", SEARCH_BEHAVIORS, at) or "append",
    }
    return {"type": "search", "config": _present(fields)}


def monitor_create(body: JSON) -> JSON:
    c.obj(body, "")
    for key in ("cadence", "behavior"):
        if body.get(key) is None:
            raise bad_request(f"{key}: is required")
    return {
        "websetId": c.string(body, "websetId", required=True, min_len=1),
        "cadence": cadence(body["cadence"], "cadence"),
        "behavior": monitor_behavior(body["behavior"], "behavior"),
        "metadata": c.metadata(body, max_value=None) or {},
    }


def monitor_update(body: JSON) -> JSON:
    c.obj(body, "")
    fields = {
        "status": c.choice(body, "status", ("enabled", "disabled")),
        "metadata": c.metadata(body, max_value=None),
        "cadence": None if body.get("cadence") is None else cadence(body["cadence"], "cadence"),
        "behavior": None
        if body.get("behavior") is None
        else monitor_behavior(body["behavior"], "behavior"),
    }
    return _present(fields)


def _url(body: JSON, required: bool) -> str | None:
    url = c.string(body, "url", required=required, min_len=1)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad_request(f"url: must be an absolute http(s) URL, got {url!r}")
    return url


def _events(body: JSON, required: bool) -> list[str] | None:
    events = body.get("events")
    if events is None:
        if required:
            raise bad_request("events: is required")
        return None
    if not isinstance(events, list) or not 1 <= len(events) <= len(EVENT_TYPES):
        raise bad_request(f"events: must be a list of 1 to {len(EVENT_TYPES)} event types")
    for event in events:
        if event not in EVENT_TYPES:
            raise bad_request(f"events: unknown event type {event!r}")
    return list(events)


def webhook_fields(body: JSON, *, create: bool) -> JSON:
    c.obj(body, "")
    fields = {
        "events": _events(body, create),
        "url": _url(body, create),
        "metadata": c.metadata(body),
    }
    return _present(fields)


def import_create(body: JSON) -> JSON:
    c.obj(body, "")
    c.choice(body, "format", ("csv",), required=True)
    csv = body.get("csv")
    identifier = None
    if csv is not None:
        identifier = c.number(c.obj(csv, "csv"), "identifier", "csv", minimum=0, integer=True)
    fields = {
        "format": "csv",
        "size": c.number(body, "size", required=True, minimum=0, maximum=50_000_000),
        "count": c.number(body, "count", required=True, minimum=0),
        "entity": c.entity(body, "entity", required=True),
        "title": c.string(body, "title", min_len=1),
        "metadata": c.metadata(body),
        "csv": None if identifier is None else {"identifier": identifier},
    }
    return _present(fields)


def import_update(body: JSON) -> JSON:
    c.obj(body, "")
    return _present(
        {"title": c.string(body, "title", min_len=1), "metadata": c.metadata(body, max_value=None)}
    )
