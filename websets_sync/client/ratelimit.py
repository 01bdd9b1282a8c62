"""Client-side rate limiting: a thread-safe token bucket.

The Websets API allows a team about 10 requests per second. Throttling on our side keeps a run
(several websets applied in parallel) under that limit instead of bouncing off 429s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
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
            self._updated = now
            self._tokens -= 1.0
            # A negative balance is a queue of reservations; this caller is last in it.
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate
