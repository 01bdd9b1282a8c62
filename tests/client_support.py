"""Helpers for the client tests: simulated time and scripted fake APIs (httpx.MockTransport)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx

from websets_sync.client.endpoints import RequestRecord, WebsetsClient
from websets_sync.emulator import Emulator

API_KEY = "sk-test-7Hq2mZ9xKp4vL1"
API_URL = "https://api.test/websets/v0"

Step = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """Simulated monotonic time: ``sleep`` advances it instantly and is recorded."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class Script:
    """A fake API answering each request with the next step; the last step repeats forever."""

    def __init__(self, *steps: Step, time: FakeTime | None = None) -> None:
        assert steps
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []  # simulated time at which each request arrived
        self._time = time

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self._time is not None:
            self.times.append(self._time.now)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        return step(request)


def answer(status: int = 200, json: Any = None, headers: dict[str, str] | None = None) -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=json, headers=headers)

    return step


def text(status: int, content: str, headers: dict[str, str] | None = None) -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=content, headers=headers)

    return step


def fail(error: type[httpx.TransportError], message: str = "simulated") -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        raise error(message, request=request)

    return step


def make_client(
    handler: Callable[[httpx.Request], httpx.Response],
    time: FakeTime | None = None,
    records: list[RequestRecord] | None = None,
    **options: Any,
) -> WebsetsClient:
    """A client on a MockTransport: simulated time, no rate limit, fixed jitter by default."""
    time = time or FakeTime()
    options.setdefault("rate_limit", None)
    options.setdefault("random", lambda: 0.5)
    options.setdefault("now", lambda: 1_700_000_000.0)
    options.setdefault("api_url", API_URL)
    return WebsetsClient(
        httpx.Client(transport=httpx.MockTransport(handler)),
        api_key=API_KEY,
        sleep=time.sleep,
        clock=time.clock,
        on_request=records.append if records is not None else None,
        **options,
    )


class Pages:
    """A fake list endpoint over ``objects`` that pages like the API (offset cursors, max limit)."""

    def __init__(self, objects: list[dict[str, Any]], max_limit: int) -> None:
        self.objects = objects
        self.max_limit = max_limit
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        self.queries.append(query)
        limit = int(query.get("limit", "25"))
        if not 1 <= limit <= self.max_limit:
            return httpx.Response(400, json={"error": "limit out of range"})
        start = int(query.get("cursor", "0"))
        end = start + limit
        more = end < len(self.objects)
        page = {
            "data": self.objects[start:end],
            "hasMore": more,
            "nextCursor": str(end) if more else None,
        }
        return httpx.Response(200, json=page)


EMULATOR_URL = "http://emulator.local/websets/v0"


def emulator_client(
    emulator: Emulator, time: FakeTime | None = None, **options: Any
) -> WebsetsClient:
    """A client on the in-process emulator (no rate limit unless asked for)."""
    options.setdefault("rate_limit", None)
    if time is not None:
        options.update(sleep=time.sleep, clock=time.clock, now=time.clock)
    return WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key=API_KEY,
        api_url=EMULATOR_URL,
        **options,
    )
