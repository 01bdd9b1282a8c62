"""What an apply did, per address, and the signal that stops it starting new work."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from websets_sync.errors import StateSaveError
from websets_sync.model import Address
from websets_sync.plan.types import Action

INTERRUPTED = "apply was interrupted"
FAIL_FAST = "stopped after the first failure (--fail-fast)"
STATE_UNSAVED = "stopped: the state file could not be saved"


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
    #: Applied, but the signing secret of this webhook was lost with its create answer.
    secret_lost: bool = False


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
    #: Why the state file could not be saved (apply stopped); None when every save succeeded.
    state_unsaved: str | None = None
    #: Where the unsaved state (secrets included) was rescued to, when it could be.
    rescue_file: Path | None = None

    @property
    def secrets_lost(self) -> tuple[Address, ...]:
        """Webhooks this apply created whose signing secret nobody knows."""
        return tuple(r.address for r in self.results if r.secret_lost)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def ok(self) -> bool:
        return (
            not self.interrupted
            and self.state_unsaved is None
            and all(r.outcome is Outcome.APPLIED for r in self.results)
        )


@dataclass
class StopSignal:
    """Shared by every unit: once set, nothing new starts."""

    cancel: threading.Event = field(default_factory=threading.Event)
    reason: str = ""
    unsaved: StateSaveError | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note_unsaved(self, error: StateSaveError) -> None:
        with self._lock:
            self.unsaved = error  # the latest: its rescue file holds the whole state

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
