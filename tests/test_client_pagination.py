"""Lists: lazy iterators over every page, at each endpoint's largest page size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from client_support import Pages, Script, answer, emulator_client, make_client

from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.errors import TransportError


def _objects(prefix: str, count: int) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}_{i}"} for i in range(count)]


LISTS: list[tuple[str, str, int, Callable[[WebsetsClient], Iterator[dict[str, Any]]]]] = [
    ("websets", "/websets/v0/websets", 100, lambda c: c.iter_websets()),
    ("items", "/websets/v0/websets/ws_1/items", 100, lambda c: c.iter_items("ws_1")),
    ("monitors", "/websets/v0/monitors", 200, lambda c: c.iter_monitors()),
    ("webhooks", "/websets/v0/webhooks", 200, lambda c: c.iter_webhooks()),
    ("imports", "/websets/v0/imports", 200, lambda c: c.iter_imports()),
]


@pytest.mark.parametrize(("name", "path", "max_limit", "iterate"), LISTS, ids=[x[0] for x in LISTS])
def test_every_list_reads_all_pages_at_its_maximum_page_size(
    name: str, path: str, max_limit: int, iterate: Callable[[WebsetsClient], Any]
) -> None:
    objects = _objects(name, 2 * max_limit + 30)
    pages = Pages(objects, max_limit)
    script = Script(pages)
    assert list(iterate(make_client(script))) == objects
    assert [r.url.path for r in script.requests] == [path] * 3
    assert pages.queries == [
        {"limit": str(max_limit)},
        {"limit": str(max_limit), "cursor": str(max_limit)},
        {"limit": str(max_limit), "cursor": str(2 * max_limit)},
    ]


def test_230_websets_take_three_requests() -> None:
    pages = Pages(_objects("ws", 230), 100)
    websets = list(make_client(pages).iter_websets())
    assert len(websets) == 230
    assert len(pages.queries) == 3


def test_exactly_one_full_page_takes_one_request() -> None:
    pages = Pages(_objects("wh", 200), 200)
    assert len(list(make_client(pages).iter_webhooks())) == 200
    assert len(pages.queries) == 1


def test_an_empty_list_takes_one_request() -> None:
    pages = Pages([], 200)
    assert list(make_client(pages).iter_imports()) == []
    assert len(pages.queries) == 1


def test_monitor_filter_is_sent_on_every_page() -> None:
    pages = Pages(_objects("m", 450), 200)
    monitors = list(make_client(pages).iter_monitors(webset_id="ws 1/x"))
    assert len(monitors) == 450
    assert [q.get("websetId") for q in pages.queries] == ["ws 1/x"] * 3


def test_iteration_is_lazy() -> None:
    pages = Pages(_objects("ws", 250), 100)
    websets = make_client(pages).iter_websets()
    assert pages.queries == []
    first = [next(websets) for _ in range(100)]
    assert len(first) == 100
    assert len(pages.queries) == 1
    next(websets)
    assert len(pages.queries) == 2


def test_has_more_without_a_cursor_stops_instead_of_looping() -> None:
    script = Script(answer(200, {"data": [{"id": "a"}], "hasMore": True, "nextCursor": None}))
    assert list(make_client(script).iter_webhooks()) == [{"id": "a"}]
    assert len(script.requests) == 1


def test_a_cursor_that_does_not_advance_is_an_error_not_an_endless_loop() -> None:
    page = {"data": [{"id": "a"}], "hasMore": True, "nextCursor": "same"}
    script = Script(answer(200, page))
    with pytest.raises(TransportError, match="cursor did not advance"):
        list(make_client(script).iter_webhooks())
    assert len(script.requests) == 2


def test_a_page_without_data_is_an_error() -> None:
    script = Script(answer(200, {"hasMore": False}))
    with pytest.raises(TransportError, match="no data array"):
        list(make_client(script).iter_websets())


def test_a_failing_page_is_retried_and_iteration_continues() -> None:
    pages = Pages(_objects("wh", 300), 200)
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 2:  # the second page fails once
            return httpx.Response(503)
        return pages(request)

    assert len(list(make_client(flaky).iter_webhooks())) == 300
    assert len(calls) == 3
    assert pages.queries[-1] == {"limit": "200", "cursor": "200"}


# --- against the emulator ------------------------------------------------------------------------


def test_emulator_250_webhooks_come_in_two_pages_of_200() -> None:
    emulator = Emulator()
    client = emulator_client(emulator)
    for i in range(250):
        client.create_webhook({"url": f"https://hooks.test/{i}", "events": ["webset.idle"]})
    emulator.clear_log()
    webhooks = list(client.iter_webhooks())
    assert len(webhooks) == 250
    assert len({w["id"] for w in webhooks}) == 250
    assert emulator.count("GET", "/webhooks") == 2
    assert [httpx.QueryParams(e.query).get("limit") for e in emulator.request_log] == ["200"] * 2


def test_emulator_230_websets_come_in_three_pages_of_100() -> None:
    emulator = Emulator()
    client = emulator_client(emulator)
    for i in range(230):
        client.create_webset({"externalId": f"ws-{i}"})
    emulator.clear_log()
    websets = list(client.iter_websets())
    assert sorted(w["externalId"] for w in websets) == sorted(f"ws-{i}" for i in range(230))
    assert emulator.count("GET", "/websets") == 3
    assert [httpx.QueryParams(e.query).get("limit") for e in emulator.request_log] == ["100"] * 3
