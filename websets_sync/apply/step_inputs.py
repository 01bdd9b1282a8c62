"""What ``apply.steps`` reads from a plan's changes besides the operations table: the unit's
webset id, the preventDestroy in force, and for a ``move`` (DESIGN §11) where its state entry is,
the request-less move of a kind the API keeps no tags on (searches), and the renamed inline search
of a unit's webset."""

from __future__ import annotations

from collections.abc import Sequence

from websets_sync.apply.step_types import Purpose, Step
from websets_sync.model import Address
from websets_sync.model.operations import Memory
from websets_sync.plan.moves import INITIAL_SEARCH_FIELD, entry_sources
from websets_sync.plan.protection import live_protected
from websets_sync.plan.types import Change


def move_sources(change: Change) -> tuple[Address, ...]:
    """Where a moved change's state entry may be when its step runs."""
    if change.moved_from is None:
        return ()
    return entry_sources(change.moved_from, change.address)


def state_only_move(change: Change) -> Step:
    """A move without a request (a search): its state-file entry follows, nothing is sent."""
    return Step(
        0,
        change.address,
        change.action,
        Purpose.RECORD,
        None,
        remembers=Memory.MOVE,
        live_id=change.id,
        moved_from=move_sources(change),
    )


def initial_search_of(changes: Sequence[Change]) -> str | None:
    """The webset's initial-search tag, when a move in the unit renames its inline search."""
    for change in changes:
        for changed in change.fields:
            if change.kind.has_children and changed.path == INITIAL_SEARCH_FIELD:
                return str(changed.after)
    return None


def protection_after(change: Change) -> bool:
    """The preventDestroy in force after the change, as the plan computed it: its field change
    when it shows one, else what the live webset is tagged with (DESIGN §4, plan/protection)."""
    for changed in change.fields:
        if changed.path == "preventDestroy":
            return bool(changed.after)
    return change.live is not None and live_protected(change.live)


def known_webset_id(changes: Sequence[Change]) -> str | None:
    """The live id of the unit's webset when the plan knows it (None: it is created first)."""
    for change in changes:
        if change.kind.has_children and change.id is not None:
            return change.id
        if change.webset_id is not None:
            return change.webset_id
    return None
