"""Every recorded real API exchange (recordings/, API-NOTES §9) replayed against `emulator serve`.

Each recording runs on a fresh emulator served over HTTP on 127.0.0.1, whose clock follows the
recording's timestamps and whose pace is the recorded one (``Timing.recorded()``). See
replay_support for what is compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from replay_support import (
    IdMap,
    Recording,
    ShapeComparison,
    load,
    recording_names,
    sent_with_a_bad_key,
)

from websets_sync.emulator import Emulator, Timing, serve

API_KEY = "replay-key"


class RecordedClock:
    """The emulator's clock, set to each exchange's recorded moment before it is sent."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Served:
    client: httpx.Client
    clock: RecordedClock


@pytest.fixture
def served() -> Iterator[Served]:
    clock = RecordedClock()
    emulator = Emulator(api_key=API_KEY, clock=clock, seed=5, timing=Timing.recorded())
    server, base_url = serve(emulator)
    try:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            yield Served(client, clock)
    finally:
        server.shutdown()
        server.server_close()


def replay(recording: Recording, served: Served) -> list[str]:
    """Differences between the recording and the emulator's answers (empty: it conforms)."""
    ids = IdMap()
    problems: list[str] = []
    for number, exchange in enumerate(recording.exchanges, start=1):
        served.clock.now = max(served.clock.now, exchange.moment)
        response = _send(served.client, exchange, ids)
        label = f"#{number} {exchange.method} {exchange.path}"
        if response.status_code != exchange.status:
            problems.append(f"{label}: status {response.status_code}, recorded {exchange.status}")
            continue
        recorded = exchange.response_body
        answered = response.json() if response.content else None
        if isinstance(recorded, dict) and "__raw__" in recorded:
            continue  # not JSON (the S3 upload's answer): nothing to compare but the status
        strict = exchange.status == 201 or exchange.method == "PATCH"
        comparison = ShapeComparison(ids, strict=strict)
        problems += [f"{label}: {p}" for p in comparison.compare(recorded, answered)]
        ids.learn(recorded, answered)
    return problems


def _send(client: httpx.Client, exchange: Any, ids: IdMap) -> httpx.Response:
    key = "not-the-key" if sent_with_a_bad_key(exchange) else API_KEY
    upload = ids.uploads.get(exchange.path)
    body = exchange.request_body
    if upload is not None:  # the presigned S3 PUT goes to the emulator's upload URL instead
        return client.put(upload, content=str(body["__raw__"]).encode())
    url = ids.path(exchange.path)
    params = httpx.QueryParams(exchange.query)
    headers = {"x-api-key": key}
    if body is None:
        return client.request(exchange.method, url, params=params, headers=headers)
    return client.request(exchange.method, url, params=params, headers=headers, json=ids.body(body))


def test_all_49_recordings_are_vendored_with_their_source_and_licence() -> None:
    names = recording_names()
    assert len(names) == 49
    assert all(load(name).source.startswith("benjaminjackson/exa-ruby@") for name in names)
    readme = (load.__globals__["RECORDINGS"] / "README.md").read_text(encoding="utf-8")
    assert "MIT License" in readme and "Copyright (c) 2025 Benjamin Jackson" in readme


@pytest.mark.parametrize("name", recording_names())
def test_the_emulator_answers_as_recorded(name: str, served: Served) -> None:
    assert replay(load(name), served) == []
