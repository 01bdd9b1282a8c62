"""Changes for the resources that can be updated in place or deleted: enrichments, monitors and
webhooks (one rule set, driven by kinds.py). Search runs are in searches.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from websets_sync.model import Address, DesiredResource, Kind, LiveObject
from websets_sync.model.kinds import RULES, same_identity
from websets_sync.plan.cost import enrichment_usage, monitor_update, new_monitor
from websets_sync.plan.diff import diff_fields
from websets_sync.plan.identity import managed_by_tag, pick_tagged, remembered_object
from websets_sync.plan.moves import Moves, collision, move_change
from websets_sync.plan.types import Action, Change, FieldChange, PlanOptions, Skipped
from websets_sync.state.store import State


@dataclass
class Planning:
    """What a plan accumulates while it is being built."""

    project: str
    state: State
    options: PlanOptions
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: (address the warning is about, or None for the whole plan; text)
    warnings: list[tuple[Address | None, str]] = field(default_factory=list)
    secrets_unknown: list[Address] = field(default_factory=list)
    moves: Moves = field(default_factory=Moves)
    #: Every live object a deletion was planned (or skipped) for, for the rename hints.
    deleted: list[tuple[Address, LiveObject]] = field(default_factory=list)

    def delete(
        self, address: Address, live: LiveObject, reason: str, webset_id: str | None = None
    ) -> None:
        """Plan a deletion, or list it as skipped when deletions are not allowed."""
        self.deleted.append((address, live))
        if self.options.allow_delete:
            self.changes.append(
                Change(
                    address,
                    Action.DELETE,
                    reason,
                    id=live.id,
                    destructive=True,
                    live=live,
                    webset_id=webset_id,
                )
            )
        else:
            note = f"{reason}; deletions are planned only with --allow-delete"
            self.skipped.append(Skipped(address, Action.DELETE, note, id=live.id))

    def remembered_id(self, address: Address) -> str | None:
        """The live id the state file remembers for ``address``."""
        entry = self.state.get(str(address))
        return entry.id if entry is not None else None

    def pick(self, address: Address, matches: Sequence[LiveObject]) -> LiveObject:
        """The one of several live objects tagged as ``address``; the others get a warning."""
        chosen, extras = pick_tagged(matches, self.remembered_id(address))
        if extras:
            ids = ", ".join(obj.id for obj in extras)
            self.warnings.append(
                (
                    address,
                    f"{address} is live {chosen.kind.value} {chosen.id}; also tagged as it, "
                    f"left alone (delete by hand if duplicates): {ids}",
                )
            )
        return chosen


def plan_updatable(
    p: Planning,
    declared: Sequence[DesiredResource],
    live: Sequence[LiveObject],
    *,
    parent: Address | None,
    webset_id: str | None = None,
    items: int = 0,
    enrichments: int = 0,
) -> None:
    """Create, update, no-op or delete enrichments, monitors (``parent`` = their webset),
    webhooks or imports (``parent`` None) by their tags.

    A change is paid when it makes the API process existing items again (a new enrichment, or
    an enrichment whose definition changed, over a webset that has items), or when it raises a
    monitor's monthly spend (a new enabled monitor, or a cadence, count or status that makes
    it find more items per month; ``enrichments`` are computed for each of them).
    """
    cost = ChildCost(items, enrichments)
    tagged = managed_by_tag(live, p.project)
    # An object that lost its tags but is remembered in the state file is its address's own:
    # it is adopted back (re-tagged) and never offered to another resource by content.
    by_id = {obj.id: obj for obj in live}
    remembered = {
        r.address: remembered_object(by_id, p.remembered_id(r.address), p.project)
        for r in declared
        if not tagged.get(r.address.name)
    }
    claimed = {obj.id for obj in remembered.values() if obj is not None}
    remembered = {
        address: _owned_or_allowed(p, address, obj) for address, obj in remembered.items()
    }
    untagged = [
        obj
        for obj in live
        if obj.project is None and obj.tagged_external_id is None and obj.id not in claimed
    ]
    origins = p.moves.origins(declared)
    for resource in declared:
        matches = tagged.get(resource.address.name)
        origin = origins.get(resource.address.name)
        if origin is not None and tagged.get(origin):
            _plan_moved(p, resource, matches, tagged[origin], webset_id, cost)
            continue
        if matches:
            current = p.pick(resource.address, matches)
            p.changes.append(_updatable_change(resource, current, webset_id, cost))
            continue
        found = remembered.get(resource.address)
        if found is not None:
            reason = f"live {resource.kind.value} {found.id} (remembered in the state file)"
            reason += " has lost its tags"
            p.changes.append(_adopt_child(resource, found, webset_id, cost, reason))
            continue
        # Kinds with no identity fields (webhooks) never adopt by content: no scan of the
        # account's untagged objects per declared one.
        same = (
            next((o for o in untagged if same_identity(o.kind, resource.spec, o.data)), None)
            if RULES[resource.kind].adopt_keys
            else None
        )
        if same is not None:
            untagged.remove(same)  # one live object stands for one declared resource
            reason = f"untagged live {resource.kind.value} {same.id} has the declared identity"
            p.changes.append(_adopt_child(resource, same, webset_id, cost, reason))
        else:
            p.changes.append(_updatable_change(resource, None, webset_id, cost))
    # A moved object's old name is not an undeclared object: it is the declared one.
    declared_names = {r.address.name for r in declared} | set(origins.values())
    for name, objects in sorted(tagged.items()):
        if name not in declared_names:
            address = (
                Address.account(objects[-1].kind, name)
                if parent is None
                else Address.for_child(objects[-1].kind, parent.name, name)
            )
            obj = p.pick(address, objects)
            p.delete(address, obj, "managed but no longer declared", webset_id=webset_id)


def _plan_moved(
    p: Planning,
    resource: DesiredResource,
    at_target: Sequence[LiveObject] | None,
    at_origin: Sequence[LiveObject],
    webset_id: str | None,
    cost: ChildCost,
) -> None:
    """A ``moved`` block's object, still tagged with its old name: re-tag it (``move``), then
    update it when its definition changed too."""
    origin = p.moves.origin(resource.address)
    assert origin is not None
    current = p.pick(origin, at_origin)
    if at_target:
        raise collision(resource.address, origin, at_target[-1].id, current.id)
    p.changes.append(move_change(resource.address, origin, current, resource, webset_id=webset_id))
    change = _updatable_change(resource, current, webset_id, cost)
    if change.action is not Action.NOOP:
        p.changes.append(change)


@dataclass(frozen=True)
class ChildCost:
    """What paid work a child of one webset can start: its items now, its enrichments."""

    items: int
    enrichments: int


def _owned_or_allowed(p: Planning, address: Address, obj: LiveObject | None) -> LiveObject | None:
    """A remembered object with no tag of this project is taken over only on the user's word.

    An id in a state file proves nothing about who owns the object now (the file may be stale,
    copied or edited): without ``--adopt ADDR`` the match is reported and the object left alone.
    """
    if obj is None or obj.project is not None or address in p.options.adopt:
        return obj
    kind = address.kind.value
    p.warnings.append(
        (
            address,
            f"{address}: the state file remembers {kind} {obj.id} for it, but that {kind} "
            f"carries no tag of project {p.project!r} (made elsewhere, e.g. in the dashboard), "
            f"so it is not taken over and a new one is planned. To manage that {kind} instead, "
            f"plan and apply with --adopt {address}.",
        )
    )
    return None


def _updatable_change(
    resource: DesiredResource, current: LiveObject | None, webset_id: str | None, cost: ChildCost
) -> Change:
    fields = diff_fields(resource.kind, resource.spec, current.data if current else None)
    items = cost.items
    if current is None:
        reason = "not in live state"
        usage = None
        if resource.kind is Kind.ENRICHMENT and items > 0:
            reason += f"; will run over the webset's {items} existing items"
            usage = enrichment_usage(items)
        elif resource.kind is Kind.MONITOR:
            usage, reason = new_monitor(resource.spec, cost.enrichments, reason)
        return Change(
            resource.address,
            Action.CREATE,
            reason,
            fields=fields,
            paid=usage is not None,
            desired=resource,
            webset_id=webset_id,
            estimated_items=usage.items if usage is not None else None,
            usage=usage,
        )
    action, reason, paid = _in_place(resource.kind, fields, items)
    usage = enrichment_usage(items) if paid else None
    if resource.kind is Kind.MONITOR and fields:
        usage, reason = monitor_update(current.data, resource.spec, cost.enrichments, reason)
    return Change(
        resource.address,
        action,
        reason,
        id=current.id,
        fields=fields,
        paid=usage is not None,
        desired=resource,
        live=current,
        webset_id=webset_id,
        estimated_items=usage.items if usage is not None else None,
        usage=usage,
    )


def _adopt_child(
    resource: DesiredResource, live: LiveObject, webset_id: str | None, cost: ChildCost, reason: str
) -> Change:
    """Tag an untagged live object that already is the declared one, instead of duplicating it."""
    change = _updatable_change(resource, live, webset_id, cost)
    if change.fields:
        reason += "; also " + change.reason
    return replace(change, action=Action.ADOPT, reason=reason)


def _in_place(kind: Kind, fields: tuple[FieldChange, ...], items: int) -> tuple[Action, str, bool]:
    """(action, reason, paid) for a live object: no-op, or an update that may redo paid work."""
    if not fields:
        return Action.NOOP, "live object matches the manifest", False
    redoes_work = any(f.path.split(".")[0] in RULES[kind].paid_fields for f in fields)
    paid = redoes_work and items > 0
    reason = "differs in " + ", ".join(f.path for f in fields)
    if paid:
        reason += f"; the changed definition is re-run over {items} existing items"
    return Action.UPDATE, reason, paid
