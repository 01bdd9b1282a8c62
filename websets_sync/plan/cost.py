"""What a plan costs (DESIGN §12): usage of each paid change, priced as an honest USD range.

The planner records each paid change's :class:`Usage` (items and enrichment cells, once or per
month); this module turns usage into dollars with a :class:`Pricing` profile, totals a plan, and
checks totals against a budget.

- A search run: ``count`` new items, and each new item gets every enrichment of its webset
  (cells = count × enrichments). A new webset's estimate is the sum of its searches'.
- An enrichment added to or changed on a webset with items: items now × 1 cells.
- A monitor: runs per month (from its cron in its timezone) × its config count items per month,
  with the webset's enrichments computed for each; a disabled monitor costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from websets_sync.errors import BudgetError
from websets_sync.model import Budget
from websets_sync.model.cron import next_run
from websets_sync.model.kinds import MONITOR_DEFAULTS
from websets_sync.model.pricing import Pricing
from websets_sync.plan.types import Change, Per, Plan, Usage

#: Monthly runs are averaged over four whole years (one leap day, every weekday and DST change),
#: so the figure does not depend on the day the plan is made.
_SAMPLE_YEARS = (2028, 2032)
_SAMPLE_MONTHS = 12 * (_SAMPLE_YEARS[1] - _SAMPLE_YEARS[0])


@dataclass(frozen=True)
class Estimate:
    """Usage priced: ``low``/``high`` in USD, rounded outwards to whole cents."""

    items: int
    cells: int
    low: float
    high: float
    per: Per

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "cells": self.cells,
            "usd": {"low": self.low, "high": self.high},
            "per": self.per.value,
        }


@dataclass(frozen=True)
class PlanEstimate:
    """A plan's totals: what it starts now and what it adds per month, under ``pricing``."""

    once: Estimate
    month: Estimate
    pricing: str

    def to_dict(self) -> dict[str, Any]:
        once, month = self.once.to_dict(), self.month.to_dict()
        del once["per"], month["per"]
        return {"once": once, "month": month, "pricing": self.pricing}


def price(usage: Usage, pricing: Pricing) -> Estimate:
    low = usage.items * pricing.item_low + usage.cells * pricing.cell_low
    high = usage.items * pricing.item_high + usage.cells * pricing.cell_high
    return Estimate(usage.items, usage.cells, _cents_down(low), _cents_up(high), usage.per)


def change_estimate(change: Change, pricing: Pricing) -> Estimate | None:
    """The estimate of one paid change (None when it starts no paid work)."""
    return price(change.usage, pricing) if change.usage is not None else None


def plan_estimate(plan: Plan) -> PlanEstimate:
    """Totals of the plan; a new webset's roll-up is skipped (its searches carry the work)."""
    totals = {per: Usage(0, 0, per) for per in Per}
    for usage in _counted(plan.changes):
        total = totals[usage.per]
        totals[usage.per] = Usage(total.items + usage.items, total.cells + usage.cells, usage.per)
    return PlanEstimate(
        once=price(totals[Per.ONCE], plan.pricing),
        month=price(totals[Per.MONTH], plan.pricing),
        pricing=plan.pricing.name,
    )


def biggest_contributors(plan: Plan, per: Per, limit: int = 3) -> list[tuple[Change, Estimate]]:
    """The paid changes that cost the most (by high estimate), for an over-budget message."""
    priced = [
        (change, price(change.usage, plan.pricing))
        for change in plan.changes
        if change.usage is not None and change.usage.per is per and not change.usage.rollup
    ]
    priced.sort(key=lambda pair: (-pair[1].high, str(pair[0].address)))
    return priced[:limit]


def _counted(changes: Sequence[Change]) -> list[Usage]:
    return [c.usage for c in changes if c.usage is not None and not c.usage.rollup]


def _cents_down(value: float) -> float:
    # The tiny epsilon keeps 0.3 * 100 = 29.999… from losing a cent.
    return math.floor(value * 100 + 1e-9) / 100


def _cents_up(value: float) -> float:
    return math.ceil(value * 100 - 1e-9) / 100


# --- usage of each kind -------------------------------------------------------------------------


def search_usage(count: int, enrichments: int) -> Usage:
    return Usage(count, count * enrichments)


def webset_usage(searches: Sequence[Usage]) -> Usage:
    """A new webset: the total of its searches (each also on its own change)."""
    return Usage(sum(u.items for u in searches), sum(u.cells for u in searches), rollup=True)


def enrichment_usage(items: int) -> Usage:
    return Usage(items, items)


def monitor_usage(data: Mapping[str, Any], enrichments: int) -> Usage:
    """Items (and cells) per month of a monitor spec or live monitor; zero when disabled."""
    items = math.ceil(monitor_rate(data) - 1e-9)
    return Usage(items, items * enrichments, Per.MONTH)


def monitor_rate(data: Mapping[str, Any]) -> float:
    """Items a monitor spec or live monitor may find per month, unrounded (0 when disabled)."""
    if data.get("status", "enabled") != "enabled":
        return 0.0
    cadence = data.get("cadence")
    behavior = data.get("behavior")
    config = behavior.get("config") if isinstance(behavior, Mapping) else None
    count = config.get("count") if isinstance(config, Mapping) else None
    if not isinstance(cadence, Mapping) or not isinstance(count, (int, float)):
        return 0.0
    cron = cadence.get("cron")
    zone = cadence.get("timezone") or MONITOR_DEFAULTS["cadence.timezone"]
    if not isinstance(cron, str) or not isinstance(zone, str):
        return 0.0
    return monthly_runs(cron, zone) * count


def new_monitor(spec: Mapping[str, Any], enrichments: int, reason: str) -> tuple[Usage | None, str]:
    """(usage, reason) of a monitor to create: paid when enabled (it runs every period)."""
    usage = monitor_usage(spec, enrichments)
    if not usage.items:
        return None, reason
    return usage, reason + f"; will find up to {usage.items} items per month"


def monitor_update(
    live: Mapping[str, Any], spec: Mapping[str, Any], enrichments: int, reason: str
) -> tuple[Usage | None, str]:
    """(usage, reason) of a monitor change: paid when it raises the items found per month."""
    before = monitor_usage(live, enrichments)
    after = monitor_usage(spec, enrichments)
    if after.items <= before.items:
        return None, reason
    rate = monitor_rate(live)
    times = f" ×{monitor_rate(spec) / rate:.3g}" if rate else ""
    return after, reason + (
        f"; raises its spend{times}, from up to {before.items} to up to {after.items} "
        "items per month"
    )


@lru_cache(maxsize=256)
def monthly_runs(cron: str, timezone: str) -> float:
    """Average runs per month of a cron in a timezone (0 for one that cannot run)."""
    try:
        zone = ZoneInfo(timezone)
        start = datetime(_SAMPLE_YEARS[0], 1, 1, tzinfo=zone)
        end = datetime(_SAMPLE_YEARS[1], 1, 1, tzinfo=zone)
        runs = 0
        when = next_run(cron, timezone, start - timedelta(microseconds=1))
        while when < end:
            runs += 1
            when = next_run(cron, timezone, when)
    except (ValueError, ZoneInfoNotFoundError):  # validation reports a bad cron or zone
        return 0.0
    return runs / _SAMPLE_MONTHS


# --- budgets ------------------------------------------------------------------------------------


def check_budget(plan: Plan, budget: Budget, max_usd: float | None = None) -> None:
    """Raise BudgetError when the high end of the plan's estimate passes a limit: ``max_usd``
    (``--max-usd``) and the manifests' ``maxUsdOnce`` for what it starts now, ``maxUsdPerMonth``
    for what its monitors add per month. The message has the numbers and the biggest costs."""
    totals = plan_estimate(plan)
    limits = [
        (max_usd, "--max-usd", Per.ONCE),
        (budget.max_usd_once, "budget.maxUsdOnce", Per.ONCE),
        (budget.max_usd_per_month, "budget.maxUsdPerMonth", Per.MONTH),
    ]
    over = []
    for limit, name, per in limits:
        estimate = totals.once if per is Per.ONCE else totals.month
        if limit is not None and estimate.high > limit:
            over.append((limit, name, per, estimate))
    if not over:
        return
    lines = []
    for limit, name, per, estimate in over:
        when = "now" if per is Per.ONCE else "per month"
        lines.append(
            f"{_money(estimate.low)}–{_money(estimate.high)} {when} is over {name} "
            f"{_money(limit)} (pricing: {totals.pricing})"
        )
    pers = list(dict.fromkeys(per for _, _, per, _ in over))
    lines.append("Biggest contributors:")
    for per in pers:
        for change, estimate in biggest_contributors(plan, per):
            month = " per month" if per is Per.MONTH else ""
            lines.append(
                f"  {change.address}: {_money(estimate.low)}–{_money(estimate.high)}{month} "
                f"(up to {estimate.items} items, {estimate.cells} enrichment cells)"
            )
    lines.append(
        "Lower a count, drop an enrichment or a monitor, plan fewer addresses with --target, "
        "or raise the budget."
    )
    _, name, per, estimate = over[0]
    when = "now" if per is Per.ONCE else "per month"
    raise BudgetError(
        f"the plan is over budget: it may cost up to {_money(estimate.high)} {when} "
        f"({name} is {_money(over[0][0])})",
        detail="\n".join(lines),
    )


def _money(amount: float) -> str:
    return f"${amount:,.2f}"
