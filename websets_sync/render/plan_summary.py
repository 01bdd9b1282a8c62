"""Numbers every plan view shows: the summary line and the paid-work line (one definition)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from websets_sync.model import Kind
from websets_sync.plan.contract import shown_field
from websets_sync.plan.types import Action, FieldChange, Plan

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
    """Paid work a plan starts: searches (and the items they may add), enrichment runs."""

    searches: int
    search_items: int
    enrichments: int
    enrichment_items: int

    @property
    def any(self) -> bool:
        return bool(self.searches or self.enrichments)


def paid_work(plan: Plan) -> PaidWork:
    runs = [c for c in plan.changes if c.action is Action.RUN]
    enrichments = [c for c in plan.changes if c.kind is Kind.ENRICHMENT and c.paid]
    return PaidWork(
        searches=len(runs),
        search_items=sum(c.estimated_items or 0 for c in runs),
        enrichments=len(enrichments),
        enrichment_items=sum(c.estimated_items or 0 for c in enrichments),
    )


def summary_line(plan: Plan) -> str:
    """``Plan: 2 to create, 1 to update, 0 to delete, 1 search to run.`` (+ adopt/replace)."""
    counts = plan.summary
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['delete']} to delete",
    ]
    for action in (Action.ADOPT, Action.REPLACE):
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
        parts.append(f"{work.searches} {noun} will run (up to {work.search_items} new items)")
    if work.enrichments:
        noun = "enrichment" if work.enrichments == 1 else "enrichments"
        parts.append(
            f"{work.enrichments} new or changed {noun} will process "
            f"{work.enrichment_items} existing items"
        )
    return "Paid work: " + "; ".join(parts) + "."


def show_field(field: FieldChange) -> tuple[str, str]:
    """(before, after) for people; says so when only a redacted part of a URL changed."""
    before, after = shown_field(field)
    return _shown(before), _shown(after)


def _shown(value: Any) -> str:
    return "(absent)" if value is None else json.dumps(value, ensure_ascii=False)
