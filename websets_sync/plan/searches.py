"""Search runs of an existing or new webset: searches are never updated in place (DESIGN §4); a
changed or never-run definition is a new, paid run, and a removed one stays as history."""

from __future__ import annotations

from collections.abc import Sequence

from websets_sync.model import Address, DesiredResource, Kind, LiveObject, LiveWebset
from websets_sync.model.kinds import DEFAULT_SEARCH_COUNT, SEARCH_DEFAULTS
from websets_sync.plan.children import ChildCost, Planning
from websets_sync.plan.cost import search_usage
from websets_sync.plan.diff import diff_fields
from websets_sync.plan.identity import (
    current_search,
    inline_search,
    item_count,
    managed_by_tag,
    untagged_equal_search,
)
from websets_sync.plan.moves import move_change
from websets_sync.plan.types import Action, Change, FieldChange


def plan_searches(
    p: Planning,
    address: Address,
    declared: Sequence[DesiredResource],
    live: LiveWebset,
    enrichments: int = 0,
) -> None:
    """Run searches whose definition changed or never ran; removed ones are history.

    Every item a search adds gets the webset's ``enrichments`` computed (paid cells).
    """
    items = item_count(live)
    origins = p.moves.origins(declared)
    start = len(p.changes)
    for search in declared:
        origin = origins.get(search.address.name)
        change = _search_change(p, search, live, ChildCost(items, enrichments), origin, declared)
        if origin is not None and _moves_here(p, change, origin, live):
            assert change.live is not None
            source = p.moves.origin(search.address)
            assert source is not None
            p.changes.append(
                move_change(search.address, source, change.live, search, webset_id=live.id)
            )
            if change.action is Action.NOOP:
                continue
        p.changes.append(change)
    # A moved search's old name is not history: it is the declared one.
    declared_names = {s.address.name for s in declared} | set(origins.values())
    history = {name: objs[-1] for name, objs in managed_by_tag(live.searches, p.project).items()}
    inline = inline_search(live, p.project)
    if inline is not None:
        history.setdefault(*inline)
    # A search a declared one stands for (found by the state file's id) is not history either.
    current = {c.id for c in p.changes[start:]}
    for name, obj in sorted(history.items()):
        if name not in declared_names and obj.id not in current:
            child = Address.for_child(Kind.SEARCH, address.name, name)
            reason = "no longer declared; searches cannot be deleted and stay as history"
            p.changes.append(
                Change(child, Action.NOOP, reason, id=obj.id, live=obj, webset_id=live.id)
            )


def _moves_here(p: Planning, change: Change, origin: str, live: LiveWebset) -> bool:
    """Whether a moved search still goes by its old name: in the state file (the plan reads it
    moved already), in its tags, or as the webset's inline search."""
    if change.live is None:
        return False
    inline = inline_search(live, p.project)
    return (
        change.address in p.moves.pending_in_state
        or change.live.tagged_external_id == origin
        or (inline is not None and inline[0] == origin and inline[1] is change.live)
    )


def _search_change(
    p: Planning,
    search: DesiredResource,
    live: LiveWebset,
    cost: ChildCost,
    origin: str | None = None,
    declared: Sequence[DesiredResource] = (),
) -> Change:
    items, enrichments = cost.items, cost.enrichments
    remembered_id = p.remembered_id(search.address)
    names = [s.address.name for s in declared]
    current, spec = current_search(search, live, p.project, remembered_id, origin, names)
    fields = diff_fields(Kind.SEARCH, spec, current.data) if current is not None else ()
    remembered = p.remembered_id(search.address) is not None
    if current is None or (fields and not remembered):
        # Searches keep no tags on the real API (API-NOTES §9 R12): with the state file lost, a
        # later run of this definition is known only by its content. Never run it again. (With
        # the state file, its id is the current run: going back to an older definition re-runs.)
        equal = untagged_equal_search(search, live, p.project)
        if equal is not None and equal is not current:
            reason = f"satisfied by untagged live search {equal.id} with the same definition"
            return Change(
                search.address,
                Action.NOOP,
                reason,
                id=equal.id,
                desired=search,
                live=equal,
                webset_id=live.id,
            )
    if current is None:
        fields = diff_fields(Kind.SEARCH, spec, None)
        return search_run(search, live.id, items, "never run", fields, enrichments=enrichments)
    if not fields:
        reason = "definition unchanged since the last run"
        return Change(
            search.address,
            Action.NOOP,
            reason,
            id=current.id,
            desired=search,
            live=current,
            webset_id=live.id,
        )
    reason = f"definition changed since search {current.id}"
    return search_run(
        search, live.id, items, reason, fields, live_search=current, enrichments=enrichments
    )


def search_run(
    search: DesiredResource,
    webset_id: str | None,
    items: int,
    reason: str,
    fields: tuple[FieldChange, ...],
    *,
    live_search: LiveObject | None = None,
    inline: bool = False,
    enrichments: int = 0,
) -> Change:
    """A paid search run; with behavior override over existing items it may discard some.

    Its usage: ``count`` new items, each enriched by the webset's ``enrichments``.
    """
    count = int(search.spec.get("count", DEFAULT_SEARCH_COUNT))
    override = search.spec.get("behavior", SEARCH_DEFAULTS["behavior"]) == "override"
    destructive = override and items > 0 and not inline
    if destructive:
        reason += f"; behavior override may discard existing items ({items} now)"
    return Change(
        search.address,
        Action.RUN,
        reason,
        id=live_search.id if live_search else None,
        fields=fields,
        paid=True,
        destructive=destructive,
        desired=search,
        live=live_search,
        webset_id=webset_id,
        inline=inline,
        estimated_items=count,
        usage=search_usage(count, enrichments),
    )
