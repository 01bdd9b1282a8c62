"""A plan → the requests apply will send, as data (pure: no client, no state file, no clock).

Apply executes these steps and nothing else (``apply.units``); ``plan --explain`` prints them
(``render.explain``), and every scenario keeps them as a golden. What a kind's create, update and
delete request is comes from the operations table ``model.kinds.OPERATIONS``.

Steps come in *units*: one per webset (its changes in plan order) and one per webhook. Units run
concurrently; the steps of a unit run one after another in the order given here, because a child
needs its parent's id. So with one worker (``parallelism=1``) apply sends exactly the request
steps in order, unit after unit; with more, each unit's requests still come in its order, and the
whole is an interleaving of the units. That holds while every request succeeds at once; what
may differ otherwise:

- a create whose answer is lost is followed by the reads that look for it (``reconcile``), and
  a step ``carried_by`` another (a child sent inside its webset's create body, which sends
  nothing of its own) is sent only when the webset found that way turns out not to have it;
- a step after one that failed is not sent (nor are later steps of a failed change), and a
  confirming read is sent only if one of the updates it confirms succeeded.

Unchanged addresses are no steps: a unit's ``records`` keep their state-file entries current,
without a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from websets_sync.apply import step_inputs
from websets_sync.apply.bodies import BUILDERS, BodyInput
from websets_sync.apply.references import bind_references, unit_waves
from websets_sync.apply.step_parts import producers, reconcile
from websets_sync.apply.step_types import IdRef, Purpose, Request, Step, Unit
from websets_sync.errors import ApplyError
from websets_sync.model import Address
from websets_sync.model.kinds import OPERATIONS
from websets_sync.model.operations import InlineId, KindOperations, Memory, Operation
from websets_sync.plan.types import Action, Change, Plan

JSON = dict[str, Any]

#: The changes whose failure leaves the webset's children with nothing to attach to.
_PARENT_ACTIONS = (Action.CREATE, Action.ADOPT)
NO_WEBSET_ID = "the parent webset has no id"
NO_LIVE_ID = "the plan has no live id for this {}"
NO_CREATED_ID = "its create returned no id"


def plan_steps(plan: Plan) -> tuple[Unit, ...]:
    """Every step apply takes for ``plan``, unit by unit, in the order they run: wave by wave
    (imports, then websets after those they refer to), in plan order within a wave."""
    numbers = _Numbers()
    groups = group_units(plan.changes)
    waves = unit_waves(groups)
    order = sorted(range(len(groups)), key=lambda index: waves[index])
    return tuple(
        replace(
            _UnitBuilder(plan.project, groups[i][1], numbers, plan.references).build(groups[i][0]),
            wave=waves[i],
        )
        for i in order
    )


def request_steps(units: Sequence[Unit]) -> list[Step]:
    """The steps that send a request of their own (the ones a request log shows)."""
    return [s for u in units for s in u.steps if s.request is not None and s.carried_by is None]


def group_units(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    """One unit per webset (its changes in plan order) and one per webhook, in plan order."""
    units: dict[str, list[Change]] = {}
    for change in changes:
        webset = change.address.webset
        key = str(change.address) if webset is None else str(Address.for_webset(webset))
        units.setdefault(key, []).append(change)
    return list(units.items())


@dataclass
class _Numbers:
    last: int = 0
    #: The step whose answer holds the id of each object created (references use it).
    created: dict[Address, int] = field(default_factory=dict)

    def next(self) -> int:
        self.last += 1
        return self.last


@dataclass
class _UnitBuilder:
    project: str
    changes: Sequence[Change]
    numbers: _Numbers
    references: Mapping[str, str]
    steps: list[Step] = field(default_factory=list)
    #: The create or adopt of the unit's webset: its children are not attempted if it fails.
    parent_step: int | None = None
    webset: IdRef = field(default_factory=IdRef)

    def build(self, name: str) -> Unit:
        self.webset = IdRef(step_inputs.known_webset_id(self.changes), missing=NO_WEBSET_ID)
        for change in self.changes:
            self._change(change)
        self._confirm()
        in_webset = self.changes[0].address.webset is not None
        records = tuple(s for s in self.steps if s.purpose is Purpose.RECORD)
        steps = tuple(s for s in self.steps if s.purpose is not Purpose.RECORD)
        return Unit(name, steps, records, self.webset if in_webset else None)

    def _change(self, change: Change) -> None:
        ops = OPERATIONS[change.kind]
        if change.action is Action.NOOP:
            self._record(change, ops)
        elif change.action is Action.MOVE:
            self._move(change, ops)
        elif change.inline:
            return  # carried by its webset's create (added there)
        elif change.action is Action.DELETE:
            self._operation(change, ops.delete, Purpose.DELETE, "deleted")
        elif change.action in (Action.UPDATE, Action.ADOPT):
            self._operation(change, ops.update, Purpose.UPDATE, "updated in place")
        else:
            if change.action is Action.REPLACE:
                self._operation(change, ops.delete, Purpose.DELETE, "deleted", reports=False)
            self._create(change, ops)

    def _record(self, change: Change, ops: KindOperations) -> None:
        """A no-op sends nothing but keeps the state file current."""
        if change.id is None or (ops.unchanged is Memory.ID_IF_MISSING and change.desired is None):
            return
        record = Step(
            0,
            change.address,
            change.action,
            Purpose.RECORD,
            None,
            remembers=ops.unchanged,
            prevent_destroy=step_inputs.protection_after(change),
            live_id=change.id,
        )
        self.steps.append(record)

    def _move(self, change: Change, ops: KindOperations) -> None:
        """Re-tag in place (its state entry follows); a search moves in the state file only."""
        if ops.move is None:
            self.steps.append(step_inputs.state_only_move(change))
        else:
            sources = step_inputs.move_sources(change)
            self._operation(change, ops.move, Purpose.MOVE, "moved", moved_from=sources)

    def _create(self, change: Change, ops: KindOperations) -> None:
        first = self._operation(change, ops.create, Purpose.CREATE, "created")
        if first is None or first.request is None:
            return
        self.numbers.created[change.address] = first.number
        if change.kind.has_children:
            self._carry_inline(change, first)
        if ops.after_create is None:
            return
        produced = IdRef(produced_by=change.address, step=first.number, missing=NO_CREATED_ID)
        follow_up = self._operation(
            change, ops.after_create, Purpose.AFTER_CREATE, "changed", own_id=produced
        )
        if follow_up is not None:  # the change is done when its follow-up is
            self.steps[self.steps.index(first)] = replace(first, reports=False)
            if ops.after_create.upload:  # a failed upload ends with a fresh import's id
                self.numbers.created[change.address] = follow_up.number

    def _carry_inline(self, change: Change, carrier: Step) -> None:
        """The webset's create: later children use its id, and the inline ones ride in its body."""
        if self.webset.known is None:
            self.webset = IdRef(
                produced_by=change.address, step=carrier.number, missing=NO_WEBSET_ID
            )
        for child in self.changes:
            if child.inline and child.action is not Action.NOOP:
                ops = OPERATIONS[child.kind]
                self._add(
                    child,
                    Purpose.CREATE,
                    self._request(child, ops.create, IdRef()),
                    remembers=ops.create.remembers,
                    carried_by=carrier.number,
                    found_in=(ops.parent_list or "", ops.inline_id),
                )

    def _operation(
        self,
        change: Change,
        operation: Operation | None,
        purpose: Purpose,
        verb: str,
        *,
        reports: bool = True,
        own_id: IdRef | None = None,
        moved_from: tuple[Address, ...] = (),
    ) -> Step | None:
        """The step of one operation; None when its builder says nothing needs sending."""
        if operation is None:
            problem = f"{change.address}: a {change.kind.value} cannot be {verb}"
            return self._add(change, purpose, None, problem=problem)
        own = own_id or IdRef(change.id, missing=NO_LIVE_ID.format(change.action.value))
        try:
            request = self._request(change, operation, own)
        except ApplyError as exc:
            return self._add(change, purpose, None, problem=f"{change.address}: {exc.message}")
        if request is None:
            return None
        protects = operation.remembers in (Memory.ID_AND_PROTECTION, Memory.MOVE_WITH_CHILDREN)
        return self._add(
            change,
            purpose,
            request,
            remembers=operation.remembers,
            prevent_destroy=protects and step_inputs.protection_after(change),
            reports=reports,
            moved_from=moved_from,
        )

    def _request(self, change: Change, operation: Operation, own: IdRef) -> Request | None:
        body = None
        protect = step_inputs.protection_after(change)
        initial = step_inputs.initial_search_of(self.changes)
        known = self.webset.known or ""
        given = BodyInput(change.desired, change.live, self.project, protect, known, initial)
        if operation.body is not None:
            if change.desired is None:
                raise ApplyError(f"the plan carries no declared {change.kind.value}")
            body = BUILDERS[operation.body](replace(given, webset_id=given.webset_id or "{webset}"))
            if body is None:
                return None
        refs = {"id": own, "webset": self.webset}
        names = [n for n in refs if "{" + n + "}" in operation.path]
        names += [n for _, n in operation.body_ids if n not in names]
        ids = [(name, refs[name]) for name in names]
        if body is not None:
            body, targets = bind_references(body, self.numbers.created, self.references)
            ids += targets
        upload = getattr(change.desired, "upload", None) if operation.upload else None
        fresh = BUILDERS[OPERATIONS[change.kind].create.body or ""](given) if upload else None
        return Request(
            operation.method,
            operation.path,
            tuple(ids),
            body,
            operation.body_ids,
            operation.empty_answer,
            reconcile(change, operation, body),
            upload,
            fresh,
        )

    def _add(
        self, change: Change, purpose: Purpose, request: Request | None, **details: Any
    ) -> Step:
        after = producers(request)
        if self.parent_step is not None and change.kind.is_child:
            after.add(self.parent_step)
        earlier = [s for s in self.steps if s.purpose is not Purpose.RECORD]
        if earlier and earlier[-1].address == change.address:
            after.add(earlier[-1].number)  # the change's earlier step
        step = Step(
            self.numbers.next(),
            change.address,
            change.action,
            purpose,
            request,
            after=tuple(sorted(after)),
            live_id=change.id,
            **details,
        )
        self.steps.append(step)
        if change.kind.has_children and change.action in _PARENT_ACTIONS:
            self.parent_step = self.parent_step or step.number
        return step

    def _confirm(self) -> None:
        """Updates answered with an empty body are confirmed by one read of their webset."""
        pending = [s for s in self.steps if s.request is not None and s.request.empty_answer]
        if not pending:
            return
        ops = OPERATIONS[pending[0].address.kind]
        assert ops.confirm is not None and pending[0].address.webset is not None
        step = Step(
            self.numbers.next(),
            Address.for_webset(pending[0].address.webset),
            pending[0].action,
            Purpose.CONFIRM,
            Request(ops.confirm.method, ops.confirm.path, (("webset", self.webset),)),
            after=tuple(s.number for s in pending),
            reports=False,
            confirms=tuple(dict.fromkeys(s.address for s in pending)),
            found_in=(ops.parent_list or "", InlineId.TAGGED),
        )
        self.steps.append(step)
