"""Client-side rate limiting: a thread-safe token bucket that adapts to the server (AIMD).

The Websets API allows a team about 10 requests per second, but a team's other clients share that
budget and servers differ. So the configured rate is a ceiling: each 429 halves the rate
(multiplicative decrease, at most once per burst of 429s) and pauses *every* caller for the
server's Retry-After; each success adds back a little (additive increase, about
``INCREASE_PER_SECOND`` requests per second of traffic) up to the ceiling.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: Rate regained per second of successful traffic after a slow-down.
INCREASE_PER_SECOND = 0.1
#: Share of the rate kept after a 429.
DECREASE_FACTOR = 0.5
#: The rate never falls below this (requests per second).
MIN_RATE = 0.5

#: Exa's team limit is 10 requests per second (API-NOTES). Requests start 1/9.8 s apart, so any
#: 10 in a row span 0.92 s and the 11th comes ~20 ms after the first left the server's one-second
#: window: room for that much delay on the way to the server, at 98% of the limit.
DEFAULT_RATE_LIMIT = 9.8


class _AdaptiveRate:
    """The rate both pacers share: halved on a 429 (once per burst of them), regained a little
    with each success, never above the configured ceiling. Subclasses hold ``_lock`` around
    ``_slow_down`` and their own reading of ``rate``."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.ceiling = rate
        self.min_rate = min(MIN_RATE, rate)
        self._clock = clock
        self._lock = threading.Lock()
        self._calm_after = float("-inf")  # 429s before this are the same burst: one slow-down

    def _slow_down(self, now: float, retry_after: float | None) -> float:
        """Halve the rate unless this 429 belongs to the burst already counted; returns the
        pause the server asked for. Requests already in flight when the rate dropped get their
        429s too: they are the same signal. Callers hold ``_lock``."""
        if now >= self._calm_after:
            self.rate = max(self.min_rate, self.rate * DECREASE_FACTOR)
        pause = retry_after or 0.0
        self._calm_after = max(self._calm_after, now + pause + 1.0 / self.rate)
        return pause

    def speed_up(self) -> None:
        """A request succeeded: climb back towards the configured rate."""
        with self._lock:
            if self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + INCREASE_PER_SECOND / self.rate)


class TokenBucket(_AdaptiveRate):
    """At most ``burst`` requests at once, refilled at ``rate`` tokens per second.

    ``acquire`` *reserves* a token under the lock and sleeps outside it, so concurrent callers queue
    up at distinct times ``1/rate`` apart without holding the lock while they wait. In any window
    of length ``t`` at most ``burst + rate * t`` requests start.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(rate, clock)
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.burst = burst
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()

    def acquire(self) -> float:
        """Take one token, waiting for it if needed. Returns the seconds waited."""
        wait = self._reserve()
        if wait > 0:
            self._sleep(wait)
        return wait

    def _reserve(self) -> float:
        with self._lock:
            now = self._clock()
            refill = (now - self._updated) * self.rate
            self._tokens = min(float(self.burst), self._tokens + refill)
            self._updated = now  # a negative refill (a pause) is now part of the balance
            self._tokens -= 1.0
            # A negative balance is a queue of reservations; this caller is last in it.
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def slow_down(self, retry_after: float | None) -> None:
        """The server answered 429: halve the rate and hold every caller for ``retry_after``."""
        with self._lock:
            now = self._clock()
            pause = self._slow_down(now, retry_after)
            if pause > 0:
                # Refill is (now - updated) * rate: an update time in the future holds everyone.
                self._tokens = 1.0 if self._tokens >= 0 else self._tokens
                self._updated = max(self._updated, now + pause)


class PacedStarts(_AdaptiveRate):
    """Request starts at least ``1/rate`` seconds apart, measured when each one really starts,
    and never more than ``ceil(rate)`` requests that may reach the server within one second.

    A token bucket keeps its schedule: a caller that wakes late (a busy machine) starts close
    to the next one, which wakes on time, and a server counting requests in a sliding one-second
    window sees 11 where 10 were meant. Here each start is spaced from the previous *actual*
    start. A new request waits until at most ``ceil(rate) - 1`` others can still be inside the
    one-second window it will land in. A request reaches the server within ``ARRIVAL_BOUND``
    seconds of its bytes leaving (``sent``, told by the transport), and surely before its answer
    comes back (``finished``); until it is sent, within ``ARRIVAL_BOUND`` of its start.

    Counting from the send matters when the process stalls between a start and its send (a
    garbage collection, a busy machine): measured against ``emulator serve`` at 5,000 websets,
    2 requests in 15,000 left 0.28 s after their start, and each one's window then held 11.
    """

    ARRIVAL_BOUND = 0.25
    #: How often a caller re-checks after waking when the clock did not move (tests' sleeps).
    _STALLS = 3

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(rate, clock)
        self._window_count = max(1, math.ceil(rate))
        self._paused_until = float("-inf")
        self._sleep = sleep
        self._next_slot: float | None = None  # the next free slot (callers queue in order)
        #: The latest requests, oldest first.
        self._recent: deque[_Start] = deque(maxlen=self._window_count + 8)
        self._mine = threading.local()

    def acquire(self) -> float:
        """Wait for this caller's turn; returns the seconds waited. Call ``finished`` after."""
        waited = 0.0
        with self._lock:
            now = self._clock()
            slot = now if self._next_slot is None else max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            self._sleep(slot - now)
            waited += slot - now
        stalls = 0
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait(now)
                if wait <= 0 or stalls >= self._STALLS:
                    entry = _Start(now)
                    self._recent.append(entry)
                    self._mine.entry = entry  # the same thread sends it and reads the answer
                    self._next_slot = max(self._next_slot or now, now + 1.0 / self.rate)
                    return waited
            self._sleep(wait)
            waited += wait
            stalls = stalls + 1 if self._clock() <= now else 0

    def slow_down(self, retry_after: float | None) -> None:
        """The server answered 429: halve the rate (once per burst of 429s) and hold every
        caller for ``retry_after`` (as TokenBucket.slow_down)."""
        with self._lock:
            now = self._clock()
            pause = self._slow_down(now, retry_after)
            self._paused_until = max(self._paused_until, now + pause)

    def sent(self) -> None:
        """This thread's request has left (its last byte was written): it reaches the server
        within ``ARRIVAL_BOUND`` from now. A resend (a stale connection) moves the moment."""
        entry: _Start | None = getattr(self._mine, "entry", None)
        if entry is not None:
            with self._lock:
                entry.sent = self._clock()

    def finished(self) -> None:
        """The answer to this thread's latest request came back: it has reached the server."""
        entry: _Start | None = getattr(self._mine, "entry", None)
        if entry is not None:
            with self._lock:
                entry.answered = self._clock()
            self._mine.entry = None

    def _wait(self, now: float) -> float:
        """Seconds until starting now keeps both rules (0: start now). Callers hold the lock."""
        paused = self._paused_until - now
        if not self._recent:
            return max(paused, 0.0)
        spacing = self._recent[-1].start + 1.0 / self.rate - now
        bounds = sorted(entry.latest_arrival(self.ARRIVAL_BOUND) for entry in self._recent)
        inside = [b for b in bounds if b > now - 1.0]
        excess = len(inside) - (self._window_count - 1)
        window = inside[excess - 1] + 1.0 - now if excess > 0 else 0.0
        return max(spacing, window, paused, 0.0)


@dataclass(slots=True)
class _Start:
    """One request the pacer let start: when it started, left, and was answered."""

    start: float
    sent: float | None = None
    answered: float | None = None

    def latest_arrival(self, bound: float) -> float:
        """The latest moment the request can have reached (or will reach) the server."""
        latest = (self.start if self.sent is None else self.sent) + bound
        return latest if self.answered is None else min(self.answered, latest)


#: What the sender waits on before each request.
Pacer = TokenBucket | PacedStarts


def pacer(
    rate: float | None,
    burst: int,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Pacer | None:
    """No pacing (``rate`` 0 or None); evenly spaced starts (``burst`` 1); else a token bucket
    that lets ``burst`` requests go at once."""
    if not rate:
        return None
    if burst == 1:
        return PacedStarts(rate, clock=clock, sleep=sleep)
    return TokenBucket(rate, burst=burst, clock=clock, sleep=sleep)
