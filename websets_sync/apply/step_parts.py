"""Small pure helpers of :mod:`websets_sync.apply.steps`: how a lost create is looked for, which
steps a request waits for."""

from __future__ import annotations

from typing import Any

from websets_sync.apply.step_types import Reconcile, Request
from websets_sync.model.kinds import OPERATIONS
from websets_sync.model.operations import Lookup, Operation
from websets_sync.plan.types import Change

JSON = dict[str, Any]


def reconcile(change: Change, operation: Operation, body: JSON | None) -> Reconcile | None:
    if not operation.creates:
        return None
    ops = OPERATIONS[change.kind]
    name = change.address.name
    if ops.lookup is Lookup.EXTERNAL_ID and body is not None:
        name = str(body.get("externalId", name))
    definition_of = change.kind if ops.reruns else None
    return Reconcile(ops.lookup, name, ops.parent_list, ops.listed_at, definition_of)


def producers(request: Request | None) -> set[int]:
    if request is None:
        return set()
    return {ref.step for _, ref in request.ids if ref.known is None and ref.step is not None}
