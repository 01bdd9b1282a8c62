"""The plan as JSON data: the stable, versioned contract of DESIGN §5.

``plan --json`` dumps it and saved plans store it. Field values pass through URL redaction;
secrets are never compared, so never appear. Every paid change carries its ``estimate`` and the
summary the plan's totals (DESIGN §12). A new webset's estimate is the total of its searches'
(also listed on them); the summary counts each piece of work once.
"""

from __future__ import annotations

from typing import Any

from websets_sync.model.redact import redact_change
from websets_sync.plan.cost import change_estimate, plan_estimate
from websets_sync.plan.types import FORMAT_VERSION, Change, FieldChange, Plan, PlanOptions, Skipped


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as the JSON contract (the same data every other view is rendered from)."""
    result: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "project": plan.project,
        "options": options_to_dict(plan.options),
        "changes": [change_to_dict(change, plan) for change in plan.changes],
        "skipped": [skipped_to_dict(skipped) for skipped in plan.skipped],
        "warnings": list(plan.warnings),
    }
    if plan.options.excludes:  # present exactly when --exclude was given (like options.exclude)
        result["excluded"] = [str(address) for address in plan.excluded]
    result["summary"] = {**plan.summary, "estimate": plan_estimate(plan).to_dict()}
    # Webhooks that cannot be verified by their receivers: for CI to check, not to miss.
    result["secrets_unknown"] = [str(address) for address in plan.secrets_unknown]
    return result


def options_to_dict(options: PlanOptions) -> dict[str, Any]:
    result: dict[str, Any] = {
        "allow_delete": options.allow_delete,
        "targets": [str(target) for target in options.targets],
    }
    if options.replace:
        result["replace"] = [str(address) for address in options.replace]
    if options.adopt:
        result["adopt"] = [str(address) for address in options.adopt]
    if options.excludes:
        result["exclude"] = list(options.excludes)
    return result


def change_to_dict(change: Change, plan: Plan) -> dict[str, Any]:
    result: dict[str, Any] = {
        "address": str(change.address),
        "kind": change.kind.value,
        "action": change.action.value,
        "id": change.id,
        "reason": change.reason,
        "paid": change.paid,
        "destructive": change.destructive,
        "inline": change.inline,
        "estimated_items": change.estimated_items,
        "fields": [field_to_dict(field) for field in change.fields],
    }
    estimate = change_estimate(change, plan.pricing)
    if estimate is not None:
        result["estimate"] = estimate.to_dict()
    return result


def field_to_dict(field: FieldChange) -> dict[str, Any]:
    before, after = shown_field(field)
    return {"path": field.path, "before": before, "after": after}


def shown_field(field: FieldChange) -> tuple[Any, Any]:
    """(before, after) as every view shows them: ``after`` in the manifest's own ``${VAR}``
    text where it was interpolated, and both with credentials in URLs masked."""
    return redact_change(field.before, field.shown_after())


def skipped_to_dict(skipped: Skipped) -> dict[str, Any]:
    return {
        "address": str(skipped.address),
        "kind": skipped.address.kind.value,
        "action": skipped.action.value,
        "id": skipped.id,
        "reason": skipped.reason,
    }
