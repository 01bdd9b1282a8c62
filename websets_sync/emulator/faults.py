"""Fault injection: the ways a real API and network misbehave, reproducibly (seeded)."""

from __future__ import annotations

import math
import random
import re
from collections import deque
from dataclasses import dataclass, field

from websets_sync.emulator.failures import ApiFailure


@dataclass
class Faults:
    """What to inject; mutable at runtime (tests flip fields between requests).

    ``path_failures`` maps ``"METHOD regex"`` (regex searched in the path after ``/websets/v0``,
    method ``*`` for any) to the status to answer before doing anything.
    ``lost_response_rate`` applies to mutating requests only: the write is committed, then the
    answer is lost, which is the case a client must reconcile by reading live state.
    ``qps_limit`` counts accepted requests in a sliding one-second window of the emulator's clock
    (a fake clock makes it exact in tests); ``latency`` is real time, slept outside the lock.
    """

    latency: float = 0.0
    qps_limit: float | None = None
    error_rate: float = 0.0
    lost_response_rate: float = 0.0
    path_failures: dict[str, int] = field(default_factory=dict)


_MUTATING = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class FaultGate:
    """Decides, per request, which fault (if any) applies. Callers hold the emulator lock."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self.random = random.Random(f"faults:{seed}")
        self.accepted: deque[float] = deque()

    def before(
        self, method: str, path: str, now: float
    ) -> tuple[ApiFailure, dict[str, str]] | None:
        """The failure answered instead of handling the request, with extra headers."""
        limited = self._rate_limited(now)
        if limited is not None:
            return limited
        for rule, status in self.faults.path_failures.items():
            if _rule_matches(rule, method, path):
                return ApiFailure(status, f"injected failure for {rule}", "INJECTED_FAILURE"), {}
        if self.faults.error_rate > 0 and self.random.random() < self.faults.error_rate:
            return ApiFailure(500, "Internal server error", "INTERNAL_ERROR"), {}
        return None

    def lose_response(self, method: str) -> bool:
        rate = self.faults.lost_response_rate
        return method in _MUTATING and rate > 0 and self.random.random() < rate

    def _rate_limited(self, now: float) -> tuple[ApiFailure, dict[str, str]] | None:
        limit = self.faults.qps_limit
        if limit is None:
            return None
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= limit:
            wait = max(1, math.ceil(self.accepted[0] + 1.0 - now))
            failure = ApiFailure(429, "Rate limit exceeded", "RATE_LIMITED")
            return failure, {"Retry-After": str(wait)}
        self.accepted.append(now)
        return None


def _rule_matches(rule: str, method: str, path: str) -> bool:
    rule_method, _, pattern = rule.partition(" ")
    if rule_method not in ("*", method.upper()):
        return False
    return re.search(pattern.strip(), path) is not None


def parse_fail_option(text: str) -> tuple[str, int]:
    """``METHOD:PATH-REGEX=STATUS`` (the CLI's --fail) → (``"METHOD regex"``, status)."""
    spec, sep, status = text.rpartition("=")
    method, colon, pattern = spec.partition(":")
    if not sep or not colon or not method or not pattern or not status.isdigit():
        raise ValueError(f"expected METHOD:PATH-REGEX=STATUS, got {text!r}")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid PATH-REGEX {pattern!r}: {exc}") from None
    code = int(status)
    if not 400 <= code <= 599:
        raise ValueError(f"status must be 400..599, got {code}")
    return f"{method.upper()} {pattern}", code
