"""Emulated time: what one tick does, the credit balance and the request headers it checks.

A tick runs before every API request and after every clock move (``/__emulator/clock``):
uploaded imports are judged, due monitors start their runs, searches and enrichments progress,
what changed is announced as events, and those events are queued for webhook delivery.
"""

from __future__ import annotations

from websets_sync.emulator import events, imports, monitor_runs
from websets_sync.emulator.deliveries import Deliveries
from websets_sync.emulator.failures import ApiFailure, bad_request
from websets_sync.emulator.lifecycle import Timing, advance
from websets_sync.emulator.routes_jobs import cancel_search, create_search
from websets_sync.emulator.store import JSON, Store

PRIORITY_HEADER = "x-exa-websets-priority"
#: The values exa-js types for the header (``WebsetHeadersLike``).
PRIORITIES = ("low", "medium", "high")
#: Requests that start paid work, refused with 402 once the balance is spent.
_SPENDING = (
    ("POST", ("websets",)),
    ("POST", ("websets", "*", "searches")),
    ("POST", ("websets", "*", "enrichments")),
    ("POST", ("monitors",)),
)


class Timeline:
    """Tick state shared by the in-process and HTTP faces of one Emulator."""

    def __init__(
        self,
        store: Store,
        *,
        credits: float | None = None,
        deliver_to: str = "loopback",
        delivery_timeout: float = 5.0,
    ) -> None:
        if credits is not None and credits < 0:
            raise ValueError("credits must be >= 0")
        self.initial_credits = credits
        self.watch = events.Watch(item_mark=store.counter, credits=credits)
        self.deliveries = Deliveries(deliver_to, delivery_timeout)
        self.deliveries.event_mark = store.counter
        self.schedule = monitor_runs.Schedule()
        monitor_runs.resume(store, self.schedule)

    def tick(self, store: Store, timing: Timing) -> None:
        self.watch.tick_start = store.counter
        imports.tick(store, timing.import_seconds)
        monitor_runs.tick(
            store, self.schedule, lambda s, w, fields: self._run_search(s, timing, w, fields)
        )
        before = events.running(store)
        advance(store, timing)
        events.announce(store, self.watch, before)
        monitor_runs.settle(store, self.schedule)
        self.deliveries.collect(store)

    def changed(self) -> None:
        """Objects were seeded or edited outside a request: look at the monitors again."""
        self.schedule.stale = True

    def reset(self, store: Store) -> None:
        self.watch = events.Watch(item_mark=store.counter, credits=self.initial_credits)
        self.deliveries.reset(store.counter)
        self.schedule = monitor_runs.Schedule(event_mark=store.counter)

    def check_request(self, method: str, segments: list[str], headers: dict[str, str]) -> None:
        """The priority header's value, and the 402 of a spent balance."""
        priority = headers.get(PRIORITY_HEADER)
        if priority is not None and priority not in PRIORITIES:
            raise bad_request(f"{PRIORITY_HEADER}: must be one of {', '.join(PRIORITIES)}")
        if not self.watch.out_of_credits:
            return
        for spend_method, pattern in _SPENDING:
            if method == spend_method and _matches(pattern, segments):
                raise ApiFailure(402, f"{events.NO_CREDITS_MESSAGE}", events.NO_CREDITS_TAG)

    @property
    def credits(self) -> float | None:
        return self.watch.credits

    def _run_search(self, store: Store, timing: Timing, webset: JSON, fields: JSON) -> JSON:
        search = create_search(store, webset, fields, timing)
        if self.watch.out_of_credits:
            cancel_search(store, search, events.OUT_OF_CREDITS)
        return search


def _matches(pattern: tuple[str, ...], segments: list[str]) -> bool:
    if len(pattern) != len(segments):
        return False
    return all(want in ("*", got) for want, got in zip(pattern, segments, strict=True))
