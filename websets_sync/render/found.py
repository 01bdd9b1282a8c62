"""After ``apply --wait``: what each search actually found, next to what the plan estimated, so a
team can calibrate its pricing profile (``--pricing FILE``) from real runs."""

from __future__ import annotations

from collections.abc import Sequence

from websets_sync.apply.result import ApplyResult, Outcome
from websets_sync.apply.wait import WebsetProgress
from websets_sync.plan.cost import price
from websets_sync.plan.types import Action, Plan, Usage
from websets_sync.render.plan_summary import usd_range


def render_found_report(
    plan: Plan, result: ApplyResult, progress: Sequence[WebsetProgress]
) -> str | None:
    """One line per search the apply started: items found and the estimate; then the totals,
    priced with the plan's profile. None when the apply started no search."""
    started = {
        r.address: r.id
        for r in result.results
        if r.action is Action.RUN and r.outcome is Outcome.APPLIED and r.id
    }
    found = {search_id: count for p in progress for search_id, count in p.found_by_search}
    lines = []
    estimated, actual = Usage(0, 0), Usage(0, 0)
    for change in plan.changes:
        search_id = started.get(change.address)
        if search_id is None or change.usage is None or search_id not in found:
            continue
        usage = change.usage
        # Each item found gets the same enrichments the estimate counted per item.
        per_item = usage.cells // usage.items if usage.items else 0
        got = Usage(found[search_id], found[search_id] * per_item)
        estimated = Usage(estimated.items + usage.items, estimated.cells + usage.cells)
        actual = Usage(actual.items + got.items, actual.cells + got.cells)
        lines.append(
            f"  {change.address}: {got.items} items found "
            f"(estimated up to {usage.items}; {usd_range(price(got, plan.pricing))} "
            f"of an estimated {usd_range(price(usage, plan.pricing))})"
        )
    if not lines:
        return None
    head = f"Searches found {actual.items} of up to {estimated.items} estimated items:"
    tail = (
        f"At {plan.pricing.name} prices that is {usd_range(price(actual, plan.pricing))} "
        f"({actual.cells} enrichment cells); compare with your Exa billing page to tune "
        "--pricing."
    )
    return "\n".join([head, *lines, tail])
