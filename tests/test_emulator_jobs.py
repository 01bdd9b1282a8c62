"""Emulator searches and enrichments: progress on the emulator's clock, items, limits, PATCH."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from websets_sync.emulator import Emulator, Timing

API = "http://emulator.local/websets/v0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(clock: Clock) -> Iterator[httpx.Client]:
    emulator = Emulator(clock=clock, seed=3, timing=Timing(search_seconds=10, enrichment_seconds=1))
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as client:
        yield client


def _webset(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/websets", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_search_progresses_created_running_completed_on_the_clock(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, search={"query": "Solar installers in Spain", "count": 9})
    path = f"/websets/{webset['id']}/searches/{webset['searches'][0]['id']}"
    seen = []
    for _ in range(5):
        search = api.get(path).json()
        seen.append((search["status"], search["progress"]["found"]))
        clock.advance(3)
    # 10 s in all: "created" for the first 10%, then found grows linearly up to count.
    assert seen == [
        ("created", 0),
        ("running", 2),
        ("running", 5),
        ("running", 8),
        ("completed", 9),
    ]
    final = api.get(path).json()
    assert final["progress"]["completion"] == 100
    assert all(c["successRate"] > 0 for c in final["criteria"])
    items = api.get(f"/websets/{webset['id']}/items", params={"limit": 100}).json()["data"]
    assert len(items) == 9
    assert {i["sourceId"] for i in items} == {final["id"]}
    assert items[0]["properties"]["type"] == "company"


def test_generated_items_are_deterministic_for_a_seed() -> None:
    names = []
    for _ in range(2):
        clock = Clock()
        emulator = Emulator(clock=clock, seed=11)
        with httpx.Client(
            transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
        ) as api:
            webset = _webset(api, search={"query": "Founders of robotics startups", "count": 3})
            clock.advance(60)
            items = api.get(f"/websets/{webset['id']}/items").json()["data"]
            names.append([i["properties"]["person"]["name"] for i in items])
    assert names[0] == names[1] and len(names[0]) == 3


def test_webset_is_running_until_searches_and_enrichments_finish(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(
        api,
        search={"query": "Bakeries in Lyon", "count": 2},
        enrichments=[{"description": "Phone number"}],
    )
    assert webset["status"] == "running"
    clock.advance(10)
    after_search = api.get(f"/websets/{webset['id']}").json()
    assert after_search["searches"][0]["status"] == "completed"
    # Enrichments finish once no search runs and their own time has passed.
    assert (after_search["status"], after_search["enrichments"][0]["status"]) == (
        "idle",
        "completed",
    )
    items = api.get(f"/websets/{webset['id']}/items").json()["data"]
    result = items[0]["enrichments"][0]
    assert (result["status"], result["format"]) == ("completed", "phone")
    assert result["result"] and result["result"][0].startswith("+1 555")


def test_override_search_discards_earlier_items_append_keeps_them(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, search={"query": "Breweries", "count": 3})
    clock.advance(10)
    searches = f"/websets/{webset['id']}/searches"
    api.post(searches, json={"query": "Craft breweries", "count": 2, "behavior": "append"})
    clock.advance(10)
    assert len(api.get(f"/websets/{webset['id']}/items").json()["data"]) == 5
    api.post(searches, json={"query": "Cideries", "count": 1})  # behavior defaults to override
    clock.advance(10)
    assert len(api.get(f"/websets/{webset['id']}/items").json()["data"]) == 1


def test_search_create_answers_200_and_validates(api: httpx.Client) -> None:
    webset = _webset(api)
    searches = f"/websets/{webset['id']}/searches"
    created = api.post(searches, json={"query": "Papers on protein folding", "count": 2})
    assert created.status_code == 200
    assert created.json()["entity"] == {"type": "research_paper"}
    missing_count = api.post(searches, json={"query": "x"})
    assert (missing_count.status_code, missing_count.json()["error"]) == (400, "count: is required")
    bad_behavior = api.post(searches, json={"query": "x", "count": 1, "behavior": "merge"})
    assert bad_behavior.status_code == 400
    assert api.post("/websets/nope/searches", json={"query": "x", "count": 1}).status_code == 404


def test_cancel_webset_cancels_searches_and_enrichments(api: httpx.Client) -> None:
    webset = _webset(
        api, search={"query": "Ski resorts", "count": 5}, enrichments=[{"description": "Height"}]
    )
    canceled = api.post(f"/websets/{webset['id']}/cancel").json()
    assert canceled["status"] == "idle"
    search = canceled["searches"][0]
    assert (search["status"], search["canceledReason"]) == ("canceled", "webset_canceled")
    assert search["canceledAt"] is not None
    assert canceled["enrichments"][0]["status"] == "canceled"


def test_enrichment_create_is_200_and_the_eleventh_is_400(api: httpx.Client) -> None:
    webset = _webset(api, enrichments=[{"description": f"Fact {n}"} for n in range(9)])
    path = f"/websets/{webset['id']}/enrichments"
    tenth = api.post(path, json={"description": "Number of employees"})
    assert (tenth.status_code, tenth.json()["format"]) == (200, "number")
    eleventh = api.post(path, json={"description": "One too many"})
    assert eleventh.status_code == 400
    assert "at most 10 enrichments" in eleventh.json()["error"]


def test_enrichment_patch_answers_empty_200_and_reruns(api: httpx.Client, clock: Clock) -> None:
    webset = _webset(api, enrichments=[{"description": "Founding year", "metadata": {"a": "1"}}])
    enrichment = webset["enrichments"][0]
    path = f"/websets/{webset['id']}/enrichments/{enrichment['id']}"
    clock.advance(5)
    assert api.get(path).json()["status"] == "completed"
    response = api.patch(path, json={"format": "options", "options": [{"label": "Old"}]})
    assert (response.status_code, response.content) == (200, b"")
    assert "content-type" not in response.headers
    reread = api.get(path).json()
    assert (reread["format"], reread["options"], reread["status"]) == (
        "options",
        [{"label": "Old"}],
        "pending",
    )
    assert api.patch(path, json={"format": "url", "options": [{"label": "x"}]}).status_code == 400
    assert api.patch(path, json={"format": "url"}).status_code == 200
    assert api.get(path).json()["options"] is None  # switching format drops the options
    assert api.patch(path, json={"format": "options"}).status_code == 400  # needs options
    api.patch(path, json={"metadata": {"b": "2"}})
    assert api.get(path).json()["metadata"] == {"b": "2"}  # replaced, not merged
    api.patch(path, json={"metadata": None})
    assert api.get(path).json()["metadata"] == {}


def test_enrichment_delete_returns_it_and_removes_its_results(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(
        api, search={"query": "Zoos", "count": 1}, enrichments=[{"description": "Animals"}]
    )
    clock.advance(20)
    enrichment_id = webset["enrichments"][0]["id"]
    deleted = api.delete(f"/websets/{webset['id']}/enrichments/{enrichment_id}")
    assert (deleted.status_code, deleted.json()["id"]) == (200, enrichment_id)
    item = api.get(f"/websets/{webset['id']}/items").json()["data"][0]
    assert item["enrichments"] == []
    gone = api.get(f"/websets/{webset['id']}/enrichments/{enrichment_id}")
    assert gone.status_code == 404


def test_item_get_and_delete(api: httpx.Client, clock: Clock) -> None:
    webset = _webset(api, search={"query": "Lighthouses", "count": 2})
    clock.advance(20)
    items = f"/websets/{webset['id']}/items"
    first = api.get(items).json()["data"][0]
    assert api.get(f"{items}/{first['id']}").json()["id"] == first["id"]
    assert api.delete(f"{items}/{first['id']}").json()["id"] == first["id"]
    assert [i["id"] for i in api.get(items).json()["data"]] != [first["id"]]
    assert len(api.get(items).json()["data"]) == 1
