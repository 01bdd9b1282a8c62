"""Request bodies: reserved tags always sent, full metadata on update, API shape limits."""

from __future__ import annotations

from websets_sync.apply import bodies
from websets_sync.model import (
    TAG_EXTERNAL_ID,
    TAG_INITIAL_SEARCH,
    TAG_PREVENT_DESTROY,
    TAG_PROJECT,
    Address,
    DesiredResource,
    DesiredWebset,
    Kind,
    LiveObject,
)


def child(kind: Kind, name: str, **spec: object) -> DesiredResource:
    return DesiredResource(Address.for_child(kind, "leads", name), spec)


WEBSET = DesiredWebset(
    Address.for_webset("leads"),
    {"title": "Leads", "metadata": {"owner": "growth"}},
    searches=(
        child(Kind.SEARCH, "first", query="q1", count=5, behavior="append", metadata={"a": "b"}),
        child(Kind.SEARCH, "second", query="q2"),
    ),
    enrichments=(child(Kind.ENRICHMENT, "ceo", description="CEO", metadata={"col": "1"}),),
)


def test_create_body_carries_first_search_inline_without_metadata() -> None:
    body = bodies.webset_create_body(WEBSET, "growth")
    assert body == {
        "externalId": "leads",
        "title": "Leads",
        "metadata": {"owner": "growth", TAG_PROJECT: "growth", TAG_INITIAL_SEARCH: "first"},
        "search": {"query": "q1", "count": 5},
        "enrichments": [
            {
                "description": "CEO",
                "metadata": {"col": "1", TAG_PROJECT: "growth", TAG_EXTERNAL_ID: "ceo"},
            }
        ],
    }


def test_update_body_sends_full_metadata_and_keeps_the_initial_search_tag() -> None:
    live = LiveObject(
        Kind.WEBSET, "ws_1", {"metadata": {TAG_PROJECT: "growth", TAG_INITIAL_SEARCH: "old"}}
    )
    assert bodies.webset_update_body(WEBSET, "growth", live) == {
        "title": "Leads",
        "metadata": {"owner": "growth", TAG_PROJECT: "growth", TAG_INITIAL_SEARCH: "old"},
    }
    untitled = DesiredWebset(Address.for_webset("x"), {})
    assert bodies.webset_update_body(untitled, "growth", None) == {
        "metadata": {TAG_PROJECT: "growth"}
    }


def test_search_body_is_tagged() -> None:
    assert bodies.search_body(WEBSET.searches[1], "growth") == {
        "count": 10,
        "query": "q2",
        "metadata": {TAG_PROJECT: "growth", TAG_EXTERNAL_ID: "second"},
    }


def test_monitor_bodies() -> None:
    monitor = child(
        Kind.MONITOR,
        "weekly",
        cadence={"cron": "0 9 * * 1"},
        behavior={"type": "search", "config": {"count": 5}},
        status="disabled",
    )
    create = bodies.monitor_create_body(monitor, "growth", "ws_1")
    assert create == {
        "websetId": "ws_1",
        "cadence": {"cron": "0 9 * * 1"},
        "behavior": {"type": "search", "config": {"count": 5}},
        "metadata": {TAG_PROJECT: "growth", TAG_EXTERNAL_ID: "weekly"},
    }
    assert bodies.monitor_after_create(monitor) == {"status": "disabled"}
    update = bodies.monitor_update_body(monitor, "growth")
    assert update["status"] == "disabled" and "websetId" not in update
    enabled = child(Kind.MONITOR, "m", status="enabled")
    assert bodies.monitor_after_create(enabled) is None


def test_enrichment_and_webhook_bodies() -> None:
    update = bodies.enrichment_update_body(WEBSET.enrichments[0], "growth")
    assert update == {
        "description": "CEO",
        "metadata": {"col": "1", TAG_PROJECT: "growth", TAG_EXTERNAL_ID: "ceo"},
    }
    hook = DesiredResource(
        Address.for_webhook("crm"), {"url": "https://h.example.com", "events": ["webset.idle"]}
    )
    assert bodies.webhook_body(hook, "growth") == {
        "url": "https://h.example.com",
        "events": ["webset.idle"],
        "metadata": {TAG_PROJECT: "growth", TAG_EXTERNAL_ID: "crm"},
    }


def test_prevent_destroy_is_a_webset_tag_on_create_and_update() -> None:
    protected = DesiredWebset(Address.for_webset("leads"), {}, prevent_destroy=True)
    created = bodies.webset_create_body(protected, "growth")
    assert created["metadata"] == {TAG_PROJECT: "growth", TAG_PREVENT_DESTROY: "true"}
    updated = bodies.webset_update_body(protected, "growth", None, protect=True)
    assert updated["metadata"] == {TAG_PROJECT: "growth", TAG_PREVENT_DESTROY: "true"}
    lifted = bodies.webset_update_body(protected, "growth", None, protect=False)
    assert lifted["metadata"] == {TAG_PROJECT: "growth"}
