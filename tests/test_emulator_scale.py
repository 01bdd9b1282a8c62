"""The emulator stays fast: no request walks every stored object (issue 11, item 7).

Lookups go through indexes (id, parent webset, externalId, creation order) and time only moves
the objects still changing, so a request costs the same whatever the account holds. Checked
structurally (the store's full walk is forbidden while requests are answered), not by timing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from websets_sync.emulator import Emulator, Timing
from websets_sync.emulator.store import KINDS, Store

API = "http://emulator.local/websets/v0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def _filled_account(api: httpx.Client, clock: Clock, websets: int) -> list[dict[str, Any]]:
    made = []
    for n in range(websets):
        body = {
            "externalId": f"ws-{n}",
            "search": {"query": f"Companies number {n}", "count": 20},
            "enrichments": [{"description": "CEO name"}],
        }
        made.append(api.post("/websets", json=body).json())
    api.post("/monitors", json=_monitor(made[0]["id"]))
    api.post("/webhooks", json={"url": "https://hooks.example.com/x", "events": ["webset.idle"]})
    clock.now += 60
    api.get("/websets", params={"limit": 1})  # time passes: every job completes
    return made


def _monitor(webset_id: str) -> dict[str, Any]:
    config = {"count": 1}
    return {
        "websetId": webset_id,
        "cadence": {"cron": "0 9 * * 1"},
        "behavior": {"type": "search", "config": config},
    }


def test_no_request_walks_every_stored_object(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    emulator = Emulator(clock=clock, timing=Timing(search_seconds=1.0, generate_seconds=0.5))
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as api:
        made = _filled_account(api, clock, websets=60)
        assert len(emulator.store.all("item")) == 60 * 20
        # Nothing is still changing, so time passing visits nothing.
        assert all(not emulator.store.active(kind) for kind in KINDS)

        walked: list[str] = []

        def forbidden(store: Store, kind: str) -> list[dict[str, Any]]:
            walked.append(kind)
            return []

        monkeypatch.setattr(Store, "all", forbidden)
        webset = made[30]
        path = f"/websets/{webset['id']}"
        answers = [
            api.get(path, params={"expand": "items"}),
            api.get("/websets/ws-31"),
            api.get("/websets", params={"limit": 5}),
            api.get(f"{path}/items", params={"limit": 5}),
            api.post(f"{path}/searches", json={"query": "More companies", "count": 2}),
            api.post(f"{path}/enrichments", json={"description": "Founding year"}),
            api.patch(
                f"{path}/enrichments/{webset['enrichments'][0]['id']}",
                json={"description": "Name of the CEO"},
            ),
            api.get("/monitors", params={"websetId": made[0]["id"]}),
            api.get("/webhooks"),
            api.get("/imports"),
            api.get("/events", params={"limit": 3}),
            api.post("/websets", json={"externalId": "ws-new"}),
            api.post("/websets", json={"externalId": "ws-0"}),  # 409 via the externalId index
            api.delete(f"/websets/{made[59]['id']}"),
        ]
        clock.now += 60
        answers.append(api.get(path))
    assert [a.status_code for a in answers] == [200] * 4 + [201] * 2 + [200] * 5 + [
        201,
        409,
        200,
        200,
    ]
    assert walked == []


def test_pages_follow_cursors_newest_first_through_a_large_listing() -> None:
    clock = Clock()
    emulator = Emulator(clock=clock)
    for n in range(450):
        emulator.seed("webset", {"externalId": f"ws-{n}"})
    with httpx.Client(
        transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"}
    ) as api:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = api.get("/websets", params=params).json()
            seen += [w["externalId"] for w in page["data"]]
            cursor = page["nextCursor"]
            if not page["hasMore"]:
                break
    assert seen == [f"ws-{n}" for n in reversed(range(450))]
