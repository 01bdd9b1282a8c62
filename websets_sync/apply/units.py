"""One unit of an apply: its steps (apply.steps), one after another, with a result per change.

A change is done when its reporting step succeeds; it fails at its first failing step (its later
steps are not sent). A step that waits for one that failed or was not attempted is not attempted
either: the children of a webset that could not be created or adopted. Once apply is stopped
(fail-fast, Ctrl-C) no new change starts; a change already started finishes its steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from websets_sync.apply.executor import Executor, StepOutcome
from websets_sync.apply.result import (
    FAIL_FAST,
    STATE_UNSAVED,
    ChangeResult,
    Outcome,
    StopSignal,
)
from websets_sync.apply.step_types import Purpose, Step, Unit
from websets_sync.errors import StateSaveError, WebsetsSyncError
from websets_sync.model import Address, Kind
from websets_sync.model.kinds import differing_fields
from websets_sync.plan.types import Action

JSON = dict[str, Any]

_PAST = {Action.ADOPT: "adopted", Action.RUN: "run", Action.MOVE: "moved"}


class UnitRun:
    """Runs one unit's steps in order, reporting a result for every non-no-op change."""

    def __init__(
        self,
        unit: Unit,
        executor: Executor,
        signal: StopSignal,
        fail_fast: bool,
        report: Callable[[ChangeResult], None],
        produced: dict[Address, str] | None = None,
    ) -> None:
        self.unit = unit
        self.executor = executor
        self.signal = signal
        self.fail_fast = fail_fast
        self.report = report
        # Ids made by creates: shared by every unit of an apply, as references name objects
        # other units create (in earlier waves).
        self.produced: dict[Address, str] = {} if produced is None else produced
        self.unavailable: dict[int, str] = {}  # step number → why its dependents are not attempted
        self.started: set[Address] = set()
        self.finished: set[Address] = set()  # changes that failed or were not attempted
        self.notes: dict[Address, str] = {}
        self.secrets_lost: set[Address] = set()  # webhooks created whose secret nobody knows
        self.touched: dict[Address, str] = {}
        self.patched: list[tuple[Step, JSON]] = []  # updates awaiting their confirming read

    def run(self) -> list[tuple[Address, str]]:
        moves = [r for r in self.unit.records if r.action is Action.MOVE]
        for record in self.unit.records:
            if record.action is not Action.MOVE:
                self.executor.record_unchanged(record)
        for step in self.unit.steps:
            self._step(step)
        # Moves in the state file alone (searches) come after the webset's own move has taken
        # its children's entries to its new address.
        for record in moves:
            self.executor.record_unchanged(record)
            self._applied(record, record.live_id)
        for step in self.unit.steps:
            if step.purpose is Purpose.CONFIRM:
                self._confirm(step)
        return list(self.touched.items())

    def _step(self, step: Step) -> None:
        if step.carried_by is not None or step.purpose is Purpose.CONFIRM:
            pass  # run with their carrier, and after every other step
        elif step.address in self.finished:
            pass  # an earlier step of this change failed
        elif step.address in self.started:
            self._attempt(step)  # a started change finishes its steps
        else:
            why = self._why_not(step)
            if why is None:
                self._attempt(step)
            else:
                self._skip(step, why)

    def _why_not(self, step: Step) -> str | None:
        if self.signal.stopped:
            return self.signal.why()
        return next((self.unavailable[n] for n in step.after if n in self.unavailable), None)

    def _attempt(self, step: Step) -> None:
        self.started.add(step.address)
        try:
            outcome = self.executor.execute(step, self.produced)
        except StateSaveError as exc:
            self._unsaved(step, exc)
        except WebsetsSyncError as exc:
            self._failed(step, exc.message)
        except OSError as exc:
            # The state file could not be saved: making more changes would lose track of them.
            self._failed(step, f"the state file could not be saved: {exc}")
            self.signal.stop(f"the state file could not be saved: {exc}")
        except Exception as exc:  # a bug or an odd answer: fail this change, keep the others going
            self._failed(step, f"unexpected {type(exc).__name__}: {exc}")
        else:
            self._succeeded(step, outcome)

    def _unsaved(self, step: Step, exc: StateSaveError) -> None:
        """The step is live but the state file could not be saved: making more changes would
        lose track of them, so everything stops. What was done did happen: it is reported
        applied (never "failed"), with where its record (and any secret) was rescued."""
        self.signal.stop(STATE_UNSAVED)
        self.signal.note_unsaved(exc)
        live_id = exc.resource_id if exc.resource_id is not None else step.live_id
        if step.purpose is not Purpose.DELETE and live_id is not None:
            self.produced[step.address] = live_id
        self.unavailable[step.number] = STATE_UNSAVED
        self.finished.add(step.address)
        note = f"done, but not saved in the state file ({exc})"
        self.report(ChangeResult(step.address, step.action, Outcome.APPLIED, live_id, note))
        for child in self._carried(step):
            self._skip(child, STATE_UNSAVED)

    def _succeeded(self, step: Step, outcome: StepOutcome) -> None:
        if outcome.secret_lost:
            self.secrets_lost.add(step.address)
        if step.purpose is not Purpose.DELETE and outcome.id is not None:
            self.produced[step.address] = outcome.id
        if outcome.note is not None and (step.reports or step.purpose is Purpose.CREATE):
            self.notes[step.address] = outcome.note
        if step.request is not None and step.request.empty_answer:
            self.patched.append((step, outcome.data or {}))
        elif step.reports:
            self._applied(step, outcome.id)
            self._touch(step)
        for child in self._carried(step):
            child_id = self.executor.carried(child, outcome.data or {})
            if child_id is not None:
                self.started.add(child.address)
                self._applied(child, child_id)
            else:
                # A webset found after a 409 or lost answer may lack what its body carried.
                self._attempt(child)

    def _failed(self, step: Step, message: str) -> None:
        self.finished.add(step.address)
        self.report(ChangeResult(step.address, step.action, Outcome.FAILED, step.live_id, message))
        past = _PAST.get(step.action, f"{step.action.value}d")
        self.unavailable[step.number] = f"{step.address} could not be {past}"
        for child in self._carried(step):
            self._skip(child, self.unavailable[step.number])
        if self.fail_fast:
            self.signal.stop(FAIL_FAST)

    def _applied(self, step: Step, live_id: str | None) -> None:
        note = self.notes.get(step.address)
        result = ChangeResult(step.address, step.action, Outcome.APPLIED, live_id, note)
        lost = step.address in self.secrets_lost
        self.report(replace(result, secret_lost=True) if lost else result)

    def _skip(self, step: Step, why: str) -> None:
        self.finished.add(step.address)
        self.unavailable[step.number] = why
        self.report(ChangeResult(step.address, step.action, Outcome.NOT_ATTEMPTED, None, why))
        for child in self._carried(step):
            self._skip(child, why)

    def _touch(self, step: Step) -> None:
        """Remember the webset a change touched (for ``--wait``); deletes touch nothing."""
        webset = step.address.webset
        webset_id = self._webset_id()
        if step.action is not Action.DELETE and webset is not None and webset_id is not None:
            self.touched[Address.for_webset(webset)] = webset_id

    def _webset_id(self) -> str | None:
        ref = self.unit.webset
        if ref is None:
            return None
        if ref.produced_by is not None and ref.produced_by in self.produced:
            return self.produced[ref.produced_by]
        return ref.known

    def _carried(self, step: Step) -> list[Step]:
        return [s for s in self.unit.steps if s.carried_by == step.number]

    def _confirm(self, step: Step) -> None:
        """One read of the webset confirms every update whose answer was empty."""
        pending = [(s, body) for s, body in self.patched if s.address in step.confirms]
        if not pending:
            return
        try:
            webset = self.executor.execute(step, self.produced).data or {}
        except WebsetsSyncError as exc:
            for change, _ in pending:
                self._failed(change, f"updated, but the re-read to confirm it failed: {exc}")
            return
        listed = webset.get(step.found_in[0] if step.found_in else "") or []
        live = {e.get("id"): e for e in listed if isinstance(e, dict)}
        for change, body in pending:
            problem = update_mismatch(change.address.kind, body, live.get(change.live_id))
            if problem is None:
                self._applied(change, change.live_id)
                self._touch(change)
            else:
                self._failed(change, problem)


def update_mismatch(
    kind: Kind, body: Mapping[str, Any], live: Mapping[str, Any] | None
) -> str | None:
    """Why the re-read object does not show the update ``body``; None when it does."""
    if live is None:
        return f"the {kind.value} is gone after its update"
    # Only what was sent is confirmed (a move sends the metadata alone).
    differing = [name for name in differing_fields(kind, body, live) if name in body]
    if differing:
        return f"the update did not take effect for {', '.join(differing)}"
    return None
