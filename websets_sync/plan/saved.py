"""Saved plans (``plan --out FILE``, ``apply --plan FILE``).

A saved plan is the JSON contract (DESIGN §5) plus what staleness is judged by: the manifest
paths and their fingerprint, and a fingerprint of every live object read. Apply re-reads the
manifests and live state, rebuilds the plan with the saved options and executes it only if
nothing a reviewer saw has changed (``check_saved_plan``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from websets_sync.errors import PlanError, StalePlanError
from websets_sync.model import Address, Kind
from websets_sync.model.pricing import BUILTIN_PRICING, Pricing
from websets_sync.plan.contract import plan_to_dict
from websets_sync.plan.fingerprint import stale_objects
from websets_sync.plan.types import (
    FORMAT_VERSION,
    Action,
    Change,
    FieldChange,
    Per,
    Plan,
    PlanOptions,
    Skipped,
    Usage,
)


@dataclass(frozen=True)
class SavedPlan:
    """A plan read back from a file: enough to rebuild it and to prove it is still current."""

    project: str
    options: PlanOptions
    manifest_paths: tuple[str, ...]
    manifest_fingerprint: str
    live_fingerprints: Mapping[str, str]
    #: Absent in plans saved before it existed; then a change names no file.
    manifest_sha256: Mapping[str, str] = field(default_factory=dict)
    contract: Mapping[str, Any] = field(repr=False, default_factory=dict)


def saved_plan_text(plan: Plan) -> str:
    """The file written by ``plan --out``: the JSON contract plus fingerprints."""
    document = plan_to_dict(plan)
    document["manifest_paths"] = list(plan.manifest_paths)
    document["manifest_fingerprint"] = plan.manifest_fingerprint
    document["manifest_sha256"] = dict(plan.manifest_sha256)
    document["live_fingerprints"] = dict(sorted(plan.live_fingerprints.items()))
    # The prices behind its estimates, so `show` prices it as it was reviewed.
    document["pricing"] = {
        "name": plan.pricing.name,
        "perItem": {"low": plan.pricing.item_low, "high": plan.pricing.item_high},
        "perCell": {"low": plan.pricing.cell_low, "high": plan.pricing.cell_high},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_saved_plan(text: str) -> SavedPlan:
    """Parse and validate a saved plan; every problem is a PlanError naming what is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"the saved plan is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(document, dict):
        raise PlanError("the saved plan is not a JSON object")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanError(
            f"the saved plan has format_version {version!r}; this websets-sync reads "
            f"{FORMAT_VERSION}"
        )
    return SavedPlan(
        project=_string(document, "project"),
        options=_options(document.get("options")),
        manifest_paths=tuple(_string_list(document, "manifest_paths")),
        manifest_fingerprint=_string(document, "manifest_fingerprint"),
        live_fingerprints=_fingerprints(document.get("live_fingerprints"), "live_fingerprints"),
        manifest_sha256=_fingerprints(document.get("manifest_sha256", {}), "manifest_sha256"),
        contract=document,
    )


def plan_of(saved: SavedPlan) -> Plan:
    """The saved plan as a Plan value again, so ``show`` renders it with the plan views."""
    contract = saved.contract
    try:
        changes = tuple(_change(entry) for entry in contract.get("changes") or [])
        skipped = tuple(
            Skipped(Address.parse(e["address"]), Action(e["action"]), str(e["reason"]), e.get("id"))
            for e in contract.get("skipped") or []
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"the saved plan's changes are invalid: {exc}") from exc
    return Plan(
        project=saved.project,
        options=saved.options,
        changes=changes,
        skipped=skipped,
        warnings=tuple(str(w) for w in contract.get("warnings") or []),
        live_fingerprints=saved.live_fingerprints,
        manifest_fingerprint=saved.manifest_fingerprint,
        manifest_paths=saved.manifest_paths,
        manifest_sha256=saved.manifest_sha256,
        pricing=_pricing(contract.get("pricing")),
        excluded=tuple(Address.parse(str(a)) for a in contract.get("excluded") or []),
    )


def _pricing(value: Any) -> Pricing:
    """The saved plan's prices (the built-in ones for a plan saved before they were recorded)."""
    if not isinstance(value, Mapping):
        return BUILTIN_PRICING
    try:
        item, cell = value["perItem"], value["perCell"]
        return Pricing(
            str(value["name"]),
            float(item["low"]),
            float(item["high"]),
            float(cell["low"]),
            float(cell["high"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"the saved plan's pricing is invalid: {exc}") from exc


def _usage(entry: Mapping[str, Any]) -> Usage | None:
    estimate = entry.get("estimate")
    if not isinstance(estimate, Mapping):
        return None
    # A new webset's estimate is the total of its searches' (DESIGN §12): not counted twice.
    rollup = Address.parse(entry["address"]).kind is Kind.WEBSET
    return Usage(int(estimate["items"]), int(estimate["cells"]), Per(estimate["per"]), rollup)


def _change(entry: Mapping[str, Any]) -> Change:
    return Change(
        address=Address.parse(entry["address"]),
        action=Action(entry["action"]),
        reason=str(entry["reason"]),
        id=entry.get("id"),
        fields=tuple(FieldChange(f["path"], f["before"], f["after"]) for f in entry["fields"]),
        paid=bool(entry["paid"]),
        destructive=bool(entry["destructive"]),
        inline=bool(entry.get("inline", False)),
        estimated_items=entry.get("estimated_items"),
        usage=_usage(entry),
    )


def check_saved_plan(saved: SavedPlan, rebuilt: Plan) -> None:
    """Raise StalePlanError unless ``rebuilt`` (same manifests, live state now) is the saved plan.

    Stale when the manifests changed, when an object the plan refers to changed or vanished, or
    when the plan now comes out different for any other reason.
    """
    if saved.project != rebuilt.project:
        raise StalePlanError(
            f"the saved plan is for project {saved.project!r}, not {rebuilt.project!r}"
        )
    pricing = _saved_pricing(saved.contract)
    if pricing is not None and pricing != rebuilt.pricing.name:
        raise StalePlanError(
            f"the saved plan was estimated with pricing {pricing!r}, not {rebuilt.pricing.name!r}",
            detail="Budgets are checked with the prices the plan was reviewed with: pass the "
            "same --pricing FILE to apply as to plan.",
        )
    if saved.manifest_fingerprint != rebuilt.manifest_fingerprint:
        changed = _changed_files(saved.manifest_sha256, rebuilt.manifest_sha256)
        raise StalePlanError(
            "the manifests changed since the plan was saved"
            + (f": {', '.join(changed)}" if changed else ""),
            detail="Make a new plan from the current manifests.",
        )
    referenced = _referenced_ids(saved.contract)
    lines = []
    for line in stale_objects(saved.live_fingerprints, rebuilt.live_fingerprints):
        object_id, rest = line.split(" ", 1)
        if object_id in referenced:
            lines.append(f"{referenced[object_id]} ({object_id}) {rest}")
    now = plan_to_dict(rebuilt)
    for key in ("changes", "skipped"):
        if _decisions(now.get(key)) != _decisions(saved.contract.get(key)):
            lines.append(f"the plan's {key} are no longer the same")
    if lines:
        raise StalePlanError(
            "live state changed since the plan was saved",
            detail="\n".join(lines) + "\nMake a new plan and review it again.",
        )


def _changed_files(saved: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    if not saved:
        return []
    changed = [path for path in sorted({*saved, *now}) if saved.get(path) != now.get(path)]
    return [
        f"{path} (new)" if path not in saved else f"{path} (gone)" if path not in now else path
        for path in changed
    ]


def _saved_pricing(contract: Mapping[str, Any]) -> str | None:
    """The pricing profile a saved plan was estimated with (None in a plan saved before §12)."""
    summary = contract.get("summary")
    estimate = summary.get("estimate") if isinstance(summary, Mapping) else None
    name = estimate.get("pricing") if isinstance(estimate, Mapping) else None
    return name if isinstance(name, str) else None


def _decisions(entries: Any) -> list[tuple[Any, ...]]:
    """What a plan decides for each address, with the risks a reviewer accepted (``paid``,
    ``destructive``): a search run that may now discard items is not the run that was reviewed.
    Reasons and item estimates are left out: they follow item counts, which grow while searches
    run without making the plan different."""
    if not isinstance(entries, list):
        return []
    keys = ("address", "action", "id", "fields", "paid", "destructive")
    return [
        tuple(json.dumps(entry.get(k), sort_keys=True) for k in keys)
        for entry in entries
        if isinstance(entry, Mapping)
    ]


def _referenced_ids(contract: Mapping[str, Any]) -> dict[str, str]:
    """Live ids the saved plan refers to, each with its address (to name what changed)."""
    ids: dict[str, str] = {}
    for key in ("changes", "skipped"):
        for entry in contract.get(key) or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                ids[entry["id"]] = str(entry.get("address"))
    return ids


def _string(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str):
        raise PlanError(f"the saved plan has no valid {key!r}")
    return value


def _string_list(document: Mapping[str, Any], key: str) -> list[str]:
    value = document.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanError(f"the saved plan has no valid {key!r} list")
    return value


def _fingerprints(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise PlanError(f"the saved plan has no valid {key!r} map")
    return value


def _options(value: Any) -> PlanOptions:
    if not isinstance(value, dict) or not isinstance(value.get("allow_delete"), bool):
        raise PlanError("the saved plan has no valid 'options'")
    try:
        targets = tuple(Address.parse(t) for t in _string_list(value, "targets"))
        replace = tuple(Address.parse(r) for r in value.get("replace", []))
        adopt = tuple(Address.parse(a) for a in value.get("adopt", []))
        excludes = tuple(str(pattern) for pattern in value.get("exclude", []))
    except (ValueError, AttributeError, TypeError) as exc:
        raise PlanError(f"the saved plan's options are invalid: {exc}") from exc
    return PlanOptions(
        allow_delete=value["allow_delete"],
        targets=targets,
        replace=replace,
        adopt=adopt,
        excludes=excludes,
    )
