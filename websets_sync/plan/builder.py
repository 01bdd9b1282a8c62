"""build_plan: desired state + live state + the state file → the Plan apply will execute."""

from __future__ import annotations

from dataclasses import replace

from websets_sync.errors import PlanError
from websets_sync.model import (
    Address,
    DesiredState,
    DesiredWebset,
    Kind,
    LiveObject,
    LiveState,
    LiveWebset,
)
from websets_sync.model.live import reclaim_remembered_searches
from websets_sync.model.pricing import BUILTIN_PRICING, Pricing
from websets_sync.plan import protection
from websets_sync.plan.children import Planning, plan_updatable
from websets_sync.plan.cost import new_monitor, webset_usage
from websets_sync.plan.diff import diff_fields
from websets_sync.plan.fingerprint import fingerprint_live, manifest_fingerprint
from websets_sync.plan.hints import move_warnings
from websets_sync.plan.identity import item_count, webset_name
from websets_sync.plan.imports import plan_imports
from websets_sync.plan.moves import find_webset, moved_view, webset_changes
from websets_sync.plan.references import note_kept_scopes, with_references
from websets_sync.plan.searches import plan_searches, search_run
from websets_sync.plan.targets import check_replace_targets, exclude, order_changes, select_targets
from websets_sync.plan.types import Action, Change, FieldChange, Plan, PlanOptions
from websets_sync.state.store import State

INLINE = "sent inline with the new webset"
INLINE_ENRICHMENT = INLINE + "; runs over every item its searches find (in their estimates)"
PROTECTION_HINT = (
    "To delete it deliberately: declare it with `preventDestroy: false`, apply, "
    "then remove it from the manifest."
)


def build_plan(
    desired: DesiredState,
    live: LiveState,
    state: State | None,
    options: PlanOptions,
    pricing: Pricing = BUILTIN_PRICING,
) -> Plan:
    """Every declared address once (no-ops included), managed undeclared objects as deletes
    (or skipped without ``allow_delete``), creates top-down and deletes bottom-up.

    Raises PlanError for a webset owned by another project, a pinned id that does not exist,
    a deletion of a webset protected by preventDestroy, a bad --replace or --target.
    """
    view, moves = moved_view(state or State(), desired.moves)
    live = reclaim_remembered_searches(live, {entry.id for entry in view.resources.values()})
    p = Planning(desired.project, view, options, moves=moves)
    check_replace_targets(desired, options)
    desired, compared, refs = with_references(desired, live, p.project, p.state)
    if live.imports_read:
        plan_imports(p, desired.imports, live.imports)
    matched: set[str] = set()
    for webset in desired.websets:
        live_webset, moved_from = find_webset(p.moves, p.project, webset, compared)
        if live_webset is not None:
            matched.add(live_webset.id)
        _plan_webset(p, webset, live_webset, moved_from)
    for live_webset in compared.websets:
        if live_webset.id not in matched and live_webset.webset.project == p.project:
            _plan_webset_delete(p, live_webset)
    _plan_webhooks(p, desired, live.webhooks)
    note_kept_scopes(p.changes, refs, p.warnings)
    p.warnings += move_warnings(moves, p.changes, p.deleted, view)
    changes, skipped, warnings = select_targets(p, options.targets)
    changes, skipped, excluded, unmatched = exclude(changes, skipped, options.excludes)
    return Plan(
        project=desired.project,
        options=options,
        changes=order_changes([with_manifest_texts(change) for change in changes]),
        skipped=tuple(sorted(skipped, key=lambda s: s.address.sort_key())),
        warnings=tuple(warnings + unmatched),
        excluded=tuple(excluded),
        live_fingerprints=fingerprint_live(live),
        manifest_fingerprint=manifest_fingerprint(desired),
        manifest_paths=tuple(source.path for source in desired.sources),
        secrets_unknown=tuple(sorted(p.secrets_unknown, key=lambda a: a.sort_key())),
        manifest_sha256={source.path: source.sha256 for source in desired.sources},
        pricing=pricing,
        references=refs.ids,
    )


def _plan_webset(
    p: Planning, webset: DesiredWebset, live: LiveWebset | None, moved_from: Address | None
) -> None:
    if live is None:
        if webset.pinned_id is not None:
            raise PlanError(
                f"{webset.address} is pinned to webset id {webset.pinned_id}, "
                "which does not exist in the account",
                detail="Remove `id:` to create a new webset, or pin an existing one.",
            )
        _plan_new_webset(p, webset)
        return
    change = _existing_webset_change(p, webset, live)
    p.changes += webset_changes(p.moves, p.project, change, live, moved_from)
    items = item_count(live)
    enrichments = len(webset.enrichments)
    plan_searches(p, webset.address, webset.searches, live, enrichments)
    plan_updatable(
        p,
        webset.enrichments,
        live.enrichments,
        parent=webset.address,
        webset_id=live.id,
        items=items,
    )
    plan_updatable(
        p,
        webset.monitors,
        live.monitors,
        parent=webset.address,
        webset_id=live.id,
        enrichments=enrichments,
    )


def _existing_webset_change(p: Planning, webset: DesiredWebset, live: LiveWebset) -> Change:
    owner = live.webset.project
    if owner is not None and owner != p.project:
        raise PlanError(
            f"{webset.address} is managed by project {owner!r}, not {p.project!r}",
            detail=(
                f"Live webset {live.id} carries the project tag {owner!r}. Choose another "
                "externalId, or remove it from the other project's manifests first."
            ),
        )
    fields = diff_fields(Kind.WEBSET, webset.spec, live.webset.data)
    fields += _protection_change(p, webset, live.webset)
    if owner is None:
        action = Action.ADOPT
        reason = f"live webset {live.id} has no project tag; it will be tagged for {p.project!r}"
    elif fields:
        action = Action.UPDATE
        reason = "differs in " + ", ".join(f.path for f in fields)
    else:
        action, reason = Action.NOOP, "live webset matches the manifest"
    return Change(
        webset.address, action, reason, id=live.id, fields=fields, desired=webset, live=live.webset
    )


def _protection_change(
    p: Planning, webset: DesiredWebset, live: LiveObject | None
) -> tuple[FieldChange, ...]:
    """preventDestroy is a reserved tag (hidden from drift), so a change of it is shown here."""
    before = live is not None and protection.live_protected(live)
    after = protection.in_force(webset, live, p.state)
    if before == after or (live is None and not after):
        return ()
    return (FieldChange("preventDestroy", None if live is None else before, after),)


def _plan_new_webset(p: Planning, webset: DesiredWebset) -> None:
    """The webset create, with its first search and enrichments carried inline in it.

    Its estimate is the total of its searches, whose every item gets each of its enrichments.
    """
    fields = diff_fields(Kind.WEBSET, webset.spec, None) + _protection_change(p, webset, None)
    enrichments = len(webset.enrichments)
    runs = []
    for index, search in enumerate(webset.searches):
        inline = index == 0
        reason = INLINE if inline else "new webset; runs after it"
        search_fields = diff_fields(Kind.SEARCH, search.spec, None)
        runs.append(
            search_run(
                search, None, 0, reason, search_fields, inline=inline, enrichments=enrichments
            )
        )
    usage = webset_usage([run.usage for run in runs if run.usage is not None]) if runs else None
    reason = "not in live state"
    if usage is not None and usage.cells:
        reason += (
            f"; its {_count(len(runs), 'search')} may find up to {usage.items} items, "
            f"each enriched by its {_count(enrichments, 'enrichment')}"
        )
    p.changes.append(
        Change(
            webset.address,
            Action.CREATE,
            reason,
            fields=fields,
            paid=usage is not None,
            desired=webset,
            usage=usage,
        )
    )
    p.changes.extend(runs)
    for enrichment in webset.enrichments:
        p.changes.append(
            Change(
                enrichment.address,
                Action.CREATE,
                INLINE_ENRICHMENT,
                fields=diff_fields(Kind.ENRICHMENT, enrichment.spec, None),
                desired=enrichment,
                inline=True,
            )
        )
    for monitor in webset.monitors:
        usage, reason = new_monitor(monitor.spec, enrichments, "new webset")
        p.changes.append(
            Change(
                monitor.address,
                Action.CREATE,
                reason,
                fields=diff_fields(Kind.MONITOR, monitor.spec, None),
                paid=usage is not None,
                desired=monitor,
                estimated_items=usage.items if usage is not None else None,
                usage=usage,
            )
        )


def _plan_webset_delete(p: Planning, live: LiveWebset) -> None:
    address = Address.for_webset(webset_name(live, p.project))
    reason = (
        f"managed but no longer declared; deleting it destroys its "
        f"{_count(item_count(live), 'item')}, {_count(len(live.searches), 'search')}, "
        f"{_count(len(live.enrichments), 'enrichment')} and "
        f"{_count(len(live.monitors), 'monitor')}"
    )
    source = protection.protected_live(live.webset, address, p.state)
    if source is not None:
        if p.options.allow_delete:
            raise PlanError(
                f"{address} is protected by preventDestroy and this plan would delete it",
                detail=f"The protection is {source}. " + PROTECTION_HINT,
            )
        reason += f"; protected by preventDestroy ({source})"
    p.delete(address, live.webset, reason)


def _plan_webhooks(p: Planning, desired: DesiredState, live: tuple[LiveObject, ...]) -> None:
    start = len(p.changes)
    plan_updatable(p, desired.webhooks, live, parent=None)
    for index in range(start, len(p.changes)):
        change = p.changes[index]
        kept = change.action in (Action.UPDATE, Action.ADOPT, Action.NOOP, Action.MOVE)
        moved = index > start and p.changes[index - 1].address == change.address  # the update
        if change.kind is Kind.WEBHOOK and kept and not moved:
            p.changes[index] = _webhook_secret_check(p, change)


def _webhook_secret_check(p: Planning, change: Change) -> Change:
    if change.address in p.options.replace and change.action is not Action.MOVE:
        reason = (
            "replace requested: the webhook is deleted and created again; "
            "its old id and secret stop working"
        )
        return replace(change, action=Action.REPLACE, reason=reason, destructive=True)
    remembered = p.state.get(str(change.address))
    known = (
        remembered is not None
        and remembered.id == change.id
        and remembered.secret is not None
        and not remembered.secret_unknown
    )
    if not known:
        p.secrets_unknown.append(change.address)
        p.warnings.append(
            (
                change.address,
                f"{change.address} has no known signing secret in the state file; "
                f"to get a new one, plan with --replace {change.address}",
            )
        )
    return change


def with_manifest_texts(change: Change) -> Change:
    """Each field change knows the manifest's own ``${VAR}`` text of what it sets, so no view
    ever shows what the environment supplied (it may be a credential)."""
    raw = change.desired.raw_texts if change.desired is not None else {}
    if not raw or not change.fields:
        return change
    fields = []
    for field_change in change.fields:
        steps = tuple(field_change.path.split("."))
        below = {key[len(steps) :]: text for key, text in raw.items() if key[: len(steps)] == steps}
        fields.append(replace(field_change, manifest_texts=below) if below else field_change)
    return replace(change, fields=tuple(fields))


def _count(number: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("ch") else "s")
    return f"{number} {noun if number == 1 else plural}"
