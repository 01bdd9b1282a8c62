"""``moved`` blocks in the plan (DESIGN §11): which declared address was known by which other
one, the state file as it reads once entries followed their moves, and the ``move`` changes.

A moved child or webhook is found by its old externalId tag and re-tagged in place (PATCH of its
metadata); a moved webset keeps its live externalId (the API cannot change it) and is tagged with
an alias; a moved search (which the API keeps no tags on) follows through the state file, and the
webset's initial-search tag when it was the one sent inline. Nothing is created, run or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from websets_sync.errors import PlanError
from websets_sync.model import (
    Address,
    DesiredResource,
    DesiredWebset,
    Kind,
    LiveObject,
    LiveState,
    LiveWebset,
    Move,
)
from websets_sync.plan.identity import find_live_webset, inline_search, live_webset_named
from websets_sync.plan.types import Action, Change, FieldChange
from websets_sync.state.store import State
from websets_sync.state.surgery import move_in_state

#: The field a move change shows: the address it had and the one it has now.
ADDRESS_FIELD = "address"
#: The webset field a rename of its inline search shows (a reserved tag, hidden from drift).
INITIAL_SEARCH_FIELD = "initialSearch"


@dataclass(frozen=True)
class Moves:
    """The manifests' moves, looked up by the address they lead to."""

    moves: tuple[Move, ...] = ()
    #: Target addresses whose state-file entry the planner's view moved (apply moves them too).
    pending_in_state: frozenset[Address] = field(default_factory=frozenset)

    def origin(self, target: Address) -> Address | None:
        """The address ``target`` was known by, when a move leads to it."""
        return next((m.source for m in self.moves if m.target == target), None)

    def move_to(self, target: Address) -> Move | None:
        return next((m for m in self.moves if m.target == target), None)

    def origins(self, declared: Iterable[DesiredResource]) -> dict[str, str]:
        """For children of one webset (or webhooks): declared name → the name it had."""
        result = {}
        for resource in declared:
            origin = self.origin(resource.address)
            if origin is not None:
                result[resource.address.name] = origin.name
        return result


def moved_view(state: State, moves: Sequence[Move]) -> tuple[State, Moves]:
    """The state file as the plan reads it once every entry followed its move (websets first,
    with their children), and the moves with the targets that moved in it."""
    pending: set[Address] = set()
    ordered = sorted(moves, key=lambda m: m.source.kind is not Kind.WEBSET)
    for move in ordered:
        before = state
        for source in source_candidates(move):
            children = move.source.kind is Kind.WEBSET
            state = move_in_state(state, str(source), str(move.target), children=children)
            if state is not before:
                pending.add(move.target)
                break
    return state, Moves(tuple(moves), frozenset(pending))


def source_candidates(move: Move) -> tuple[Address, ...]:
    return entry_sources(move.source, move.target)


def entry_sources(source: Address, target: Address) -> tuple[Address, ...]:
    """Where a moved entry may be in the state file: at its ``from``, or (for a child whose
    webset moved first) at the same name below the webset's new address."""
    if source.kind.is_child and target.webset is not None and source.webset != target.webset:
        return (source, source.with_webset(target.webset))
    return (source,)


def move_change(
    address: Address,
    origin: Address,
    live: LiveObject,
    desired: DesiredResource | DesiredWebset,
    *,
    webset_id: str | None = None,
    extra: tuple[FieldChange, ...] = (),
) -> Change:
    """The free ``move`` of a live object from ``origin`` to ``address``."""
    reason = f"moved from {origin} (moved block): re-tagged in place; nothing is created or run"
    if address.kind is Kind.WEBSET:
        native = live.data.get("externalId") or origin.name
        reason = (
            f"moved from {origin} (moved block): keeps its live externalId {native!r} and is "
            "found by its alias tag from now on; nothing is created or run"
        )
    elif address.kind is Kind.SEARCH:
        reason = f"moved from {origin} (moved block): the same search, nothing is run"
    return Change(
        address,
        Action.MOVE,
        reason,
        id=live.id,
        fields=(FieldChange(ADDRESS_FIELD, str(origin), str(address)), *extra),
        desired=desired,
        live=live,
        webset_id=webset_id,
        moved_from=origin,
    )


def collision(target: Address, origin: Address, at_target: str, at_origin: str) -> PlanError:
    return PlanError(
        f"cannot move {origin} to {target}: both exist (live {at_origin} and {at_target})",
        detail=f"Remove the moved block, or delete one of them first (state rm {target}).",
    )


def find_webset(
    moves: Moves, project: str, webset: DesiredWebset, live: LiveState
) -> tuple[LiveWebset | None, Address | None]:
    """The live webset a declared one is, and the address it is moved from (None: not moved)."""
    found = find_live_webset(webset, live, project)
    origin = moves.origin(webset.address)
    if origin is None or webset.pinned_id is not None:
        return found, None
    old = live_webset_named(origin.name, live, project)
    if old is None or old is found:
        return found, None
    if found is not None:
        raise collision(webset.address, origin, found.id, old.id)
    return old, origin


def inline_search_renamed(
    moves: Moves, project: str, webset: DesiredWebset, live: LiveWebset
) -> tuple[FieldChange, ...]:
    """The webset's initial-search tag, when a move renames the search it was created with."""
    inline = inline_search(live, project)
    if inline is None:
        return ()
    for search in webset.searches:
        origin = moves.origin(search.address)
        if origin is not None and origin.name == inline[0] != search.address.name:
            return (FieldChange(INITIAL_SEARCH_FIELD, inline[0], search.address.name),)
    return ()


def webset_changes(
    moves: Moves, project: str, change: Change, live: LiveWebset, moved_from: Address | None
) -> list[Change]:
    """An existing webset's changes: its move first when it moved (carrying the rename of the
    search it was created with), then its own change unless that is a no-op."""
    assert isinstance(change.desired, DesiredWebset)
    renamed = inline_search_renamed(moves, project, change.desired, live)
    if moved_from is not None:
        move = move_change(change.address, moved_from, live.webset, change.desired, extra=renamed)
        return [move] if change.action is Action.NOOP else [move, change]
    if renamed and change.action is Action.NOOP:
        reason = "the search sent inline with it is renamed (its initial-search tag follows)"
        return [replace(change, action=Action.UPDATE, reason=reason, fields=renamed)]
    return [replace(change, fields=change.fields + renamed)]


def check_resolved(moves: Moves, changes: Sequence[Change], state: State) -> None:
    """Every move must lead somewhere: something live or in the state file was its ``from``,
    or already is its ``to`` (an applied move whose block is still there)."""
    known = {c.address for c in changes if c.id is not None or c.action is Action.MOVE}
    for move in moves.moves:
        if move.target in known or str(move.target) in state.resources:
            continue
        where = f"It is declared at {move.location}. " if move.location is not None else ""
        raise PlanError(
            f"moved block from {move.source}: nothing live or in the state file is "
            f"{move.source} (nor {move.target})",
            detail=f"{where}Check the `from` address (as `state list` and the last plan "
            "showed it), or remove the block.",
        )
