"""Emulated time: monitors run when due, events of every type, imports read their CSV, credits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from websets_sync.emulator import Emulator
from websets_sync.emulator.store import Store
from websets_sync.emulator.validate import EVENT_TYPES

API = "http://emulator.local/websets/v0"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc).timestamp()  # a Sunday, noon UTC
DAY = 24 * 3600.0


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=lambda: NOW)


@pytest.fixture
def api(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as client:
        yield client


def _types(api: httpx.Client) -> list[str]:
    data = api.get("/events", params={"limit": 200}).json()["data"]
    return [e["type"] for e in sorted(data, key=lambda e: (e["createdAt"], e["id"]))]


def _webset(api: httpx.Client, count: int = 2, **extra: Any) -> dict[str, Any]:
    body = {"search": {"query": "Fintech startups in London", "count": count}, **extra}
    response = api.post("/websets", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _daily_monitor(api: httpx.Client, webset_id: str, **config: Any) -> dict[str, Any]:
    body = {
        "websetId": webset_id,
        "cadence": {"cron": "0 9 * * *"},  # 09:00 UTC every day
        "behavior": {"type": "search", "config": {"count": 2, **config}},
    }
    response = api.post("/monitors", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_monitor_runs_when_due_and_its_run_adds_items(
    emulator: Emulator, api: httpx.Client
) -> None:
    webset = _webset(api)
    emulator.advance_clock(60)
    monitor = _daily_monitor(api, webset["id"])
    assert monitor["nextRunAt"] == "2026-11-23T09:00:00.000Z"
    emulator.advance_clock(20 * 3600)  # 08:01 next day: not yet
    assert api.get(f"/monitors/{monitor['id']}/runs").json()["data"] == []
    emulator.advance_clock(3600)  # 09:01: due
    runs = api.get(f"/monitors/{monitor['id']}/runs").json()["data"]
    assert [(r["status"], r["type"], r["monitorId"]) for r in runs] == [
        ("running", "search", monitor["id"])
    ]
    emulator.advance_clock(60)
    run = api.get(f"/monitors/{monitor['id']}/runs/{runs[0]['id']}").json()
    assert run["status"] == "completed" and run["completedAt"] is not None
    read = api.get(f"/monitors/{monitor['id']}").json()
    assert read["lastRun"] == run
    assert read["nextRunAt"] == "2026-11-24T09:00:00.000Z"  # moved on
    searches = api.get(f"/websets/{webset['id']}").json()["searches"]
    # The run searched with the webset's last query (the monitor config has none) and appended.
    assert [(s["query"], s["behavior"]) for s in searches] == [
        ("Fintech startups in London", "override"),
        ("Fintech startups in London", "append"),
    ]
    items = api.get(f"/websets/{webset['id']}/items", params={"limit": 100}).json()["data"]
    assert len(items) == 4
    assert api.get(f"/monitors/{monitor['id']}/runs/mrun_missing").status_code == 404


def test_a_clock_jump_runs_each_missed_day_once(emulator: Emulator, api: httpx.Client) -> None:
    webset = _webset(api, count=1)
    monitor = _daily_monitor(api, webset["id"], query="Neobanks in Paris", count=1)
    emulator.advance_clock(3 * DAY)
    runs = api.get(f"/monitors/{monitor['id']}/runs").json()["data"]
    assert len(runs) == 3
    api.patch(f"/monitors/{monitor['id']}", json={"status": "disabled"})
    emulator.advance_clock(2 * DAY)
    assert len(api.get(f"/monitors/{monitor['id']}/runs").json()["data"]) == 3
    assert api.get(f"/monitors/{monitor['id']}").json()["nextRunAt"] is None


def test_a_monitor_without_any_query_fails_its_run(emulator: Emulator, api: httpx.Client) -> None:
    webset = api.post("/websets", json={}).json()
    monitor = _daily_monitor(api, webset["id"])
    emulator.advance_clock(DAY)
    [run] = api.get(f"/monitors/{monitor['id']}/runs").json()["data"]
    assert run["status"] == "failed" and "No query" in run["failedReason"]


def test_every_event_type_is_emitted_at_its_moment(emulator: Emulator, api: httpx.Client) -> None:
    webset = _webset(api, count=2, enrichments=[{"description": "CEO name"}])
    emulator.advance_clock(1.5)  # one of two items found: the search is updated
    emulator.advance_clock(10)
    monitor = _daily_monitor(api, webset["id"], count=1)
    api.patch(f"/monitors/{monitor['id']}", json={"metadata": {"a": "b"}})
    emulator.advance_clock(DAY)
    emulator.advance_clock(60)
    api.delete(f"/monitors/{monitor['id']}")
    created = api.post(
        "/imports", json={"format": "csv", "entity": {"type": "company"}, "size": 9, "count": 1}
    ).json()
    httpx.Client(transport=emulator.transport()).put(created["uploadUrl"], content=b"url\nx\n")
    emulator.advance_clock(5)
    emulator.export(webset["id"])
    doomed = _webset(api, count=1, externalId="doomed")
    api.post(f"/websets/{doomed['id']}/searches/{doomed['searches'][0]['id']}/cancel")
    api.delete(f"/websets/{doomed['id']}")
    credits = Emulator(clock=lambda: NOW, credits=1)
    with httpx.Client(
        transport=credits.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as poor:
        _webset(poor, count=3)
        credits.advance_clock(10)
        paused = _types(poor)
    seen = set(_types(api)) | set(paused)
    assert sorted(set(EVENT_TYPES) - seen) == []
    types = _types(api)
    first = types[: types.index("monitor.created")]
    assert first[:2] == ["webset.created", "webset.search.created"]
    assert first.count("webset.item.created") == 2
    assert first.count("webset.item.enriched") == 2
    assert first[-1] == "webset.idle"
    assert first.index("webset.search.completed") < first.index("webset.idle")
    assert "webset.paused" in paused


def test_events_filter_by_types_and_validate_them(api: httpx.Client) -> None:
    _webset(api)
    both = api.get("/events", params=[("types", "webset.created"), ("types", "webset.idle")])
    assert [e["type"] for e in both.json()["data"]] == ["webset.created"]
    assert api.get("/events", params={"types": "webset.nope"}).status_code == 400


def test_an_import_counts_the_rows_of_its_csv(emulator: Emulator, api: httpx.Client) -> None:
    body = {"format": "csv", "entity": {"type": "company"}, "size": 50, "count": 99}
    created = api.post("/imports", json={**body, "csv": {"identifier": 1}}).json()
    upload = httpx.Client(transport=emulator.transport())
    csv = b'name,url\nAcme,https://acme.example\n"Beta, Inc",https://beta.example\n'
    assert upload.put(created["uploadUrl"], content=csv).status_code == 200
    assert api.get(f"/imports/{created['id']}").json()["count"] == 2
    emulator.advance_clock(5)
    done = api.get(f"/imports/{created['id']}").json()
    assert (done["status"], done["count"], done["failedReason"]) == ("completed", 2, None)


@pytest.mark.parametrize(
    ("content", "identifier", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", None, "invalid_format"),
        (b"url\n", None, "invalid_file_content"),
        (b"a,b\n1,2\n3\n", None, "invalid_file_content"),
        (b"name\nAcme\n", 3, "missing_identifier"),
    ],
)
def test_an_import_of_a_bad_file_fails_with_a_reason(
    emulator: Emulator, api: httpx.Client, content: bytes, identifier: int | None, reason: str
) -> None:
    body: dict[str, Any] = {"format": "csv", "entity": {"type": "company"}, "size": 9, "count": 1}
    if identifier is not None:
        body["csv"] = {"identifier": identifier}
    created = api.post("/imports", json=body).json()
    httpx.Client(transport=emulator.transport()).put(created["uploadUrl"], content=content)
    emulator.advance_clock(5)
    failed = api.get(f"/imports/{created['id']}").json()
    assert (failed["status"], failed["failedReason"]) == ("failed", reason)
    assert failed["failedAt"] is not None and failed["failedMessage"]
    assert "import.completed" not in _types(api)


def test_credits_run_out_402_and_searches_cancel(api: httpx.Client) -> None:
    emulator = Emulator(clock=lambda: NOW, credits=3)
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as poor:
        webset = _webset(poor, count=5)
        emulator.advance_clock(10)
        search = poor.get(f"/websets/{webset['id']}").json()["searches"][0]
        assert (search["status"], search["canceledReason"]) == ("canceled", "out_of_credits")
        items = poor.get(f"/websets/{webset['id']}/items").json()["data"]
        assert len(items) == search["progress"]["found"] == 3
        assert emulator.credits == 0
        refused = poor.post(f"/websets/{webset['id']}/searches", json={"query": "x", "count": 1})
        assert refused.status_code == 402
        assert refused.json()["tag"] == "NO_MORE_CREDITS"
        assert poor.get(f"/websets/{webset['id']}").status_code == 200  # reads still work
        emulator.reset()
        assert emulator.credits == 3


def test_the_priority_header_is_accepted(api: httpx.Client) -> None:
    for priority in ("low", "medium", "high"):
        headers = {"x-exa-websets-priority": priority}
        assert api.post("/websets", json={}, headers=headers).status_code == 201
    wrong = api.post("/websets", json={}, headers={"x-exa-websets-priority": "urgent"})
    assert wrong.status_code == 400


def test_preview_items_have_ids_and_creation_times(api: httpx.Client) -> None:
    response = api.post(
        "/websets/preview", params={"search": "true"}, json={"search": {"query": "Fintechs"}}
    )
    items = response.json()["items"]
    assert items and all(i["id"] and i["createdAt"] for i in items)
    assert len({i["id"] for i in items}) == len(items)


def test_a_reloaded_data_file_skips_the_runs_missed_while_no_emulator_ran(tmp_path: Any) -> None:
    data = tmp_path / "emulator.json"
    first = Emulator(clock=lambda: NOW, data_file=data)
    with httpx.Client(transport=first.transport(), base_url=API, headers={"x-api-key": "k"}) as api:
        webset = _webset(api, count=1)
        monitor = _daily_monitor(api, webset["id"])
    later = Emulator(clock=lambda: NOW + 200 * DAY, data_file=data)
    with httpx.Client(transport=later.transport(), base_url=API, headers={"x-api-key": "k"}) as api:
        assert api.get(f"/monitors/{monitor['id']}/runs").json()["data"] == []
        later.advance_clock(DAY)
        assert len(api.get(f"/monitors/{monitor['id']}/runs").json()["data"]) == 1


def test_a_tick_with_no_monitor_due_looks_at_no_monitor(
    emulator: Emulator, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    webset = _webset(api, count=1)
    for _ in range(20):
        _daily_monitor(api, webset["id"])
    hook = api.post("/webhooks", json={"url": "http://127.0.0.1:9/", "events": ["webset.idle"]})
    emulator.advance_clock(60)
    walked: list[str] = []
    real_all = Store.all

    def recording(store: Store, kind: str) -> list[dict[str, Any]]:
        walked.append(kind)
        return real_all(store, kind)

    monkeypatch.setattr(Store, "all", recording)
    assert api.get(f"/webhooks/{hook.json()['id']}").status_code == 200
    emulator.advance_clock(3600)
    assert "monitor" not in walked
    emulator.advance_clock(DAY)  # now one is due: the schedule is read again
    assert "monitor" in walked
