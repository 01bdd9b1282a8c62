"""Client-side rate limiting: the token bucket keeps to its rate, also across threads.

Time is simulated: assertions are on the schedule of request start times, never on wall time.
"""

from __future__ import annotations

import sys
import threading

import httpx
import pytest
from client_support import FakeTime, Script, answer, emulator_client, make_client

from websets_sync.client.endpoints import WebsetsClient
from websets_sync.client.ratelimit import DEFAULT_RATE_LIMIT, PacedStarts, TokenBucket
from websets_sync.emulator import Emulator, Faults, serve

WEBSET = {"id": "ws_1"}


def _bucket(rate: float, burst: int, time: FakeTime) -> TokenBucket:
    return TokenBucket(rate, burst=burst, clock=time.clock, sleep=time.sleep)


@pytest.mark.parametrize(("rate", "burst", "count"), [(8.0, 1, 17), (8.0, 3, 20), (2.5, 2, 9)])
def test_n_requests_take_n_minus_burst_over_rate_seconds(
    rate: float, burst: int, count: int
) -> None:
    time = FakeTime()
    bucket = _bucket(rate, burst, time)
    starts = []
    for _ in range(count):
        bucket.acquire()
        starts.append(time.now - 1000.0)
    # the first `burst` go at once, then one every 1/rate seconds
    expected = [0.0] * burst + [(k + 1) / rate for k in range(count - burst)]
    assert starts == pytest.approx(expected)
    assert time.now - 1000.0 == pytest.approx((count - burst) / rate)


def test_no_window_of_one_second_holds_more_than_burst_plus_rate() -> None:
    time = FakeTime()
    bucket = _bucket(8.0, 1, time)
    starts = []
    for _ in range(100):
        bucket.acquire()
        starts.append(time.now)
    for start in starts:
        in_window = [t for t in starts if start <= t < start + 1.0]
        assert len(in_window) <= 8  # under the API's 10 QPS team limit


def test_idle_time_refills_only_up_to_the_burst() -> None:
    time = FakeTime()
    bucket = _bucket(4.0, 2, time)
    bucket.acquire()
    bucket.acquire()
    time.sleep(60.0)  # a long idle period must not bank 240 tokens
    time.sleeps.clear()
    waits = [bucket.acquire() for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.0, 0.25, 0.25])


def test_concurrent_callers_get_distinct_slots() -> None:
    # a clock that does not move: every caller reserves at once, so each must queue behind others
    bucket = TokenBucket(10.0, burst=1, clock=lambda: 0.0, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(250):
            wait = bucket.acquire()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so an unlocked bucket would show races
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert sorted(waits) == pytest.approx([k / 10.0 for k in range(2000)])


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_bucket_rejects_nonsense(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst=burst)


# --- the client applies it to every request ------------------------------------------------------


def test_client_paces_at_the_configured_rate() -> None:
    time = FakeTime()
    script = Script(answer(200, WEBSET), time=time)
    client = make_client(script, time, rate_limit=8.0)
    for _ in range(17):
        client.get_webset("ws_1")
    assert [t - script.times[0] for t in script.times] == pytest.approx([k / 8 for k in range(17)])


def test_client_with_configured_rate_and_burst() -> None:
    time = FakeTime()
    script = Script(answer(200, WEBSET), time=time)
    client = make_client(script, time, rate_limit=2.0, burst=4)
    for _ in range(10):
        client.get_webset("ws_1")
    assert script.times[-1] - script.times[0] == pytest.approx((10 - 4) / 2.0)


@pytest.mark.parametrize("rate_limit", [None, 0])
def test_rate_limit_can_be_disabled(rate_limit: float | None) -> None:
    time = FakeTime()
    script = Script(answer(200, WEBSET))
    client = make_client(script, time, rate_limit=rate_limit)
    for _ in range(50):
        client.get_webset("ws_1")
    assert time.sleeps == []


# --- against the emulator's QPS limit ------------------------------------------------------------


def test_throttled_client_never_meets_the_emulators_10_qps_limit() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock, faults=Faults(qps_limit=10))
    client = emulator_client(emulator, time, rate_limit=8.0)
    for i in range(60):
        client.create_webhook({"url": f"https://hooks.test/{i}", "events": ["webset.idle"]})
    assert emulator.count("POST", "/webhooks") == 60
    assert all(entry.status == 200 for entry in emulator.request_log)
    assert time.now - 1_790_000_000.0 == pytest.approx(59 / 8)


def test_unthrottled_client_rides_out_429s_by_honouring_retry_after() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock, faults=Faults(qps_limit=10))
    client = emulator_client(emulator, time)
    for i in range(25):
        client.create_webhook({"url": f"https://hooks.test/{i}", "events": ["webset.idle"]})
    statuses = [entry.status for entry in emulator.request_log]
    assert statuses.count(200) == 25
    assert statuses.count(429) == 2  # after 10 and after 20: each waits Retry-After 1 s
    assert time.sleeps == [1.0, 1.0]


def test_one_client_is_safe_to_share_between_threads() -> None:
    emulator = Emulator()
    time = FakeTime(start=1_790_000_000.0)
    client = emulator_client(emulator, time, rate_limit=50.0)
    created: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(25):
            hook = client.create_webhook(
                {"url": f"https://h.test/{n}/{i}", "events": ["webset.idle"]}
            )
            with lock:
                created.append(hook["id"])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(created)) == 200
    assert emulator.count("POST", "/webhooks") == 200
    assert sorted(h["id"] for h in client.iter_webhooks()) == sorted(created)


# --- paced starts (the default: burst 1) ---------------------------------------------------------


class LateWakeups(FakeTime):
    """Simulated time where every third sleep overshoots by 50 ms (a busy machine)."""

    def sleep(self, seconds: float) -> None:
        late = 0.05 if len(self.sleeps) % 3 == 2 else 0.0
        super().sleep(seconds + late)


def test_default_rate_is_just_under_the_exa_team_limit_of_10_qps() -> None:
    time = FakeTime()
    script = Script(answer(200, WEBSET), time=time)
    client = make_client(script, time, rate_limit=DEFAULT_RATE_LIMIT)
    assert 9.5 <= DEFAULT_RATE_LIMIT < 10.0
    for _ in range(21):
        client.get_webset("ws_1")
    gaps = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert gaps == pytest.approx([1 / DEFAULT_RATE_LIMIT] * 20)


def _max_in_one_second(arrivals: list[float]) -> int:
    return max(sum(1 for t in arrivals if a <= t < a + 1.0) for a in arrivals)


def test_a_late_caller_pushes_the_next_start_instead_of_bunching() -> None:
    time = LateWakeups()
    pacer = PacedStarts(9.8, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(40):
        pacer.acquire()
        starts.append(time.now)
        pacer.finished()
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 1 / 9.8 - 1e-9
    # So no one-second window (where a server counts) ever holds more than 10 starts.
    assert _max_in_one_second(starts) <= 10


def test_unanswered_requests_hold_their_place_in_the_window() -> None:
    # Without an answer, a request may reach the server up to ARRIVAL_BOUND after it started:
    # the 11th waits until the first has surely left the server's one-second window.
    time = FakeTime()
    pacer = PacedStarts(9.8, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(11):
        pacer.acquire()
        starts.append(time.now)
    assert starts[10] - starts[0] == pytest.approx(PacedStarts.ARRIVAL_BOUND + 1.0)
    answered = PacedStarts(9.8, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(11):
        answered.acquire()
        starts.append(time.now)
        answered.finished()  # answered at once: it reached the server at its start
    assert starts[10] - starts[0] == pytest.approx(10 / 9.8)


def test_a_request_that_leaves_late_holds_the_window_from_when_it_left() -> None:
    # Measured against emulator serve at 5,000 websets: the process stalled 0.28 s between a
    # request's start and its send, the server saw it then, and ten starts later its one-second
    # window held 11 (counted from start + ARRIVAL_BOUND, it had left the window at 1.25 s).
    time = FakeTime()
    pacer = PacedStarts(9.8, clock=time.clock, sleep=time.sleep)
    arrivals = []
    for n in range(11):
        pacer.acquire()
        if n == 0:
            time.sleep(0.28)  # the stall, after the start and before the bytes leave
        pacer.sent()
        arrivals.append(time.now)  # a local server: it sees the request as it is sent
        time.sleep(0.005)
        pacer.finished()
    assert arrivals[10] - arrivals[0] == pytest.approx(1.005)  # the first one's answer + 1 s
    assert _max_in_one_second(arrivals) == 10


class StallBeforeSending(httpx.BaseTransport):
    """A real HTTP transport whose first request stalls (in simulated time) before it is sent."""

    def __init__(self, time: FakeTime, stall: float) -> None:
        self.inner = httpx.HTTPTransport()
        self.time = time
        self.stall = stall

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.time.sleep(self.stall)
        self.stall = 0.0
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_stall_before_sending_gets_no_429_from_a_server_counting_arrivals() -> None:
    # End to end over HTTP, so the transport itself tells the pacer when a request left.
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(faults=Faults(qps_limit=10), clock=time.clock)
    server, base_url = serve(emulator)
    try:
        with httpx.Client(transport=StallBeforeSending(time, 0.28)) as http:
            client = WebsetsClient(
                http,
                api_key="k",
                api_url=f"{base_url}/websets/v0",
                rate_limit=DEFAULT_RATE_LIMIT,
                clock=time.clock,
                sleep=time.sleep,
                now=time.clock,
            )
            for n in range(12):
                client.create_webhook({"url": f"https://h.test/{n}", "events": ["webset.idle"]})
    finally:
        server.shutdown()
        server.server_close()
    statuses = [entry.status for entry in emulator.request_log]
    assert statuses == [200] * 12  # the old rule let the 11th in at 1.25 s: a 429


def test_a_slow_answer_costs_no_throughput_once_the_request_has_left() -> None:
    # A server that answers in 1 s still saw the request within ARRIVAL_BOUND of its send.
    time = FakeTime()
    pacer = PacedStarts(9.8, clock=time.clock, sleep=time.sleep)
    sends = []
    for _ in range(11):
        pacer.acquire()
        pacer.sent()
        sends.append(time.now)  # answered later (other threads): finished() not called yet
    assert sends[10] - sends[0] == pytest.approx(PacedStarts.ARRIVAL_BOUND + 1.0)


def test_paced_starts_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        PacedStarts(0.0)


def test_the_cli_default_is_the_clients() -> None:
    from websets_sync.cli import root

    assert root.DEFAULT_RATE_LIMIT == DEFAULT_RATE_LIMIT
