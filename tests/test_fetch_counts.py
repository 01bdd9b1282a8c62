"""fetch_live_state reads everything with the two listings and nothing more."""

from __future__ import annotations

import math

import httpx
import pytest

from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.fetch import fetch_live_state
from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT, Kind

API_URL = "http://emulator.local/websets/v0"


def client_for(emulator: Emulator) -> WebsetsClient:
    http = httpx.Client(transport=emulator.transport())
    return WebsetsClient(http, api_key="test-key", api_url=API_URL, rate_limit=None)


def seed_account(emulator: Emulator, websets: int, webhooks: int) -> None:
    for index in range(websets):
        webset = emulator.seed("webset", {"externalId": f"ws-{index}"})
        emulator.seed("search", {"websetId": webset["id"], "query": f"q{index}"})
        emulator.seed("enrichment", {"websetId": webset["id"], "description": "CEO"})
    for index in range(webhooks):
        tags = {TAG_PROJECT: "p", TAG_EXTERNAL_ID: f"h{index}"}
        emulator.seed(
            "webhook",
            {"url": f"https://h.example.com/{index}", "events": ["webset.idle"], "metadata": tags},
        )


@pytest.mark.parametrize(("websets", "webhooks"), [(0, 0), (1, 0), (150, 3), (1000, 250)])
def test_fetch_costs_one_request_per_listing_page(websets: int, webhooks: int) -> None:
    emulator = Emulator()
    seed_account(emulator, websets, webhooks)
    emulator.clear_log()
    live = fetch_live_state(client_for(emulator))
    expected = max(1, math.ceil(websets / 100)) + max(1, math.ceil(webhooks / 200))
    assert len(emulator.request_log) == expected
    assert {entry.method for entry in emulator.request_log} == {"GET"}
    assert emulator.count("GET", "/websets") == max(1, math.ceil(websets / 100))
    assert emulator.count("GET", "/webhooks") == max(1, math.ceil(webhooks / 200))
    assert len(live.websets) == websets and len(live.webhooks) == webhooks
    assert all(len(w.searches) == 1 and len(w.enrichments) == 1 for w in live.websets)


def test_children_are_read_from_the_listing() -> None:
    emulator = Emulator()
    seed_account(emulator, 1, 1)
    webset_id = fetch_live_state(client_for(emulator)).websets[0].id
    emulator.seed(
        "monitor",
        {
            "websetId": webset_id,
            "cadence": {"cron": "0 9 * * 1"},
            "behavior": {"type": "search", "config": {"count": 5}},
        },
    )
    live = fetch_live_state(client_for(emulator))
    webset = live.websets[0]
    assert webset.external_id == "ws-0"
    assert [m.kind for m in webset.monitors] == [Kind.MONITOR]
    assert live.webhooks[0].tagged_external_id == "h0"
