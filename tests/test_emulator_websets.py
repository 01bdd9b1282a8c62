"""Emulator quirks of websets: status codes, 409, externalId paths, metadata, lists, embeds."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from websets_sync.emulator import Emulator

API = "http://emulator.local/websets/v0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> Emulator:
    return Emulator(clock=clock)


@pytest.fixture
def api(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as client:
        yield client


def test_create_answers_201_and_server_filled_fields_come_later(
    api: httpx.Client, clock: Clock
) -> None:
    response = api.post(
        "/websets", json={"search": {"query": "Fintech startups in Paris", "count": 2}}
    )
    assert response.status_code == 201
    webset = response.json()
    # Recorded (R3, R4): no title and no criteria yet; the search runs at once.
    assert webset["title"] is None
    assert webset["metadata"] == {}
    assert webset["externalId"] is None
    assert webset["status"] == "running"
    assert webset["dashboardUrl"].endswith(webset["id"])
    assert webset["id"].startswith("webset_") and len(webset["id"]) == len("webset_") + 26
    (search,) = webset["searches"]
    assert search["id"].startswith("wsearch_")
    assert search["entity"] == {"type": "company"}
    assert (search["criteria"], search["status"], search["progress"]["timeLeft"]) == (
        [],
        "running",
        None,
    )
    assert (search["behavior"], search["metadata"], search["count"]) == ("override", {}, 2)
    assert response.headers["X-Request-Id"].startswith("req_")
    clock.now += 1
    later = api.get(f"/websets/{webset['id']}").json()
    assert later["title"] == "Companies: Fintech startups, Paris"  # the recorded style
    assert later["searches"][0]["criteria"] and later["items"] == []


def test_inline_search_metadata_is_not_stored(api: httpx.Client) -> None:
    body = {"search": {"query": "Biotech firms", "count": 1, "metadata": {"k": "v"}}}
    webset = api.post("/websets", json=body).json()
    assert webset["searches"][0]["metadata"] == {}


def test_enrichments_in_create_body_are_created_with_the_webset(api: httpx.Client) -> None:
    body = {"enrichments": [{"description": "Contact email"}, {"description": "HQ city"}]}
    webset = api.post("/websets", json=body).json()
    formats = [(e["description"], e["format"], e["status"]) for e in webset["enrichments"]]
    assert formats == [("Contact email", "email", "pending"), ("HQ city", "text", "pending")]
    assert all(e["title"] is None is e["instructions"] for e in webset["enrichments"])
    assert all(e["id"].startswith("wenrich_") for e in webset["enrichments"])


def test_duplicate_external_id_is_409_with_error_body(api: httpx.Client) -> None:
    assert api.post("/websets", json={"externalId": "crm-1"}).status_code == 201
    response = api.post("/websets", json={"externalId": "crm-1"})
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"requestId", "error", "tag"}
    assert body["requestId"] == response.headers["X-Request-Id"]
    assert body["error"] == "Webset with this externalId already exists"


def test_external_id_works_in_webset_paths_and_is_percent_decoded(api: httpx.Client) -> None:
    webset = api.post("/websets", json={"externalId": "team a/leads"}).json()
    assert api.get("/websets/team%20a%2Fleads").json()["id"] == webset["id"]
    enrichment = api.post(
        "/websets/team%20a%2Fleads/enrichments", json={"description": "CEO name"}
    ).json()
    path = f"/websets/team%20a%2Fleads/enrichments/{enrichment['id']}"
    assert api.get(path).json()["websetId"] == webset["id"]
    assert api.get("/websets/team%20a%2Fleads/items").json()["data"] == []
    assert api.post("/websets/team%20a%2Fleads", json={"title": "T"}).json()["title"] == "T"


def test_update_is_post_and_replaces_metadata(api: httpx.Client) -> None:
    webset = api.post("/websets", json={"metadata": {"a": "1", "b": "2"}}).json()
    updated = api.post(f"/websets/{webset['id']}", json={"metadata": {"c": "3"}})
    assert updated.status_code == 200
    assert updated.json()["metadata"] == {"c": "3"}
    cleared = api.post(f"/websets/{webset['id']}", json={"metadata": None}).json()
    assert cleared["metadata"] == {}
    assert api.patch(f"/websets/{webset['id']}", json={}).status_code == 404


def test_delete_answers_200_with_the_object_then_404(api: httpx.Client) -> None:
    webset = api.post("/websets", json={"externalId": "gone"}).json()
    deleted = api.delete("/websets/gone")
    assert (deleted.status_code, deleted.json()["id"]) == (200, webset["id"])
    missing = api.get(f"/websets/{webset['id']}")
    # Recorded (R6): the NestJS shape, not {requestId, error, tag}.
    assert missing.status_code == 404
    assert missing.json() == {
        "statusCode": 404,
        "timestamp": "2026-09-21T14:13:20.000Z",
        "message": "Webset not found",
        "error": "Not Found",
        "path": f"/v0/websets/{webset['id']}",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"search": {"query": ""}}, "search.query: must be at least 1 characters long"),
        ({"search": {"query": "x", "count": 0}}, "search.count: must be >= 1"),
        ({"search": {"query": "x", "criteria": []}}, "search.criteria: must be a list of 1 to 5"),
        ({"externalId": "x" * 301}, "externalId: must be at most 300 characters long"),
        ({"metadata": {"k": 1}}, "metadata.k: must be a string"),
        ({"metadata": {"k": "v" * 1001}}, "metadata.k: must be at most 1000 characters long"),
        ({"search": {"query": "x", "entity": {"type": "robot"}}}, "search.entity.type: must be"),
        ({"enrichments": [{"description": "d", "format": "options"}]}, "needs options"),
    ],
)
def test_invalid_create_bodies_are_400_naming_the_field(
    api: httpx.Client, body: dict[str, object], message: str
) -> None:
    response = api.post("/websets", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert api.get("/websets").json()["data"] == []  # nothing was created


def test_unknown_top_level_fields_are_ignored(api: httpx.Client) -> None:
    assert api.post("/websets", json={"name": "x", "description": "y"}).status_code == 201


def test_list_paginates_newest_first_with_an_opaque_cursor(api: httpx.Client) -> None:
    ids = [api.post("/websets", json={}).json()["id"] for _ in range(5)]
    newest_first = ids[::-1]
    first = api.get("/websets", params={"limit": 2}).json()
    assert ([w["id"] for w in first["data"]], first["hasMore"]) == (newest_first[:2], True)
    # Recorded: the cursor is the last id given without its prefix (clients must not rely on it).
    assert first["nextCursor"] == newest_first[1].removeprefix("webset_")
    api.delete(f"/websets/{newest_first[1]}")  # a cursor outlives the object it names
    second = api.get("/websets", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [w["id"] for w in second["data"]] == newest_first[2:4]
    last = api.get("/websets", params={"limit": 2, "cursor": second["nextCursor"]}).json()
    assert ([w["id"] for w in last["data"]], last["hasMore"], last["nextCursor"]) == (
        newest_first[4:],
        False,
        None,
    )


@pytest.mark.parametrize(
    ("path", "limit", "status"),
    [
        ("/websets", 100, 200),
        ("/websets", 101, 400),
        ("/websets", 0, 400),
        ("/monitors", 200, 200),
        ("/monitors", 201, 400),
        ("/webhooks", 201, 400),
        ("/imports", 201, 400),
        ("/events", 201, 400),
    ],
)
def test_list_limits(api: httpx.Client, path: str, limit: int, status: int) -> None:
    assert api.get(path, params={"limit": limit}).status_code == status


def test_item_list_limit_is_100(api: httpx.Client) -> None:
    webset = api.post("/websets", json={}).json()
    assert api.get(f"/websets/{webset['id']}/items", params={"limit": 100}).status_code == 200
    assert api.get(f"/websets/{webset['id']}/items", params={"limit": 101}).status_code == 400


def test_list_and_get_embed_children_oldest_first(api: httpx.Client) -> None:
    webset = api.post("/websets", json={"search": {"query": "first", "count": 1}}).json()
    api.post(f"/websets/{webset['id']}/searches", json={"query": "second", "count": 1})
    monitor = api.post(
        "/monitors",
        json={
            "websetId": webset["id"],
            "cadence": {"cron": "0 6 * * *"},
            "behavior": {"type": "search", "config": {"count": 1}},
        },
    ).json()
    listed = api.get("/websets").json()["data"][0]
    assert [s["query"] for s in listed["searches"]] == ["first", "second"]
    assert [m["id"] for m in listed["monitors"]] == [monitor["id"]]
    assert listed["imports"] == [] and listed["enrichments"] == []


def test_auth_is_required(emulator: Emulator) -> None:
    with httpx.Client(transport=emulator.transport(), base_url=API) as anonymous:
        response = anonymous.get("/websets")
        # Recorded (R5): 400 without a tag, not the documented 401.
        assert response.status_code == 400
        assert response.json() == {
            "requestId": response.headers["X-Request-Id"],
            "error": "x-api-key header is invalid",
        }
        bearer = anonymous.get("/websets", headers={"Authorization": "Bearer k"})
        assert bearer.status_code == 200


def test_a_configured_api_key_must_match() -> None:
    emulator = Emulator(api_key="right")
    with httpx.Client(transport=emulator.transport(), base_url=API) as client:
        assert client.get("/websets", headers={"x-api-key": "wrong"}).status_code == 400
        assert client.get("/websets", headers={"x-api-key": "right"}).status_code == 200


def test_malformed_bodies_and_cursors_are_400(api: httpx.Client) -> None:
    not_json = api.post("/websets", content=b"{nope", headers={"content-type": "application/json"})
    assert (not_json.status_code, not_json.json()["tag"]) == (400, "INVALID_REQUEST_BODY")
    assert api.post("/websets", json=[1, 2]).status_code == 400
    bad_cursor = api.get("/websets", params={"cursor": "garbage"})
    assert (bad_cursor.status_code, bad_cursor.json()["tag"]) == (400, "INVALID_REQUEST")


def test_every_answer_has_a_distinct_request_id(api: httpx.Client) -> None:
    responses = [api.get("/websets"), api.get("/missing"), api.post("/websets", json={})]
    ids = [r.headers["X-Request-Id"] for r in responses]
    assert len(set(ids)) == 3
    assert responses[1].json() == {
        "statusCode": 404,
        "timestamp": "2026-09-21T14:13:20.000Z",
        "message": "Cannot GET /websets/v0/missing",
        "error": "Not Found",
        "path": "/v0/missing",
    }


def test_list_search_filter_matches_id_external_id_or_title(api: httpx.Client) -> None:
    api.post("/websets", json={"externalId": "crm-accounts"})
    titled = api.post("/websets", json={"title": "Berlin CRM leads"}).json()
    api.post("/websets", json={"externalId": "other"})
    found = api.get("/websets", params={"search": "crm"}).json()["data"]
    assert [w.get("externalId") or w["title"] for w in found] == [titled["title"], "crm-accounts"]
    assert api.get("/websets", params={"search": "c"}).status_code == 400
