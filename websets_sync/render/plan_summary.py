"""Numbers every plan view shows: the summary line and the paid-work line (one definition)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from websets_sync.model import Kind
from websets_sync.plan.contract import shown_field
from websets_sync.plan.cost import Estimate, plan_estimate
from websets_sync.plan.types import Action, FieldChange, Per, Plan

NO_CHANGES = "No changes. Live state matches the manifests."


def no_changes_line(plan: Plan) -> str:
    """The closing line of a plan with nothing to apply: never claims a match that is not."""
    if not plan.skipped:
        return NO_CHANGES
    count = len(plan.skipped)
    noun = "change" if count == 1 else "changes"
    deletes = sum(1 for s in plan.skipped if s.action is Action.DELETE)
    hint = " (deletions need --allow-delete)" if deletes else ""
    return (
        f"No changes to apply, but live state differs from the manifests: "
        f"{count} {noun} skipped{hint}."
    )


@dataclass(frozen=True)
class PaidWork:
    """Paid work a plan starts: searches (the items they may add and the enrichment cells of
    those items), enrichment runs over existing items, and monitors' monthly runs."""

    searches: int
    search_items: int
    search_cells: int
    enrichments: int
    enrichment_items: int
    monitors: int = 0
    monitor_items: int = 0
    monitor_cells: int = 0

    @property
    def any(self) -> bool:
        return bool(self.searches or self.enrichments or self.monitors)


def paid_work(plan: Plan) -> PaidWork:
    runs = [c for c in plan.changes if c.action is Action.RUN]
    enrichments = [c for c in plan.changes if c.kind is Kind.ENRICHMENT and c.paid]
    monitors = [c for c in plan.changes if c.kind is Kind.MONITOR and c.paid]
    return PaidWork(
        searches=len(runs),
        search_items=sum(c.estimated_items or 0 for c in runs),
        search_cells=sum(c.usage.cells for c in runs if c.usage is not None),
        enrichments=len(enrichments),
        enrichment_items=sum(c.estimated_items or 0 for c in enrichments),
        monitors=len(monitors),
        monitor_items=sum(c.usage.items for c in monitors if c.usage is not None),
        monitor_cells=sum(c.usage.cells for c in monitors if c.usage is not None),
    )


def summary_line(plan: Plan) -> str:
    """``Plan: 2 to create, 1 to update, 0 to delete, 1 search to run.`` (+ adopt/replace/move)."""
    counts = plan.summary
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['delete']} to delete",
    ]
    for action in (Action.ADOPT, Action.REPLACE, Action.MOVE):
        if counts[action.value]:
            parts.append(f"{counts[action.value]} to {action.value}")
    runs = counts["run"]
    parts.append(f"{runs} {'search' if runs == 1 else 'searches'} to run")
    return "Plan: " + ", ".join(parts) + "."


def paid_line(plan: Plan) -> str | None:
    """How much paid work the plan starts, or None when it starts none."""
    work = paid_work(plan)
    if not work.any:
        return None
    parts = []
    if work.searches:
        noun = "search" if work.searches == 1 else "searches"
        parts.append(
            f"{work.searches} {noun} will run (up to {work.search_items} new items"
            f"{_cells(work.search_cells)})"
        )
    if work.enrichments:
        noun = "enrichment" if work.enrichments == 1 else "enrichments"
        parts.append(
            f"{work.enrichments} new or changed {noun} will process "
            f"{work.enrichment_items} existing items"
        )
    if work.monitors:
        noun = "monitor" if work.monitors == 1 else "monitors"
        parts.append(
            f"{work.monitors} new or busier {noun} will find up to {work.monitor_items} items "
            f"per month{_cells(work.monitor_cells)}"
        )
    return "Paid work: " + "; ".join(parts) + "."


def _cells(cells: int) -> str:
    return f", {cells} enrichment {'cell' if cells == 1 else 'cells'}" if cells else ""


def cost_line(plan: Plan) -> str:
    """``Cost: $a–$b now, $c–$d per month (pricing: …).`` The plan's estimated totals."""
    totals = plan_estimate(plan)
    return (
        f"Cost: {usd_range(totals.once)} now, {usd_range(totals.month)} per month "
        f"(pricing: {totals.pricing})."
    )


def usd_range(estimate: Estimate) -> str:
    """``$0.40–$1.00`` (one figure when both ends are equal, e.g. ``$0.00``)."""
    if estimate.low == estimate.high:
        return usd(estimate.low)
    return f"{usd(estimate.low)}–{usd(estimate.high)}"


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def estimate_tag(estimate: Estimate) -> str:
    """``up to 20 items, 20 cells, $0.50–$1.60`` (``/month`` for a monitor): a paid change's
    estimate, short."""
    month = "/month" if estimate.per is Per.MONTH else ""
    parts = [f"up to {estimate.items} items{month}"]
    if estimate.cells:
        parts.append(f"{estimate.cells} {'cell' if estimate.cells == 1 else 'cells'}")
    parts.append(usd_range(estimate) + month)
    return ", ".join(parts)


def show_field(field: FieldChange) -> tuple[str, str]:
    """(before, after) for people; says so when only a redacted part of a URL changed."""
    before, after = shown_field(field)
    return _shown(before), _shown(after)


def _shown(value: Any) -> str:
    return "(absent)" if value is None else json.dumps(value, ensure_ascii=False)
