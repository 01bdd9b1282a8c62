"""Normalization and field diffs: no phantom drift, and every real drift caught."""

from __future__ import annotations

from typing import Any

import pytest

from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT, Kind
from websets_sync.plan.diff import diff_fields
from websets_sync.plan.types import FieldChange

TAGS = {TAG_PROJECT: "p", TAG_EXTERNAL_ID: "x"}

LIVE_SEARCH: dict[str, Any] = {
    "id": "ws_search_1",
    "object": "webset_search",
    "status": "completed",
    "websetId": "ws_1",
    "query": "AI startups",
    "entity": {"type": "company"},
    "criteria": [{"description": "Is an AI startup", "successRate": 87}],
    "count": 10,
    "behavior": "override",
    "exclude": [],
    "scope": [],
    "progress": {"found": 10, "analyzed": 40, "completion": 100, "timeLeft": None},
    "recall": None,
    "metadata": TAGS,
    "canceledAt": None,
    "canceledReason": None,
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-02T00:00:00Z",
}

LIVE_MONITOR: dict[str, Any] = {
    "id": "mon_1",
    "object": "monitor",
    "status": "enabled",
    "websetId": "ws_1",
    "cadence": {"cron": "0 9 * * 1", "timezone": "Etc/UTC"},
    "behavior": {
        "type": "search",
        "config": {
            "query": "new rounds",
            "criteria": [{"description": "raised", "successRate": 3}],
            "entity": {"type": "company"},
            "count": 10,
            "behavior": "append",
        },
    },
    "lastRun": {"id": "run_1"},
    "nextRunAt": "2026-01-05T09:00:00Z",
    "metadata": TAGS,
    "createdAt": "x",
    "updatedAt": "y",
}

LIVE_ENRICHMENT: dict[str, Any] = {
    "id": "enr_1",
    "object": "webset_enrichment",
    "status": "completed",
    "websetId": "ws_1",
    "title": "CEO",
    "description": "Find the CEO name",
    "format": "text",
    "options": None,
    "instructions": "generated",
    "metadata": TAGS,
    "createdAt": "x",
    "updatedAt": "y",
}

LIVE_WEBHOOK: dict[str, Any] = {
    "id": "wh_1",
    "object": "webhook",
    "status": "active",
    "events": ["webset.item.created", "webset.idle"],
    "url": "https://example.com/hook",
    "secret": None,
    "metadata": TAGS,
    "createdAt": "x",
    "updatedAt": "y",
}

LIVE_WEBSET: dict[str, Any] = {
    "id": "ws_1",
    "object": "webset",
    "status": "idle",
    "externalId": "leads",
    "title": "Generated title",
    "metadata": {TAG_PROJECT: "p"},
    "dashboardUrl": "https://websets.exa.ai/ws_1",
    "searches": [],
    "enrichments": [],
    "monitors": [],
    "imports": [],
    "createdAt": "x",
    "updatedAt": "y",
}


@pytest.mark.parametrize(
    ("kind", "spec", "live"),
    [
        # server fills entity and criteria when the manifest omits them; count 10 and override
        (Kind.SEARCH, {"query": "AI startups"}, LIVE_SEARCH),
        (
            Kind.SEARCH,
            {"query": " AI startups ", "count": 10.0, "behavior": "override"},
            LIVE_SEARCH,
        ),
        (
            Kind.SEARCH,
            {"query": "AI startups", "criteria": [{"description": "Is an AI startup"}]},
            LIVE_SEARCH,
        ),
        (Kind.SEARCH, {"query": "AI startups", "recall": False}, LIVE_SEARCH),
        # enrichment format filled by the server; title/instructions are server-owned
        (Kind.ENRICHMENT, {"description": "Find the CEO name"}, LIVE_ENRICHMENT),
        (Kind.ENRICHMENT, {"description": "Find the CEO name", "metadata": {}}, LIVE_ENRICHMENT),
        # monitor: timezone Etc/UTC and config behavior append are defaults; query etc. filled
        (
            Kind.MONITOR,
            {
                "cadence": {"cron": "0 9 * * 1"},
                "behavior": {"type": "search", "config": {"count": 10}},
                "status": "enabled",
            },
            LIVE_MONITOR,
        ),
        # webhook events are a set; secret and status are server-owned
        (
            Kind.WEBHOOK,
            {"url": "https://example.com/hook", "events": ["webset.idle", "webset.item.created"]},
            LIVE_WEBHOOK,
        ),
        # webset title is server-filled when omitted; reserved tags are never drift
        (Kind.WEBSET, {}, LIVE_WEBSET),
        (Kind.WEBSET, {"metadata": {}}, LIVE_WEBSET),
    ],
)
def test_no_phantom_drift(kind: Kind, spec: dict[str, Any], live: dict[str, Any]) -> None:
    assert diff_fields(kind, spec, live) == ()


def test_enrichment_description_edited_in_dashboard() -> None:
    live = {**LIVE_ENRICHMENT, "description": "Find the CTO name"}
    assert diff_fields(Kind.ENRICHMENT, {"description": "Find the CEO name"}, live) == (
        FieldChange("description", "Find the CTO name", "Find the CEO name"),
    )


def test_monitor_cron_changed_and_disabled() -> None:
    live = {**LIVE_MONITOR, "cadence": {"cron": "0 9 * * 2"}, "status": "disabled"}
    spec = {
        "cadence": {"cron": "0 9 * * 1", "timezone": "Etc/UTC"},
        "behavior": {"type": "search", "config": {"count": 10}},
        "status": "enabled",
    }
    assert diff_fields(Kind.MONITOR, spec, live) == (
        FieldChange("cadence.cron", "0 9 * * 2", "0 9 * * 1"),
        FieldChange("status", "disabled", "enabled"),
    )


def test_webhook_events_and_url_changed() -> None:
    spec = {"url": "https://example.com/new", "events": ["webset.idle"]}
    assert diff_fields(Kind.WEBHOOK, spec, LIVE_WEBHOOK) == (
        FieldChange("url", "https://example.com/hook", "https://example.com/new"),
        FieldChange("events", ["webset.idle", "webset.item.created"], ["webset.idle"]),
    )


def test_webset_metadata_and_title_edited() -> None:
    live = {**LIVE_WEBSET, "metadata": {TAG_PROJECT: "p", "owner": "sales"}}
    spec = {"title": "Leads", "metadata": {"owner": "growth"}}
    assert diff_fields(Kind.WEBSET, spec, live) == (
        FieldChange("title", "Generated title", "Leads"),
        FieldChange("metadata.owner", "sales", "growth"),
    )


def test_undeclared_user_metadata_is_drift_but_reserved_tags_are_not() -> None:
    live = {**LIVE_WEBSET, "metadata": {TAG_PROJECT: "p", "note": "added by hand"}}
    assert diff_fields(Kind.WEBSET, {}, live) == (
        FieldChange("metadata", {"note": "added by hand"}, None),
    )


def test_search_definition_changes() -> None:
    spec = {"query": "AI startups in Europe", "count": 50, "entity": {"type": "company"}}
    assert diff_fields(Kind.SEARCH, spec, LIVE_SEARCH) == (
        FieldChange("query", "AI startups", "AI startups in Europe"),
        FieldChange("count", 10, 50),
    )


def test_declared_criteria_differ() -> None:
    spec = {"query": "AI startups", "criteria": [{"description": "Raised Series A"}]}
    assert diff_fields(Kind.SEARCH, spec, LIVE_SEARCH) == (
        FieldChange(
            "criteria", [{"description": "Is an AI startup"}], [{"description": "Raised Series A"}]
        ),
    )


def test_monitor_declared_query_is_compared() -> None:
    spec = {
        "cadence": {"cron": "0 9 * * 1"},
        "behavior": {"type": "search", "config": {"count": 10, "query": "other"}},
        "status": "enabled",
    }
    assert diff_fields(Kind.MONITOR, spec, LIVE_MONITOR) == (
        FieldChange("behavior.config.query", "new rounds", "other"),
    )


def test_creation_lists_every_declared_field() -> None:
    spec = {"description": "CEO", "format": "text", "metadata": {"owner": "g"}}
    assert diff_fields(Kind.ENRICHMENT, spec, None) == (
        FieldChange("description", None, "CEO"),
        FieldChange("format", None, "text"),
        FieldChange("metadata", None, {"owner": "g"}),
    )


def test_recall_estimate_means_recall_requested() -> None:
    live = {**LIVE_SEARCH, "recall": {"expected": {"total": 100}, "reasoning": "r"}}
    assert diff_fields(Kind.SEARCH, {"query": "AI startups", "recall": True}, live) == ()
    assert diff_fields(Kind.SEARCH, {"query": "AI startups"}, live) == (
        FieldChange("recall", True, False),
    )


def test_a_recall_estimate_not_worked_out_yet_is_not_a_change() -> None:
    # Recorded (API-NOTES §9): a new search answers recall null even when recall was requested.
    spec = {"query": "Fintech", "count": 2, "recall": True}
    live = {"query": "Fintech", "count": 2, "behavior": "override", "recall": None}
    assert diff_fields(Kind.SEARCH, spec, {**live, "status": "running"}) == ()
    # Once the search has run, null means recall was not requested.
    [change] = diff_fields(Kind.SEARCH, spec, {**live, "status": "completed"})
    assert (change.path, change.after) == ("recall", True)


@pytest.mark.parametrize(
    ("live", "desired"),
    [
        ({"count": 10}, {"count": 10}),
        ({"count": 1}, {"count": 1.0}),
        ({"count": 1}, {"count": True}),
        ({"a": {"b": [1, {"c": "x"}]}}, {"a": {"b": [1, {"c": "y"}]}}),
        ({"a": [1, 2]}, {"a": [1, 2, 3]}),
        ({"a": 1}, {"b": 1}),
        ({"a": None}, {"a": "x"}),
        ({}, {"title": "t", "metadata": {"k": "v"}, "events": ["a"]}),
    ],
)
def test_diff_without_deepdiff_agrees_with_deepdiff(
    live: dict[str, Any], desired: dict[str, Any]
) -> None:
    # The fast paths (identical pair, create) say exactly what DeepDiff says.
    from deepdiff import DeepDiff

    from websets_sync.plan.diff import identical

    deep = DeepDiff(live, desired, view="tree", threshold_to_diff_deeper=0)
    assert identical(live, desired) == (not deep)
    if not live:
        paths = {tuple(level.path(output_format="list")) for ls in deep.values() for level in ls}
        assert paths == {(name,) for name in desired}
