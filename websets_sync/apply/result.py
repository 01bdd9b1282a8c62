"""What an apply did, per address, and the signal that stops it starting new work."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum

from websets_sync.model import Address
from websets_sync.plan.types import Action

INTERRUPTED = "apply was interrupted"
FAIL_FAST = "stopped after the first failure (--fail-fast)"


class Outcome(str, Enum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class ChangeResult:
    """What became of one planned change. ``message`` says why for failures and skips."""

    address: Address
    action: Action
    outcome: Outcome
    id: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class TouchedWebset:
    """A webset apply changed, for ``--wait``."""

    address: Address
    id: str


@dataclass(frozen=True)
class ApplyResult:
    results: tuple[ChangeResult, ...] = ()
    interrupted: bool = False
    touched: tuple[TouchedWebset, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.outcome is Outcome.APPLIED for r in self.results)


@dataclass
class StopSignal:
    """Shared by every unit: once set, nothing new starts."""

    cancel: threading.Event = field(default_factory=threading.Event)
    reason: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self, reason: str) -> None:
        with self._lock:
            if not self.cancel.is_set():
                self.reason = reason
                self.cancel.set()

    @property
    def stopped(self) -> bool:
        return self.cancel.is_set()

    def why(self) -> str:
        return self.reason or INTERRUPTED

    @property
    def interrupted(self) -> bool:
        """Stopped by a cancel (Ctrl-C), not by --fail-fast."""
        return self.stopped and self.why() == INTERRUPTED
