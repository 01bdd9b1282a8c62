"""Emulator quirks of monitors, webhooks, imports and events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from websets_sync.emulator import Emulator

API = "http://emulator.local/websets/v0"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc).timestamp()  # a Sunday, noon UTC


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=lambda: NOW)


@pytest.fixture
def api(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as client:
        yield client


def _monitor_body(webset_id: str, cron: str = "0 9 * * 1", **cadence: str) -> dict[str, Any]:
    return {
        "websetId": webset_id,
        "cadence": {"cron": cron, **cadence},
        "behavior": {"type": "search", "config": {"count": 3}},
    }


def test_monitor_create_is_201_with_computed_fields(api: httpx.Client) -> None:
    webset = api.post("/websets", json={"externalId": "w"}).json()
    response = api.post("/monitors", json=_monitor_body("w", timezone="America/New_York"))
    assert response.status_code == 201
    monitor = response.json()
    assert monitor["websetId"] == webset["id"]  # externalId accepted, stored as the id
    assert (monitor["status"], monitor["lastRun"], monitor["metadata"]) == ("enabled", None, {})
    assert monitor["behavior"]["config"]["behavior"] == "append"  # the monitor default
    # Monday 09:00 in New York (EST, UTC-5) is 14:00 UTC.
    assert monitor["nextRunAt"] == "2026-11-23T14:00:00.000Z"
    assert monitor["cadence"]["timezone"] == "America/New_York"


def test_monitor_timezone_defaults_to_utc(api: httpx.Client) -> None:
    webset = api.post("/websets", json={}).json()
    monitor = api.post("/monitors", json=_monitor_body(webset["id"], "30 6 * * *")).json()
    assert monitor["cadence"]["timezone"] == "Etc/UTC"
    assert monitor["nextRunAt"] == "2026-11-23T06:30:00.000Z"


@pytest.mark.parametrize(
    ("cron", "cadence", "message"),
    [
        ("0 * * * *", {}, "more than once per day"),
        ("*/30 9 * * *", {}, "more than once per day"),
        ("0 9,17 * * *", {}, "more than once per day"),
        ("0 9 * *", {}, "5 fields"),
        ("0 9 * * 1", {"timezone": "Mars/Olympus"}, "unknown IANA timezone"),
    ],
)
def test_monitor_cadence_rules(
    api: httpx.Client, cron: str, cadence: dict[str, str], message: str
) -> None:
    webset = api.post("/websets", json={}).json()
    response = api.post("/monitors", json=_monitor_body(webset["id"], cron, **cadence))
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_monitor_needs_an_existing_webset_and_count(api: httpx.Client) -> None:
    assert api.post("/monitors", json=_monitor_body("nope")).status_code == 404
    webset = api.post("/websets", json={}).json()
    body = _monitor_body(webset["id"])
    body["behavior"]["config"] = {"query": "x" * 2}
    response = api.post("/monitors", json=body)
    assert (response.status_code, response.json()["error"]) == (
        400,
        "behavior.config.count: is required",
    )


def test_monitor_update_patch_replaces_and_list_filters(api: httpx.Client) -> None:
    one = api.post("/websets", json={}).json()
    two = api.post("/websets", json={}).json()
    first = api.post("/monitors", json={**_monitor_body(one["id"]), "metadata": {"a": "1"}}).json()
    api.post("/monitors", json=_monitor_body(two["id"]))
    listed = api.get("/monitors", params={"websetId": one["id"]}).json()["data"]
    assert [m["id"] for m in listed] == [first["id"]]
    assert len(api.get("/monitors").json()["data"]) == 2
    patched = api.patch(
        f"/monitors/{first['id']}",
        json={"status": "disabled", "metadata": {"b": "2"}, "cadence": {"cron": "0 1 * * *"}},
    ).json()
    assert (patched["status"], patched["metadata"], patched["nextRunAt"]) == (
        "disabled",
        {"b": "2"},
        None,
    )
    assert patched["cadence"] == {"cron": "0 1 * * *", "timezone": "Etc/UTC"}
    deleted = api.delete(f"/monitors/{first['id']}")
    assert (deleted.status_code, deleted.json()["id"]) == (200, first["id"])
    assert api.get(f"/monitors/{first['id']}").status_code == 404


def test_webhook_secret_only_in_create_response(api: httpx.Client) -> None:
    created = api.post(
        "/webhooks", json={"events": ["webset.created"], "url": "https://h.example.com/x"}
    )
    assert created.status_code == 200
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_")
    assert (webhook["status"], webhook["metadata"]) == ("active", {})
    assert api.get(f"/webhooks/{webhook['id']}").json()["secret"] is None
    assert [w["secret"] for w in api.get("/webhooks").json()["data"]] == [None]
    patched = api.patch(f"/webhooks/{webhook['id']}", json={"status": "inactive", "events": []})
    assert patched.status_code == 400  # events must be 1..19
    patched = api.patch(f"/webhooks/{webhook['id']}", json={"metadata": {"k": "v"}}).json()
    assert (patched["secret"], patched["status"], patched["metadata"]) == (
        None,
        "active",
        {"k": "v"},
    )
    assert api.delete(f"/webhooks/{webhook['id']}").json()["secret"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "https://h.example.com"}, "events: is required"),
        ({"events": ["webset.exploded"], "url": "https://h.example.com"}, "unknown event type"),
        ({"events": ["webset.created"], "url": "ftp://h.example.com"}, "absolute http(s) URL"),
        ({"events": ["webset.created"]}, "url: is required"),
    ],
)
def test_webhook_validation(api: httpx.Client, body: dict[str, Any], message: str) -> None:
    response = api.post("/webhooks", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_import_create_is_201_with_upload_url_and_upload_needs_no_key(
    api: httpx.Client, emulator: Emulator
) -> None:
    body = {"format": "csv", "entity": {"type": "company"}, "size": 20, "count": 2}
    response = api.post("/imports", json=body)
    assert response.status_code == 201
    record = response.json()
    assert record["status"] == "pending" and record["title"]
    assert record["uploadUrl"].startswith("http://emulator.local/websets/v0/imports/")
    with httpx.Client(transport=emulator.transport()) as anonymous:  # a signed URL: no key
        upload = anonymous.put(record["uploadUrl"], content=b"url\nhttps://a.example.com\n")
    assert (upload.status_code, upload.content) == (200, b"")
    assert api.get(f"/imports/{record['id']}").json()["status"] == "processing"
    assert "uploadUrl" not in api.get(f"/imports/{record['id']}").json()
    missing = api.post("/imports", json={"format": "csv", "size": 1, "count": 1})
    assert (missing.status_code, missing.json()["error"]) == (400, "entity: is required")


def test_webset_with_import_embeds_it(api: httpx.Client) -> None:
    body = {"format": "csv", "entity": {"type": "company"}, "size": 20, "count": 2}
    record = api.post("/imports", json=body).json()
    webset = api.post("/websets", json={"import": [{"source": "import", "id": record["id"]}]})
    assert [i["id"] for i in webset.json()["imports"]] == [record["id"]]
    unknown = api.post("/websets", json={"import": [{"source": "import", "id": "import_x"}]})
    assert unknown.status_code == 404


def test_events_record_creations(api: httpx.Client) -> None:
    webset = api.post("/websets", json={"search": {"query": "Museums", "count": 1}}).json()
    events = api.get("/events").json()["data"]
    # Newest first, like every list (API-NOTES §9 R7; events are not recorded: assumed).
    assert [e["type"] for e in events] == ["webset.search.created", "webset.created"]
    only = api.get("/events", params={"types": "webset.search.created"}).json()["data"]
    assert [e["data"]["websetId"] for e in only] == [webset["id"]]
    assert api.get(f"/events/{events[1]['id']}").json()["data"]["id"] == webset["id"]


def test_events_filter_by_creation_time(api: httpx.Client) -> None:
    api.post("/websets", json={})
    assert (
        len(api.get("/events", params={"createdAfter": "2026-11-22T11:59:00Z"}).json()["data"]) == 1
    )
    assert api.get("/events", params={"createdBefore": "2026-11-22T11:59:59Z"}).json()["data"] == []
    # Both bounds are inclusive (spec: "before or at", "after or at").
    at = {"createdBefore": "2026-11-22T12:00:00Z", "createdAfter": "2026-11-22T12:00:00Z"}
    assert len(api.get("/events", params=at).json()["data"]) == 1
    assert api.get("/events", params={"createdAfter": "yesterday"}).status_code == 400
