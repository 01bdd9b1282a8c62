"""Targeting (``--target``), exclusion (``--exclude``) and execution order of a plan's changes."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from websets_sync.errors import PlanError
from websets_sync.model import Address, DesiredState, Kind
from websets_sync.plan.children import Planning
from websets_sync.plan.types import Action, Change, PlanOptions, Skipped


def select_targets(
    p: Planning, targets: Sequence[Address]
) -> tuple[list[Change], list[Skipped], list[str]]:
    """The changes, skipped entries and warnings within the targets (all when none given).

    A webset target includes its children. A child whose webset does not exist yet brings the
    webset's creation with it (and the children sent in that same request), with a warning.
    """
    if not targets:
        return p.changes, p.skipped, [text for _, text in p.warnings]
    # A target contains an address when it is the address or the address's webset: two set
    # look-ups per address instead of a scan of every target.
    wanted = set(targets)
    known = {c.address for c in p.changes} | {s.address for s in p.skipped}
    known_websets = {a.parent for a in known if a.parent is not None}
    for target in targets:
        if target not in known and not (target.kind is Kind.WEBSET and target in known_websets):
            raise PlanError(
                f"target {target} matches nothing declared or managed in project {p.project!r}"
            )

    def hit(address: Address | None) -> bool:
        return address is not None and (address in wanted or address.parent in wanted)

    chosen = [c for c in p.changes if hit(c.address)]
    warnings = [text for address, text in p.warnings if address is None or hit(address)]
    in_request: dict[Address, list[Change]] = {}
    for c in p.changes:
        if c.inline and c.address.parent is not None:
            in_request.setdefault(c.address.parent, []).append(c)
    by_address = {c.address: c for c in p.changes}
    position = {id(c): index for index, c in enumerate(p.changes)}
    chosen_ids = {id(c) for c in chosen}
    for parent, child in _missing_parents(p.changes, chosen):
        carried = [by_address[parent]] if parent in by_address else []
        carried += in_request.get(parent, [])
        for c in sorted(carried, key=lambda c: position[id(c)]):
            if id(c) not in chosen_ids:
                chosen_ids.add(id(c))
                chosen.append(c)
        warnings.append(
            f"{parent} does not exist yet: its creation (with the children sent in the same "
            f"request) is included because {child} is targeted"
        )
    return chosen, [s for s in p.skipped if hit(s.address)], warnings


def _missing_parents(
    changes: Sequence[Change], chosen: Sequence[Change]
) -> list[tuple[Address, Address]]:
    creating = {
        c.address for c in changes if c.action is Action.CREATE and c.address.parent is None
    }
    chosen_addresses = {c.address for c in chosen}
    missing: dict[Address, Address] = {}
    for change in chosen:
        parent = change.address.parent
        if parent in creating and parent not in chosen_addresses and parent is not None:
            missing.setdefault(parent, change.address)
    return sorted(missing.items(), key=lambda item: item[0].sort_key())


def order_changes(changes: Sequence[Change]) -> tuple[Change, ...]:
    """The order apply executes in (each webset's unit keeps it):

    1. deletes of children of websets that stay, bottom-up: a swap frees its slot before the
       new child needs it (should the API limit how many a webset holds). A new webset has
       nothing to delete, and a deleted webset takes its children with it.
    2. creates and updates top-down (webset → searches → enrichments → monitors, then webhooks);
    3. deletes of websets and webhooks, bottom-up.

    By address within each phase.
    """
    child_deletes = [c for c in changes if c.action is Action.DELETE and c.kind.is_child]
    forward = [c for c in changes if c.action is not Action.DELETE]
    deletes = [c for c in changes if c.action is Action.DELETE and not c.kind.is_child]
    child_deletes.sort(key=lambda c: c.address.sort_key(), reverse=True)
    forward.sort(key=lambda c: c.address.sort_key())
    deletes.sort(key=lambda c: c.address.sort_key(), reverse=True)
    return tuple(child_deletes + forward + deletes)


def exclude(
    changes: Sequence[Change], skipped: Sequence[Skipped], patterns: Sequence[str]
) -> tuple[list[Change], list[Skipped], list[Address], list[str]]:
    """(changes, skipped, excluded addresses, warnings) without what ``--exclude`` globs match:
    an excluded webset takes its children with it, as they depend on it."""
    if not patterns:
        return list(changes), list(skipped), [], []

    def hit(address: Address) -> bool:
        text = str(address)
        own = any(fnmatch.fnmatchcase(text, pattern) for pattern in patterns)
        return own or (address.parent is not None and hit(address.parent))

    for change in changes:
        parent = change.address.parent
        if change.inline and parent is not None and hit(change.address) and not hit(parent):
            raise PlanError(
                f"cannot exclude {change.address}: it is sent inside the create request "
                f"of {parent}",
                detail=f"Exclude {parent} as well, or neither.",
            )
    addresses = [c.address for c in changes] + [s.address for s in skipped]
    excluded = sorted({a for a in addresses if hit(a)}, key=lambda a: a.sort_key())
    warnings = [
        f"--exclude {pattern} matches nothing declared or managed"
        for pattern in patterns
        if not any(fnmatch.fnmatchcase(str(a), pattern) for a in addresses)
    ]
    kept = [c for c in changes if not hit(c.address)]
    return kept, [s for s in skipped if not hit(s.address)], excluded, warnings


def check_replace_targets(desired: DesiredState, options: PlanOptions) -> None:
    replaceable = {r.address for r in (*desired.webhooks, *desired.imports)}
    for address in options.replace:
        if address not in replaceable:
            raise PlanError(
                f"cannot replace {address}: --replace applies only to declared webhooks "
                "and imports",
                detail="Only a webhook whose secret was lost, or an import to upload again, "
                "needs to be re-created.",
            )
