"""Execute a Plan: dependency order, concurrent across websets, exact per-address results.

The plan becomes request steps (:func:`websets_sync.apply.steps.plan_steps`) grouped into *units*:
one per webset (the webset and its children, in plan order — created top-down, deleted
bottom-up) and one per webhook. The runner only executes those steps. Units run concurrently on a
thread pool (``parallelism``) under the client's shared rate limit; inside a unit changes run one
after another, because a child needs its parent's id.

A failure ends only its own change (and, when a webset could not be created or adopted, its
children's, which are "not attempted"). ``fail_fast`` or a cancel (Ctrl-C) starts nothing new:
requests in flight finish, their results are recorded, and everything else is "not attempted".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from websets_sync.apply.executor import Executor
from websets_sync.apply.result import (
    INTERRUPTED,
    ApplyResult,
    ChangeResult,
    Outcome,
    StopSignal,
    TouchedWebset,
)
from websets_sync.apply.step_types import Unit
from websets_sync.apply.steps import plan_steps
from websets_sync.apply.units import UnitRun
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.model import Address
from websets_sync.plan.types import Plan
from websets_sync.state.store import StateStore

DEFAULT_PARALLELISM = 4


def apply_plan(
    plan: Plan,
    client: WebsetsClient,
    store: StateStore,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    fail_fast: bool = False,
    cancel: threading.Event | None = None,
    on_result: Callable[[ChangeResult], None] | None = None,
) -> ApplyResult:
    """Make the live account match ``plan``; record every success in ``store`` as it happens.

    Raises StateError before any request when the state file cannot be written.
    ``cancel`` is an event the caller may set to stop starting new work. A KeyboardInterrupt
    (Ctrl-C) arriving in the calling thread while apply runs does the same; it is not re-raised:
    ``ApplyResult.interrupted`` says it happened.
    """
    if plan.has_changes:
        # A webhook's secret is shown once: prove the state can be saved before changing anything.
        store.check_writable()
    signal = StopSignal(cancel=cancel or threading.Event())
    executor = Executor(client, store, plan.project, _known_ids(plan))
    report = _Reporter(on_result)
    units = plan_steps(plan)
    produced: dict[Address, str] = {}

    def run(unit: Unit) -> list[TouchedWebset]:
        touched = UnitRun(unit, executor, signal, fail_fast, report, produced).run()
        return [TouchedWebset(address, webset_id) for address, webset_id in touched]

    def run_all() -> list[TouchedWebset]:
        # Wave after wave: what a unit refers to was created by an earlier wave.
        futures = []
        for wave in sorted({unit.wave for unit in units}):
            with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
                futures += [pool.submit(run, unit) for unit in units if unit.wave == wave]
        return [t for future in futures for t in future.result()]

    touched = _run_interruptibly(run_all, signal)
    unsaved = signal.unsaved
    return ApplyResult(
        tuple(report.ordered(plan)),
        signal.interrupted,
        tuple(touched),
        state_unsaved=unsaved.message if unsaved is not None else None,
        rescue_file=unsaved.rescue_file if unsaved is not None else None,
    )


def _run_interruptibly(
    work: Callable[[], list[TouchedWebset]], signal: StopSignal
) -> list[TouchedWebset]:
    """Run ``work`` on a coordinator thread while this thread only waits for it.

    Ctrl-C raises KeyboardInterrupt in the main thread at any bytecode; keeping this thread's
    part to a tiny join loop means the interrupt always lands here, where it becomes a stop
    signal: nothing new starts, and requests in flight finish and are recorded.
    """
    outcome: list[list[TouchedWebset]] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def coordinate() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)
        finally:
            done.set()

    # Not Thread.join: an interrupted join can leave is_alive() wrong (CPython gh-90882).
    coordinator = threading.Thread(target=coordinate, name="apply-coordinator")
    while not done.is_set():
        try:
            if coordinator.ident is None:
                coordinator.start()
            done.wait(0.2)
        except KeyboardInterrupt:
            signal.stop(INTERRUPTED)
    if failure:
        raise failure[0]
    return outcome[0]


def _known_ids(plan: Plan) -> frozenset[str]:
    """Ids that existed when the plan was made: never mistaken for the result of a lost create."""
    ids = set(plan.live_fingerprints)
    for change in plan.changes:
        if change.id is not None:
            ids.add(change.id)
        if change.live is not None:
            ids.add(change.live.id)
    return frozenset(ids)


class _Reporter:
    """Collects results from every thread and passes each on as it happens."""

    def __init__(self, on_result: Callable[[ChangeResult], None] | None) -> None:
        self._on_result = on_result
        self._lock = threading.Lock()
        self._results: dict[Address, ChangeResult] = {}

    def __call__(self, result: ChangeResult) -> None:
        with self._lock:
            self._results[result.address] = result
            if self._on_result is not None:
                self._on_result(result)

    def ordered(self, plan: Plan) -> list[ChangeResult]:
        return [self._results[c.address] for c in plan.changes if c.address in self._results]


__all__ = [
    "ApplyResult",
    "ChangeResult",
    "Outcome",
    "StopSignal",
    "TouchedWebset",
    "apply_plan",
]
