"""``plan --explain``: the requests apply would send for a plan, without sending anything.

Text lists each unit and its steps (``METHOD path {body keys}`` and why); JSON carries every
step in full, bodies included. Ids a step needs from an earlier one are shown as
``{address}`` (the id that address's create will return). URLs in bodies are redacted, and no
request holds a secret or the API key (webhook secrets only ever come back in answers).

Order: units run concurrently; the steps of a unit run in the order shown. With
``--parallelism 1`` apply sends the request steps exactly in the order shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from websets_sync.apply.step_types import IdRef, Purpose, Request, Step, Unit
from websets_sync.apply.steps import plan_steps, request_steps
from websets_sync.model.operations import Memory
from websets_sync.model.redact import redact_value
from websets_sync.plan.types import Plan

EXPLAIN_FORMAT_VERSION = 1
#: Purposes that are what the change's action says (``run`` and ``adopt`` included).
_PLAIN = (Purpose.CREATE, Purpose.UPDATE)
_MEMORY_TEXT = {
    Memory.ID_AND_SECRET: "id and the secret from the answer",
    Memory.FORGET: "forgotten",
    Memory.FORGET_WITH_CHILDREN: "forgotten, with its children",
    Memory.MOVE: "its entry moves here (id, secret)",
}


def explain_plan(plan: Plan, *, as_json: bool = False) -> str:
    """The request sequence of ``plan`` as text, or as JSON (``as_json``)."""
    units = plan_steps(plan)
    if as_json:
        return json.dumps(explain_to_dict(plan, units), indent=2, ensure_ascii=False)
    return explain_text(units)


def explain_to_dict(plan: Plan, units: Sequence[Unit] | None = None) -> dict[str, Any]:
    """The JSON form: every unit with its steps and its records (unchanged addresses)."""
    units = plan_steps(plan) if units is None else units
    return {
        "format_version": EXPLAIN_FORMAT_VERSION,
        "project": plan.project,
        "requests": len(request_steps(units)),
        "units": [
            {
                "name": unit.name,
                "steps": [_step_dict(step) for step in unit.steps],
                "records": [_record_dict(record) for record in unit.records],
            }
            for unit in units
        ],
    }


def explain_text(units: Sequence[Unit]) -> str:
    count = len(request_steps(units))
    if not any(unit.steps for unit in units):
        moves = [line for unit in units for line in _state_moves(unit)]
        return "\n".join(["Apply would send no requests.", *moves]) + "\n"
    plural = "" if count == 1 else "s"
    lines = [
        f"Apply would send {count} request{plural} in {_units(units)}. Units run concurrently; "
        "the steps of a unit run in the order shown.",
    ]
    for unit in units:
        if unit.steps:
            lines += ["", unit.name]
            lines += [line for step in unit.steps for line in _step_lines(step)]
            lines += _state_moves(unit)
    return "\n".join(lines) + "\n"


def _state_moves(unit: Unit) -> list[str]:
    """Moves the state file alone makes (a search has no tags to change): no request."""
    return [
        f"  - {record.address} move: no request; state: the entry of "
        f"{' or '.join(map(str, record.moved_from))} moves here"
        for record in unit.records
        if record.moved_from
    ]


def _units(units: Sequence[Unit]) -> str:
    busy = sum(1 for unit in units if unit.steps)
    return f"{busy} unit{'' if busy == 1 else 's'}"


def _step_lines(step: Step) -> list[str]:
    head = f"{step.number:>3}."
    why = f"{step.address} {step.action.value}"
    if step.problem is not None:
        return [f"{head} nothing sent: {step.problem}"]
    if step.carried_by is not None:
        return [
            f"{head} (in the body of {step.carried_by}) {why}; its id is read from the answer "
            f"of {step.carried_by}; state: {_memory(step)}"
        ]
    assert step.request is not None
    request = f"{head} {step.request.method} {render_path(step.request)}{_keys(step.request)}"
    if step.purpose is Purpose.CONFIRM:
        return [request, f"     why: confirms {', '.join(map(str, step.confirms))}"]
    details = [f"why: {why}"]
    if step.purpose not in _PLAIN and step.purpose.value != step.action.value:
        details[0] += f" ({step.purpose.value})"
    if step.after:
        details.append("after " + ", ".join(map(str, step.after)))
    details.append(f"state: {_memory(step)}")
    return [request, "     " + "; ".join(details)]


def _memory(step: Step) -> str:
    """What the state file holds for the address once the step succeeded."""
    if step.remembers is Memory.ID_AND_PROTECTION:
        return f"id, preventDestroy {str(step.prevent_destroy).lower()}"
    if step.remembers is Memory.MOVE_WITH_CHILDREN:
        return (
            f"the entries of {step.moved_from[0]} and its children move here, "
            f"preventDestroy {str(step.prevent_destroy).lower()}"
        )
    return _MEMORY_TEXT.get(step.remembers) or str(step.remembers.value)


def render_path(request: Request) -> str:
    """The path with known ids filled in and ``{address}`` for ids made by earlier steps."""
    return request.path.format_map({name: _ref_text(ref) for name, ref in request.ids})


def _ref_text(ref: IdRef) -> str:
    if ref.known is not None:
        return ref.known
    if ref.produced_by is not None:
        return "{" + str(ref.produced_by) + "}"
    return "{?}"


def _keys(request: Request) -> str:
    if request.body is None:
        return ""
    return "  {" + ", ".join(request.body) + "}"


def _step_dict(step: Step) -> dict[str, Any]:
    request = step.request
    return {
        "step": step.number,
        "address": str(step.address),
        "action": step.action.value,
        "purpose": step.purpose.value,
        "method": request.method if request else None,
        "path": request.path if request else None,
        "ids": {name: _ref_dict(ref) for name, ref in request.ids} if request else {},
        "body": _body(request),
        "after": list(step.after),
        "carried_by": step.carried_by,
        "confirms": [str(address) for address in step.confirms],
        "reconcile": request.reconcile.lookup.value if request and request.reconcile else None,
        "remembers": step.remembers.value,
        "prevent_destroy": step.prevent_destroy,
        "problem": step.problem,
        **({"moved_from": [str(a) for a in step.moved_from]} if step.moved_from else {}),
    }


def _record_dict(record: Step) -> dict[str, Any]:
    result: dict[str, Any] = {
        "address": str(record.address),
        "id": record.live_id,
        "remembers": record.remembers.value,
    }
    if record.moved_from:
        result["moved_from"] = [str(address) for address in record.moved_from]
    return result


def _ref_dict(ref: IdRef) -> dict[str, Any]:
    if ref.known is not None:
        return {"known": ref.known}
    if ref.produced_by is not None:
        return {"from_step": ref.step, "address": str(ref.produced_by)}
    return {"missing": ref.missing}


def _body(request: Request | None) -> Any:
    if request is None or request.body is None:
        return None
    body = dict(request.body)
    for name, placeholder in request.body_ids:
        body[name] = render_path(Request(request.method, "{" + placeholder + "}", request.ids))
    return redact_value(body)
