"""One unit of an apply: a webset with its children (or a lone webhook), change after change."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
from websets_sync.errors import StateSaveError, WebsetsSyncError
from websets_sync.model import Address, Kind
from websets_sync.plan.types import Action, Change

JSON = dict[str, Any]

#: A failed create or adopt of these leaves the webset's children with nothing to attach to.
_BLOCKING = (Action.CREATE, Action.ADOPT)


class WebsetUnitRun:
    """Runs one unit's changes in plan order, reporting a result for every non-no-op change."""

    def __init__(
        self,
        changes: Sequence[Change],
        executor: Executor,
        signal: StopSignal,
        fail_fast: bool,
        report: Callable[[ChangeResult], None],
    ) -> None:
        self.changes = changes
        self.executor = executor
        self.signal = signal
        self.fail_fast = fail_fast
        self.report = report
        self.webset_id = _known_webset_id(changes)
        self.blocked: str | None = None  # why children cannot be attempted
        self.touched: dict[Address, str] = {}
        self.patched: list[tuple[Change, JSON]] = []  # enrichment PATCHes awaiting one re-read

    def run(self) -> list[tuple[Address, str]]:
        for change in self.changes:
            self._step(change)
        if self.patched:
            self._confirm_enrichments()
        return list(self.touched.items())

    def _step(self, change: Change) -> None:
        if change.action is Action.NOOP:
            self.executor.remember_unchanged(change)
        elif change.inline:
            pass  # sent inside its webset's create request; reported with the webset
        elif self.signal.stopped:
            self._skip(change, self.signal.why())
        elif self.blocked is not None and change.kind.is_child:
            self._skip(change, self.blocked)
        else:
            self._attempt(change)

    def _attempt(self, change: Change) -> None:
        try:
            outcome = self.executor.execute(change, self.webset_id)
        except StateSaveError as exc:
            self._unsaved(change, exc)
        except WebsetsSyncError as exc:
            self._failed(change, exc.message)
        except Exception as exc:  # a bug or an odd answer: fail this change, keep the others going
            self._failed(change, f"unexpected {type(exc).__name__}: {exc}")
        else:
            self._succeeded(change, outcome)

    def _unsaved(self, change: Change, exc: StateSaveError) -> None:
        """The change is live but the state file could not be saved: making more changes would
        lose track of them, so everything stops. The change itself did happen: it is reported
        applied (never "failed"), with where its record (and any secret) was rescued."""
        self.signal.stop(STATE_UNSAVED)
        self.signal.note_unsaved(exc)
        if exc.resource_id is None:  # a forget (after a delete): the delete happened
            self._applied(change, change.id, f"done, but not saved in the state file ({exc})")
            return
        self._applied(change, exc.resource_id, f"done, but not saved in the state file ({exc})")
        if change.kind is Kind.WEBSET and change.action is not Action.DELETE:
            self.webset_id = exc.resource_id
            self.blocked = STATE_UNSAVED

    def _succeeded(self, change: Change, outcome: StepOutcome) -> None:
        if change.kind is Kind.WEBSET:
            self._webset_done(change, outcome)
            return
        if change.kind is Kind.ENRICHMENT and change.action in (Action.UPDATE, Action.ADOPT):
            self.patched.append((change, outcome.data or {}))
            return
        self._applied(change, outcome.id, outcome.note, secret_lost=outcome.secret_lost)
        if (
            change.kind.is_child
            and self.webset_id is not None
            and change.action is not Action.DELETE
        ):
            self.touched[Address.for_webset(change.address.webset or "")] = self.webset_id

    def _webset_done(self, change: Change, outcome: StepOutcome) -> None:
        self._applied(change, outcome.id, outcome.note)
        if change.action is Action.DELETE:
            return
        self.webset_id = outcome.id
        if outcome.id is not None:
            self.touched[change.address] = outcome.id
        if change.action is Action.CREATE and outcome.data is not None:
            for child in self._inline_children():
                child_id = self.executor.remember_inline(child, outcome.data)
                if child_id is not None:
                    self._applied(child, child_id, None)
                else:
                    # A webset found after a 409 or lost answer may lack what its body carried.
                    self._attempt(child)

    def _failed(self, change: Change, message: str) -> None:
        self.report(ChangeResult(change.address, change.action, Outcome.FAILED, change.id, message))
        if change.kind is Kind.WEBSET and change.action in _BLOCKING:
            self.blocked = f"{change.address} could not be {_past(change.action)}"
            for child in self._inline_children():
                self._skip(child, self.blocked)
        if self.fail_fast:
            self.signal.stop(FAIL_FAST)

    def _applied(
        self, change: Change, live_id: str | None, note: str | None, *, secret_lost: bool = False
    ) -> None:
        result = ChangeResult(change.address, change.action, Outcome.APPLIED, live_id, note)
        self.report(replace(result, secret_lost=secret_lost) if secret_lost else result)

    def _skip(self, change: Change, why: str) -> None:
        self.report(ChangeResult(change.address, change.action, Outcome.NOT_ATTEMPTED, None, why))
        if change.kind is Kind.WEBSET and change.action in _BLOCKING:
            for child in self._inline_children():
                self._skip(child, why)

    def _touch(self, child: Change) -> None:
        if self.webset_id is not None and child.address.parent is not None:
            self.touched[child.address.parent] = self.webset_id

    def _inline_children(self) -> list[Change]:
        return [c for c in self.changes if c.inline and c.action is not Action.NOOP]

    def _confirm_enrichments(self) -> None:
        """One GET of the webset confirms every enrichment PATCH (their answers are empty)."""
        assert self.webset_id is not None
        try:
            webset = self.executor.client.get_webset(self.webset_id)
        except WebsetsSyncError as exc:
            for change, _ in self.patched:
                self._failed(change, f"updated, but the re-read to confirm it failed: {exc}")
            return
        live = {e.get("id"): e for e in webset.get("enrichments") or [] if isinstance(e, dict)}
        for change, body in self.patched:
            problem = enrichment_mismatch(body, live.get(change.id))
            if problem is None:
                self._applied(change, change.id, None)
                self._touch(change)
            else:
                self._failed(change, problem)


def enrichment_mismatch(body: Mapping[str, Any], live: Mapping[str, Any] | None) -> str | None:
    """Why the re-read enrichment does not show the PATCH ``body``; None when it does."""
    if live is None:
        return "the enrichment is gone after its update"
    differing = [
        key for key, value in body.items() if _normal(key, live.get(key)) != _normal(key, value)
    ]
    if differing:
        return f"the update did not take effect for {', '.join(sorted(differing))}"
    return None


def _normal(key: str, value: Any) -> Any:
    if key == "options" and isinstance(value, list):
        return [o.get("label") if isinstance(o, Mapping) else o for o in value]
    return value


def _known_webset_id(changes: Sequence[Change]) -> str | None:
    for change in changes:
        if change.kind is Kind.WEBSET and change.id is not None:
            return change.id
        if change.webset_id is not None:
            return change.webset_id
    return None


def _past(action: Action) -> str:
    return "adopted" if action is Action.ADOPT else "created"
