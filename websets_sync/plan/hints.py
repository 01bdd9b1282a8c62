"""The rename hint (DESIGN §11): a plan that deletes one object and creates another of the same
kind with the same definition is most likely a rename; it says so and gives the ``moved`` block
that keeps the object (and what was paid for it) instead."""

from __future__ import annotations

from collections.abc import Sequence

from websets_sync.model import Address, DesiredResource, DesiredWebset, LiveObject
from websets_sync.model.kinds import same_definition
from websets_sync.plan.moves import Moves, check_resolved
from websets_sync.plan.types import Action, Change
from websets_sync.state.store import State


def move_warnings(
    moves: Moves,
    changes: Sequence[Change],
    deleted: Sequence[tuple[Address, LiveObject]],
    state: State,
) -> list[tuple[Address | None, str]]:
    """What the plan says about renames once it is built: a ``moved`` block that leads nowhere
    is a PlanError (moves.check_resolved); a likely rename without one is a warning."""
    check_resolved(moves, changes, state)
    return list(rename_hints(changes, deleted))


def rename_hints(
    changes: Sequence[Change], deleted: Sequence[tuple[Address, LiveObject]]
) -> list[tuple[Address, str]]:
    """(created address, warning) for each create whose definition a deleted object has."""
    hints = []
    unmatched = list(deleted)
    for change in changes:
        if change.action is not Action.CREATE or change.inline or change.desired is None:
            continue
        match = next((d for d in unmatched if _same(change, *d)), None)
        if match is None:
            continue
        unmatched.remove(match)
        old, new = match[0], change.address
        hints.append(
            (
                new,
                f"{old} is deleted (or left undeclared) and {new} created with the same "
                f"definition: if it was renamed, keep the {new.kind.value} by adding to the "
                f"manifests: moved: [{{from: {old}, to: {new}}}]",
            )
        )
    return hints


def _same(change: Change, address: Address, live: LiveObject) -> bool:
    if address.kind is not change.kind or address == change.address:
        return False
    if change.kind.is_child and address.webset != change.address.webset:
        return False  # the API cannot move a child between websets
    desired = change.desired
    if isinstance(desired, DesiredWebset):
        # A webset with nothing declared but its name is like any other: no guess.
        return bool(desired.spec) and same_definition(change.kind, desired.spec, live.data)
    assert isinstance(desired, DesiredResource)
    return same_definition(change.kind, desired.spec, live.data)
