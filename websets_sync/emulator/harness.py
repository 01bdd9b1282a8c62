"""The Emulator's harness face: emulated time, reset, logs and webhook delivery (DESIGN §13).

The same methods answer ``/__emulator/`` over HTTP (control.py) and in-process tests.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from websets_sync.emulator import events
from websets_sync.emulator.failures import ApiFailure
from websets_sync.emulator.lifecycle import Timing
from websets_sync.emulator.router import find_webset
from websets_sync.emulator.store import JSON, KINDS, Store, iso
from websets_sync.emulator.timeline import Timeline

if TYPE_CHECKING:
    from websets_sync.emulator.app import LoggedRequest


class Harness:
    """Mixed into Emulator, which sets these attributes."""

    store: Store
    timing: Timing
    timeline: Timeline
    request_log: list[LoggedRequest]
    clock_offset: float
    _base_clock: Callable[[], float]
    _lock: threading.RLock

    def _now(self) -> float:
        return self._base_clock() + self.clock_offset

    def now_iso(self) -> str:
        return iso(self._now())

    def tick(self) -> None:
        """Let emulated time take effect now (jobs, monitors, events), then deliver what is due."""
        with self._lock:
            self.timeline.tick(self.store, self.timing)
            self.store.save()
        self.deliver_due()

    def advance_clock(self, seconds: float) -> None:
        """Move emulated time on: searches progress, monitors run, webhook retries fall due."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self.clock_offset += seconds
        self.tick()

    def reset(self) -> None:
        """An empty account: no objects, no request log, no deliveries; credits refilled."""
        with self._lock:
            for kind in KINDS:  # through remove, so any index the store keeps follows
                for ident in list(self.store.objects[kind]):
                    self.store.remove(kind, ident)
            self.store.dirty = True
            self.request_log.clear()
            self.timeline.reset(self.store)
            self.store.save()

    def requests(self) -> list[JSON]:
        """The request log as JSON: ``method``, ``path`` (after /websets/v0), ``query``, ..."""
        with self._lock:
            return [asdict(entry) for entry in self.request_log]

    def deliveries(self) -> list[JSON]:
        """Every webhook delivery attempt: url, eventType, status, headers sent, attempt, ..."""
        with self._lock:
            return copy.deepcopy(self.timeline.deliveries.log)

    @property
    def credits(self) -> float | None:
        """The credit balance left (None: unlimited)."""
        return self.timeline.credits

    def export(self, webset: str) -> JSON:
        """Export a webset as the dashboard does (emits the two export events)."""
        with self._lock:
            try:
                found = find_webset(self.store, webset)
            except ApiFailure:
                raise KeyError(f"no webset {webset}") from None
            record = events.export(self.store, found)
            self.store.save()
        self.deliver_due()
        return record

    def deliver_due(self) -> None:
        """Send the webhook attempts that are due; the HTTP calls happen outside the lock."""
        with self._lock:
            queue = self.timeline.deliveries
            queue.collect(self.store)  # events the request itself emitted
            due = queue.take_due(self.store.now())
        for pending in due:
            with self._lock:
                target = queue.prepare(self.store, pending)
                now = self.store.now()
            if target is None:
                continue
            outcome = queue.send(pending, target[0], target[1], now)
            with self._lock:
                queue.record(self.store, pending, outcome, self.store.now())
                self.store.save()
