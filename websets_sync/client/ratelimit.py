"""Client-side rate limiting: a thread-safe token bucket that adapts to the server (AIMD).

The Websets API allows a team about 10 requests per second, but a team's other clients share that
budget and servers differ. So the configured rate is a ceiling: each 429 halves the rate
(multiplicative decrease, at most once per burst of 429s) and pauses *every* caller for the
server's Retry-After; each success adds back a little (additive increase, about
``INCREASE_PER_SECOND`` requests per second of traffic) up to the ceiling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Rate regained per second of successful traffic after a slow-down.
INCREASE_PER_SECOND = 0.1
#: Share of the rate kept after a 429.
DECREASE_FACTOR = 0.5
#: The rate never falls below this (requests per second).
MIN_RATE = 0.5


class TokenBucket:
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
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.ceiling = rate
        self.min_rate = min(MIN_RATE, rate)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()
        self._calm_after = float("-inf")  # 429s before this are the same burst: one slow-down

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
        """The server answered 429: halve the rate and hold every caller for ``retry_after``.

        Requests already in flight when the rate dropped get their 429s too; those count as the
        same signal, so the rate halves once per burst, not once per request.
        """
        with self._lock:
            now = self._clock()
            if now >= self._calm_after:
                self.rate = max(self.min_rate, self.rate * DECREASE_FACTOR)
            pause = retry_after or 0.0
            self._calm_after = max(self._calm_after, now + pause + 1.0 / self.rate)
            if pause > 0:
                # Refill is (now - updated) * rate: an update time in the future holds everyone.
                self._tokens = 1.0 if self._tokens >= 0 else self._tokens
                self._updated = max(self._updated, now + pause)

    def speed_up(self) -> None:
        """A request succeeded: climb back towards the configured rate."""
        with self._lock:
            if self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + INCREASE_PER_SECOND / self.rate)
