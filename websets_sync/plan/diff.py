"""Compare one desired/live pair into field changes. The only module that uses deepdiff.

Both sides are normalized first (kinds.py), so the records returned here are the whole truth:
the planner decides the action from them and the renderers show exactly them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from websets_sync.model import Kind
from websets_sync.model.kinds import RULES, comparable_pair, normalize
from websets_sync.plan.types import FieldChange

PathSteps = tuple[str | int, ...]


def diff_fields(
    kind: Kind, desired_spec: Mapping[str, Any], live_data: Mapping[str, Any] | None
) -> tuple[FieldChange, ...]:
    """Field changes that turn the live object into the desired one (live None = create).

    Lists are reported whole (``events: [a] → [a, b]``): a list element rarely means anything
    on its own, and a whole list is what a reviewer can check.
    """
    if live_data is None:
        return _creation_fields(kind, desired_spec)
    live, desired = comparable_pair(kind, desired_spec, live_data)
    return _field_changes(kind, live, desired)


def _creation_fields(kind: Kind, desired_spec: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    desired = normalize(kind, desired_spec, live=False, keep_defaults=True)
    return _field_changes(kind, {}, desired)


def _field_changes(
    kind: Kind, live: dict[str, Any], desired: dict[str, Any]
) -> tuple[FieldChange, ...]:
    # Most pairs are the same (a plan of an applied account) or a create; DeepDiff costs a
    # millisecond a pair, so it only runs for a pair that differs, and it alone says how.
    if identical(live, desired):
        return ()
    paths: set[PathSteps]
    if not live:  # DeepDiff's answer for {} → desired: every top-level field added
        paths = {(name,) for name in desired}
    else:
        # Imported here: deepdiff and what it imports cost every start-up 20-80 ms, and
        # validate, a plan with no updates and --help never need it.
        from deepdiff import DeepDiff

        tree = DeepDiff(live, desired, view="tree", threshold_to_diff_deeper=0)
        paths = set()
        for levels in tree.values():
            for level in levels:
                paths.add(_collapse_lists(tuple(level.path(output_format="list"))))
    order = {name: index for index, name in enumerate(RULES[kind].compared)}
    ordered = sorted(paths, key=lambda steps: (order.get(str(steps[0]), 99), _dotted(steps)))
    defaults = RULES[kind].defaults if live else {}
    return tuple(
        FieldChange(
            _dotted(steps),
            _lookup(live, steps, defaults),
            _lookup(desired, steps, defaults),
        )
        for steps in ordered
    )


def identical(left: Any, right: Any) -> bool:
    """Equal and of the same types all the way down: what DeepDiff calls no difference
    (``==`` alone would take ``1`` for ``1.0`` or ``True``, which DeepDiff reports)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(identical(v, right[k]) for k, v in left.items())
    if isinstance(left, list):
        return len(left) == len(right) and all(map(identical, left, right))
    return bool(left == right)


def _collapse_lists(steps: PathSteps) -> PathSteps:
    for index, step in enumerate(steps):
        if isinstance(step, int):
            return steps[:index]
    return steps


def _dotted(steps: PathSteps) -> str:
    return ".".join(str(step) for step in steps)


def _lookup(data: Any, steps: PathSteps, defaults: Mapping[str, Any]) -> Any:
    """The value at ``steps``; an absent documented default shows as its value (count 10)."""
    current = data
    for step in steps:
        if not isinstance(current, Mapping) or step not in current:
            return defaults.get(_dotted(steps))
        current = current[step]
    return current
