"""Retries: which failures are retried, how long the client waits, and when it gives up.

Time is simulated (FakeTime): every assertion on waiting is on the recorded sleeps, not wall time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_support import FakeTime, Script, answer, emulator_client, fail, make_client

from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator, Faults
from websets_sync.errors import (
    ApiError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    UnknownOutcomeError,
)

WEBSET = {"id": "ws_1", "object": "webset"}
BODY = {"externalId": "eu-ai"}

# Every create endpoint, called with a body.
CREATES: dict[str, Callable[[WebsetsClient], Any]] = {
    "webset": lambda c: c.create_webset(BODY),
    "search": lambda c: c.create_search("ws_1", {"query": "q", "count": 5}),
    "enrichment": lambda c: c.create_enrichment("ws_1", {"description": "CEO"}),
    "monitor": lambda c: c.create_monitor({"websetId": "ws_1"}),
    "webhook": lambda c: c.create_webhook({"url": "https://h.test", "events": ["webset.idle"]}),
    "import": lambda c: c.create_import({"format": "csv"}),
}

# Requests that are safe to repeat: reads, updates (including the POST webset update), deletes,
# cancels (POST).
IDEMPOTENT: dict[str, Callable[[WebsetsClient], Any]] = {
    "get": lambda c: c.get_webset("ws_1"),
    "update webset (POST)": lambda c: c.update_webset("ws_1", {"metadata": {}}),
    "cancel webset (POST)": lambda c: c.cancel_webset("ws_1"),
    "cancel search (POST)": lambda c: c.cancel_search("ws_1", "s_1"),
    "update monitor (PATCH)": lambda c: c.update_monitor("m_1", {"status": "disabled"}),
    "delete webhook": lambda c: c.delete_webhook("wh_1"),
    "list": lambda c: list(c.iter_webhooks()),
}
PAGE = {"data": [], "hasMore": False, "nextCursor": None}


def _ok_for(name: str) -> Any:
    return PAGE if name == "list" else WEBSET


# --- 429: rate limited ------------------------------------------------------------------------


def test_429_retry_after_seconds_is_honoured() -> None:
    time = FakeTime()
    script = Script(answer(429, headers={"Retry-After": "3"}), answer(200, WEBSET), time=time)
    assert make_client(script, time).get_webset("ws_1") == WEBSET
    assert len(script.requests) == 2
    assert time.sleeps == [3.0]
    assert script.times[1] - script.times[0] == 3.0


def test_429_retry_after_http_date_is_measured_against_the_date_header() -> None:
    time = FakeTime()
    headers = {
        "Retry-After": "Wed, 21 Oct 2026 07:28:07 GMT",
        "Date": "Wed, 21 Oct 2026 07:28:00 GMT",
    }
    script = Script(answer(429, headers=headers), answer(200, WEBSET))
    make_client(script, time).get_webset("ws_1")
    assert time.sleeps == [7.0]


def test_429_retry_after_http_date_without_date_header_uses_the_wall_clock() -> None:
    time = FakeTime()
    script = Script(
        answer(429, headers={"Retry-After": "Sun, 22 Nov 2026 12:00:04 GMT"}), answer(200, WEBSET)
    )
    # 2026-11-22T12:00:00Z
    make_client(script, time, now=lambda: 1795348800.0).get_webset("ws_1")
    assert time.sleeps == [4.0]


def test_retry_after_is_capped() -> None:
    time = FakeTime()
    script = Script(answer(429, headers={"Retry-After": "3600"}), answer(200, WEBSET))
    make_client(script, time, max_retry_after=30.0).get_webset("ws_1")
    assert time.sleeps == [30.0]


@pytest.mark.parametrize("value", ["soon", "", "nan", "Thu, 99 Foo 2026"])
def test_unusable_retry_after_falls_back_to_backoff(value: str) -> None:
    time = FakeTime()
    script = Script(answer(429, headers={"Retry-After": value}), answer(200, WEBSET))
    make_client(script, time, backoff_base=0.5, random=lambda: 0.5).get_webset("ws_1")
    assert time.sleeps == [0.25]


def test_429_forever_gives_up_with_rate_limited_error_after_max_retries() -> None:
    time = FakeTime()
    body = {"error": "Too many requests", "tag": "RATE_LIMITED", "requestId": "req_9"}
    script = Script(answer(429, body, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimitedError) as caught:
        make_client(script, time, max_retries=3).get_webset("ws_1")
    assert len(script.requests) == 4  # the first attempt + 3 retries
    assert time.sleeps == [1.0, 1.0, 1.0]
    assert caught.value.status == 429
    assert caught.value.tag == "RATE_LIMITED"
    assert caught.value.request_id == "req_9"


# --- 5xx and transport failures on idempotent requests ----------------------------------------


@pytest.mark.parametrize("call", IDEMPOTENT.values(), ids=IDEMPOTENT.keys())
def test_idempotent_requests_are_retried_after_503(call: Callable[[WebsetsClient], Any]) -> None:
    name = next(k for k, v in IDEMPOTENT.items() if v is call)
    script = Script(answer(503), answer(200, _ok_for(name)))
    time = FakeTime()
    call(make_client(script, time))
    assert len(script.requests) == 2
    assert script.requests[0].method == script.requests[1].method
    assert time.sleeps == [0.25]  # full jitter: random 0.5 x ceiling 0.5


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.RemoteProtocolError],
)
@pytest.mark.parametrize("call", IDEMPOTENT.values(), ids=IDEMPOTENT.keys())
def test_idempotent_requests_are_retried_after_transport_failures(
    call: Callable[[WebsetsClient], Any], error: type[httpx.TransportError]
) -> None:
    name = next(k for k, v in IDEMPOTENT.items() if v is call)
    script = Script(fail(error), answer(200, _ok_for(name)))
    call(make_client(script))
    assert len(script.requests) == 2


def test_backoff_is_exponential_capped_and_jittered() -> None:
    time = FakeTime()
    script = Script(answer(502))
    client = make_client(
        script, time, max_retries=6, backoff_base=1.0, backoff_cap=10.0, random=lambda: 0.75
    )
    with pytest.raises(ApiError) as caught:
        client.get_webset("ws_1")
    assert caught.value.status == 502
    assert len(script.requests) == 7
    # ceilings 1, 2, 4, 8, 10 (capped), 10; full jitter scales each by random()
    assert time.sleeps == [0.75, 1.5, 3.0, 6.0, 7.5, 7.5]


def test_jitter_draws_a_fresh_random_for_each_wait() -> None:
    draws = iter([0.1, 0.9, 0.0])
    time = FakeTime()
    script = Script(answer(500), answer(500), answer(500), answer(200, WEBSET))
    make_client(script, time, backoff_base=2.0, random=lambda: next(draws)).get_webset("ws_1")
    assert time.sleeps == pytest.approx([0.2, 3.6, 0.0])


def test_connect_error_then_success() -> None:
    script = Script(fail(httpx.ConnectError), answer(200, WEBSET))
    assert make_client(script).get_webset("ws_1") == WEBSET
    assert len(script.requests) == 2


def test_transport_failures_forever_give_up_with_transport_error() -> None:
    time = FakeTime()
    script = Script(fail(httpx.ConnectError, "[Errno 111] Connection refused"))
    with pytest.raises(TransportError) as caught:
        make_client(script, time, max_retries=2).get_webset("ws_1")
    assert len(script.requests) == 3
    assert len(time.sleeps) == 2
    assert str(caught.value) == (
        "GET /websets/ws_1 failed after 3 attempts: ConnectError: [Errno 111] Connection refused"
    )


def test_a_local_mistake_is_not_retried() -> None:
    script = Script(fail(httpx.UnsupportedProtocol, "no such scheme"))
    with pytest.raises(TransportError, match="UnsupportedProtocol"):
        make_client(script).get_webset("ws_1")
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, ApiError), (404, NotFoundError), (409, ConflictError), (422, ApiError)],
)
def test_client_errors_are_not_retried(status: int, error_type: type[ApiError]) -> None:
    time = FakeTime()
    script = Script(answer(status, {"error": "no"}))
    with pytest.raises(error_type):
        make_client(script, time).get_webset("ws_1")
    assert len(script.requests) == 1
    assert time.sleeps == []


def test_max_retries_zero_makes_one_attempt() -> None:
    script = Script(answer(503))
    with pytest.raises(ApiError):
        make_client(script, max_retries=0).get_webset("ws_1")
    assert len(script.requests) == 1


# --- creates: never blindly retried -----------------------------------------------------------


@pytest.mark.parametrize("call", CREATES.values(), ids=CREATES.keys())
@pytest.mark.parametrize(
    "step",
    [
        answer(500),
        answer(503, headers={"Retry-After": "1"}),
        fail(httpx.ReadTimeout),
        fail(httpx.WriteTimeout),
        fail(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
        fail(httpx.ReadError),
    ],
    ids=["500", "503", "ReadTimeout", "WriteTimeout", "RemoteProtocolError", "ReadError"],
)
def test_create_with_unknown_outcome_raises_and_sends_exactly_one_request(
    call: Callable[[WebsetsClient], Any], step: Any
) -> None:
    time = FakeTime()
    script = Script(step, answer(201, WEBSET))
    with pytest.raises(UnknownOutcomeError) as caught:
        call(make_client(script, time))
    assert len(script.requests) == 1
    assert time.sleeps == []
    assert caught.value.method == "POST"
    assert caught.value.path == script.requests[0].url.path.removeprefix("/websets/v0")
    assert "outcome unknown" in str(caught.value)


def test_unknown_outcome_is_not_an_api_or_transport_error() -> None:
    assert not issubclass(UnknownOutcomeError, (ApiError, TransportError))


@pytest.mark.parametrize("call", CREATES.values(), ids=CREATES.keys())
def test_create_rejected_with_429_is_retried(call: Callable[[WebsetsClient], Any]) -> None:
    time = FakeTime()
    script = Script(answer(429, headers={"Retry-After": "2"}), answer(201, WEBSET))
    assert call(make_client(script, time)) == WEBSET
    assert len(script.requests) == 2
    assert time.sleeps == [2.0]
    assert script.requests[0].content == script.requests[1].content


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_create_that_never_connected_is_retried(error: type[httpx.TransportError]) -> None:
    script = Script(fail(error), answer(201, WEBSET))
    assert make_client(script).create_webset(BODY) == WEBSET
    assert len(script.requests) == 2


def test_create_that_never_connects_gives_up_with_transport_error_not_unknown_outcome() -> None:
    script = Script(fail(httpx.ConnectError))
    with pytest.raises(TransportError):
        make_client(script, max_retries=2).create_webset(BODY)
    assert len(script.requests) == 3


def test_create_rate_limited_forever_gives_up_with_rate_limited_error() -> None:
    script = Script(answer(429))
    with pytest.raises(RateLimitedError):
        make_client(script, max_retries=2).create_webset(BODY)
    assert len(script.requests) == 3


def test_create_conflict_is_a_conflict_error_without_retry() -> None:
    body = {"error": "Webset with this externalId already exists", "tag": "CONFLICT"}
    script = Script(answer(409, body))
    with pytest.raises(ConflictError, match="already exists"):
        make_client(script).create_webset(BODY)
    assert len(script.requests) == 1


# --- retries and the rate limit ----------------------------------------------------------------


def test_every_retry_goes_through_the_rate_limiter() -> None:
    time = FakeTime()
    script = Script(answer(503), answer(503), answer(200, WEBSET), time=time)
    client = make_client(script, time, rate_limit=2.0, random=lambda: 0.0)
    client.get_webset("ws_1")
    # backoff is 0 (random 0.0); the 2/s bucket alone spaces the attempts 0.5 s apart
    start = script.times[0]
    assert [t - start for t in script.times] == pytest.approx([0.0, 0.5, 1.0])


# --- against the emulator's fault injection ------------------------------------------------------


def test_lost_create_response_is_unknown_outcome_and_the_webset_exists() -> None:
    emulator = Emulator(faults=Faults(lost_response_rate=1.0))
    client = emulator_client(emulator)
    with pytest.raises(UnknownOutcomeError):
        client.create_webset({"externalId": "eu-ai"})
    assert emulator.count("POST", "/websets") == 1
    # the write was committed: reading live state is how apply reconciles
    assert client.get_webset("eu-ai")["externalId"] == "eu-ai"


def test_injected_server_error_on_create_is_unknown_outcome_after_one_request() -> None:
    emulator = Emulator(faults=Faults(path_failures={"POST ^/webhooks$": 500}))
    client = emulator_client(emulator)
    with pytest.raises(UnknownOutcomeError):
        client.create_webhook({"url": "https://hooks.test/x", "events": ["webset.idle"]})
    assert emulator.count("POST", "/webhooks") == 1


def test_lost_update_response_is_retried_because_updates_are_idempotent() -> None:
    emulator = Emulator()
    client = emulator_client(emulator)
    created = client.create_webset({"externalId": "eu-ai"})
    emulator.faults.lost_response_rate = 1.0
    time = FakeTime()
    retrying = emulator_client(emulator, time, max_retries=2)
    with pytest.raises(TransportError, match="after 3 attempts: RemoteProtocolError"):
        retrying.update_webset(created["id"], {"metadata": {"k": "v"}})
    assert emulator.count("POST", "/websets/") == 3
    emulator.faults.lost_response_rate = 0.0
    assert client.get_webset("eu-ai")["metadata"] == {"k": "v"}
