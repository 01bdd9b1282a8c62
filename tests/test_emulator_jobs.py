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


def test_search_is_running_at_once_then_progresses_on_the_clock(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, search={"query": "Solar installers in Spain", "count": 9})
    path = f"/websets/{webset['id']}/searches/{webset['searches'][0]['id']}"
    seen = []
    for _ in range(5):
        search = api.get(path).json()
        seen.append((search["status"], search["progress"]["found"], search["progress"]["timeLeft"]))
        clock.advance(3)
    # Recorded: running at once with timeLeft null; after generate_seconds (0.5 s) found grows
    # linearly up to count at 10 s.
    assert seen == [
        ("running", 0, None),
        ("running", 2, 7),
        ("running", 5, 4),
        ("running", 8, 1),
        ("completed", 9, 0),
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


def _item_ids(api: httpx.Client, webset: dict[str, Any]) -> set[str]:
    items = api.get(f"/websets/{webset['id']}/items", params={"limit": 100}).json()["data"]
    return {item["id"] for item in items}


def test_override_search_keeps_the_earlier_items_that_match_append_keeps_all(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, search={"query": "Breweries", "count": 3})
    clock.advance(10)
    searches = f"/websets/{webset['id']}/searches"
    api.post(searches, json={"query": "Craft breweries", "count": 2, "behavior": "append"})
    clock.advance(10)
    earlier = _item_ids(api, webset)
    assert len(earlier) == 5
    api.post(searches, json={"query": "Cideries", "count": 1})  # behavior defaults to override
    clock.advance(10)
    after = _item_ids(api, webset)
    # The spec: override re-evaluates earlier items and keeps the matches (seeded: 2 of 5 here;
    # the seed is the ids, which count every object made, events included), then adds what the
    # new search finds.
    assert len(earlier & after) == 2
    assert len(after - earlier) == 1


def test_override_discards_items_of_another_entity_and_scope_forces_override(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, search={"query": "Breweries", "count": 3})
    clock.advance(10)
    searches = f"/websets/{webset['id']}/searches"
    people = {"query": "Brewers", "count": 1, "entity": {"type": "person"}}
    scoped = api.post(
        searches,
        json={**people, "behavior": "append", "scope": [{"source": "webset", "id": webset["id"]}]},
    ).json()
    assert scoped["behavior"] == "override"  # the spec: with scope, the behavior is override
    clock.advance(10)
    items = api.get(f"/websets/{webset['id']}/items").json()["data"]
    assert [item["properties"]["type"] for item in items] == ["person"]


def test_search_create_answers_201_as_recorded_and_validates(api: httpx.Client) -> None:
    webset = _webset(api)
    searches = f"/websets/{webset['id']}/searches"
    body = {"query": "Papers on protein folding", "count": 2, "metadata": {"k": "v"}}
    created = api.post(searches, json=body)
    assert created.status_code == 201
    answer = created.json()
    assert answer["entity"] == {"type": "research_paper"}
    # Recorded (R12, R3): metadata is not kept; generated criteria come later.
    assert (answer["metadata"], answer["criteria"], answer["status"]) == ({}, [], "running")
    assert api.get(f"{searches}/{answer['id']}").json()["metadata"] == {}
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


def test_enrichment_create_is_201_and_no_source_limits_how_many(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, enrichments=[{"description": f"Fact {n}"} for n in range(11)])
    path = f"/websets/{webset['id']}/enrichments"
    twelfth = api.post(path, json={"description": "Number of employees"})
    assert (twelfth.status_code, twelfth.json()["format"]) == (201, "number")
    # Recorded (R3): title and instructions are generated a moment later.
    assert (twelfth.json()["title"], twelfth.json()["instructions"]) == (None, None)
    clock.advance(1)
    reread = api.get(f"{path}/{twelfth.json()['id']}").json()
    assert reread["title"] == "Number Of Employees"
    assert reread["instructions"].startswith("For each item, find: Number of employees")


def test_enrichment_patch_answers_the_updated_enrichment_and_reruns(
    api: httpx.Client, clock: Clock
) -> None:
    webset = _webset(api, enrichments=[{"description": "Founding year", "metadata": {"a": "1"}}])
    enrichment = webset["enrichments"][0]
    path = f"/websets/{webset['id']}/enrichments/{enrichment['id']}"
    clock.advance(5)
    assert api.get(path).json()["status"] == "completed"
    response = api.patch(path, json={"format": "options", "options": [{"label": "Old"}]})
    assert response.status_code == 200
    answered = response.json()
    # Recorded (R2): the updated enrichment, its generated fields null again until regenerated.
    assert (answered["id"], answered["title"], answered["instructions"]) == (
        enrichment["id"],
        None,
        None,
    )
    reread = api.get(path).json()
    assert reread == answered
    assert (reread["format"], reread["options"], reread["status"]) == (
        "options",
        [{"label": "Old"}],
        "pending",
    )
    assert api.patch(path, json={"format": "url"}).status_code == 200
    assert api.get(path).json()["options"] is None  # switching format drops the options
    # No source forbids options with another format: they are kept as sent.
    with_url = api.patch(path, json={"format": "url", "options": [{"label": "x"}]})
    assert (with_url.status_code, with_url.json()["options"]) == (200, [{"label": "x"}])
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
