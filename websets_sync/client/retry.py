"""When and how long the client waits before trying a request again.

Which failures are retried depends on whether the request may already have taken effect:

- ``NOT_SENT``: the request provably never reached the server (no connection, no pool slot).
  Safe to retry for every request, creates included.
- ``MAYBE_SENT``: the connection broke or timed out after (part of) the request was written.
  Safe to retry only for idempotent requests; a create surfaces as an unknown outcome.
- ``FATAL``: a local mistake (bad URL, unsupported protocol) that no retry can fix.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx


class Fault(enum.Enum):
    NOT_SENT = "not sent"
    MAYBE_SENT = "maybe sent"
    FATAL = "fatal"


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def classify(exc: httpx.RequestError) -> Fault:
    """Whether a transport failure may have let the request through."""
    if isinstance(exc, _NOT_SENT):
        return Fault.NOT_SENT
    if isinstance(exc, _MAYBE_SENT):
        return Fault.MAYBE_SENT
    return Fault.FATAL


def is_retryable_status(status: int) -> bool:
    """429 (rate limited, nothing was done) and 5xx (server trouble) are worth another try."""
    return status == 429 or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; full-jitter capped exponential backoff."""

    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    max_retry_after: float = 60.0

    def backoff(self, retry: int, random: float) -> float:
        """Delay before retry number ``retry`` (1-based), given a uniform ``random`` in [0, 1)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (retry - 1))
        return ceiling * random

    def delay(
        self, retry: int, random: float, response: httpx.Response | None, now: float
    ) -> float:
        """Honour the server's Retry-After when it gives one (capped), else back off."""
        if response is not None:
            after = retry_after_seconds(response, now)
            if after is not None:
                return min(after, self.max_retry_after)
        return self.backoff(retry, random)


def retry_after_seconds(response: httpx.Response, now: float) -> float | None:
    """Seconds to wait per the Retry-After header (delta-seconds or HTTP-date), or None.

    An HTTP-date is measured against the response's own Date header when present, so a skewed
    local clock does not matter; otherwise against ``now`` (Unix seconds).
    """
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until_date(value, response.headers.get("date"), now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _seconds_until_date(value: str, date_header: str | None, now: float) -> float | None:
    retry_at = _http_date(value)
    if retry_at is None:
        return None
    reference = _http_date(date_header) if date_header else None
    return max(0.0, retry_at - (now if reference is None else reference))


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
