"""What a plan costs (DESIGN §12): usage per paid change, prices, totals, views, budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_plan_build import (
    desired_webset,
    enrichment,
    full_desired,
    live_full,
    monitor,
    plan,
    search,
)

from websets_sync.apply.result import ApplyResult, ChangeResult, Outcome
from websets_sync.apply.wait import WebsetProgress
from websets_sync.errors import BudgetError, ManifestError
from websets_sync.manifest.pricing import load_pricing
from websets_sync.model import Address, Budget, DesiredResource, DesiredState, Kind, LiveState
from websets_sync.model.pricing import Pricing
from websets_sync.plan import PlanOptions, build_plan
from websets_sync.plan.contract import plan_to_dict
from websets_sync.plan.cost import check_budget, monthly_runs, plan_estimate, price
from websets_sync.plan.types import Action, Per, Usage
from websets_sync.render.console import Console
from websets_sync.render.found import render_found_report
from websets_sync.render.markdown import render_plan_markdown
from websets_sync.render.plan_summary import cost_line, paid_line
from websets_sync.render.text import render_plan_text

SEARCH_A = Address.parse("webset/a/search/initial")
SEARCH_B = Address.parse("webset/b/search/initial")
FLAT = Pricing("flat", item_low=0.01, item_high=0.10, cell_low=0.001, cell_high=0.01)


def by_address(result: Any) -> dict[str, Any]:
    return {str(c.address): c for c in result.changes}


def monitor_count(ws: str, name: str, count: int, cron: str = "0 9 * * 1") -> DesiredResource:
    spec = {
        "cadence": {"cron": cron},
        "behavior": {"type": "search", "config": {"count": count, "query": "q"}},
        "status": "enabled",
    }
    return DesiredResource(Address.for_child(Kind.MONITOR, ws, name), spec)


# --- runs per month -----------------------------------------------------------------------------


def test_monthly_runs_follow_the_cron() -> None:
    assert monthly_runs("0 9 * * *", "Etc/UTC") == 1461 / 48  # daily, four years with a leap day
    assert monthly_runs("30 7 1 * *", "Europe/Stockholm") == 1.0
    assert monthly_runs("0 0 29 2 *", "Etc/UTC") == 1 / 48
    weekly = monthly_runs("0 9 * * 1", "America/New_York")
    assert 4.34 < weekly < 4.36


def test_a_run_skipped_by_a_dst_gap_still_counts_once_a_day() -> None:
    # 02:30 does not exist on the spring-forward day in Berlin; the API runs it after the gap.
    assert monthly_runs("30 2 * * *", "Europe/Berlin") == monthly_runs("30 2 * * *", "Etc/UTC")


def test_an_invalid_cron_or_zone_costs_nothing_rather_than_crashing() -> None:
    assert monthly_runs("0 * * * *", "Etc/UTC") == 0.0  # more than daily: validation reports it
    assert monthly_runs("0 9 * * 1", "Mars/Olympus") == 0.0


# --- monitors -----------------------------------------------------------------------------------


def test_monitor_count_5_to_500_is_paid_and_a_hundred_times_the_monthly_spend() -> None:
    desired = desired_webset(
        searches=full_desired().searches,
        enrichments=full_desired().enrichments,
        monitors=(monitor_count("leads", "weekly", 500),),
    )
    live = live_full()  # weekly monitor of count 5, query q, one enrichment
    change = by_address(plan((desired,), (live,)))["webset/leads/monitor/weekly"]
    assert change.action is Action.UPDATE and change.paid
    before = plan((full_desired(),), (live,))
    assert not by_address(before)["webset/leads/monitor/weekly"].paid  # unchanged: not paid
    assert change.usage == Usage(2178, 2178, Per.MONTH)  # 4.354 runs × 500, 1 enrichment each
    assert "raises its spend ×100, from up to 22 to up to 2178 items per month" in change.reason
    estimate = plan_to_dict(plan((desired,), (live,)))
    mon = next(c for c in estimate["changes"] if c["address"] == "webset/leads/monitor/weekly")
    assert mon["paid"] is True
    assert mon["estimate"] == {
        "items": 2178,
        "cells": 2178,
        "usd": {"low": 54.45, "high": 174.24},
        "per": "month",
    }
    assert estimate["summary"]["estimate"]["month"]["usd"] == {"low": 54.45, "high": 174.24}
    assert estimate["summary"]["estimate"]["once"]["usd"] == {"low": 0.0, "high": 0.0}


def test_a_monitor_change_that_lowers_its_spend_is_not_paid() -> None:
    desired = desired_webset(
        searches=full_desired().searches,
        enrichments=full_desired().enrichments,
        monitors=(monitor_count("leads", "weekly", 2),),
    )
    change = by_address(plan((desired,), (live_full(),)))["webset/leads/monitor/weekly"]
    assert change.action is Action.UPDATE and not change.paid and change.usage is None


def test_a_disabled_monitor_costs_nothing_and_enabling_it_is_paid() -> None:
    disabled = desired_webset(monitors=(monitor("leads", "weekly", status="disabled"),))
    created = by_address(plan((disabled,)))["webset/leads/monitor/weekly"]
    assert created.action is Action.CREATE and not created.paid
    enabled = desired_webset(monitors=(monitor("leads", "weekly"),))
    created = by_address(plan((enabled,)))["webset/leads/monitor/weekly"]
    assert created.paid and created.usage == Usage(22, 0, Per.MONTH)  # no enrichments


# --- new websets and their inline enrichments ---------------------------------------------------


def three_websets_with_nine_enrichments() -> tuple[Any, ...]:
    websets = []
    for name in ("a", "b", "c"):
        websets.append(
            desired_webset(
                name,
                searches=(search(name, "initial", query=f"{name} companies", count=15),),
                enrichments=tuple(
                    enrichment(name, f"e{i}", description=f"Fact {i}") for i in range(3)
                ),
            )
        )
    return tuple(websets)


def test_inline_enrichments_of_new_websets_are_counted_as_cells() -> None:
    # The case: "3 searches will run (up to 45 new items)" said nothing of 9 enrichments.
    result = plan(three_websets_with_nine_enrichments())
    changes = by_address(result)
    assert changes["webset/a"].paid and changes["webset/a"].usage == Usage(15, 45, rollup=True)
    assert changes["webset/a/search/initial"].usage == Usage(15, 45)
    assert not changes["webset/a/enrichment/e0"].paid  # its cells are in the search's estimate
    assert (
        paid_line(result)
        == "Paid work: 3 searches will run (up to 45 new items, 135 enrichment cells)."
    )
    totals = plan_estimate(result)
    # 45 items × $0.02–$0.05 + 135 cells × $0.005–$0.03; the websets' roll-ups are not added again.
    assert (totals.once.items, totals.once.cells) == (45, 135)
    assert (totals.once.low, totals.once.high) == (1.57, 6.30)
    assert cost_line(result) == ("Cost: $1.57–$6.30 now, $0.00 per month (pricing: exa-published).")


def test_a_second_search_on_a_new_webset_is_in_its_total() -> None:
    desired = desired_webset(
        searches=(
            search("leads", "initial", query="q1", count=30),
            search("leads", "more", query="q2", count=10),
        ),
        enrichments=(enrichment("leads", "ceo", description="CEO"),),
    )
    changes = by_address(plan((desired,)))
    assert changes["webset/leads"].usage == Usage(40, 40, rollup=True)
    assert changes["webset/leads/search/more"].usage == Usage(10, 10)


def test_a_search_on_an_existing_webset_counts_the_cells_of_the_items_it_adds() -> None:
    desired = desired_webset(
        searches=(
            *full_desired().searches,
            search("leads", "more", query="other", count=20),
        ),
        enrichments=full_desired().enrichments,
        monitors=full_desired().monitors,
    )
    change = by_address(plan((desired,), (live_full(),)))["webset/leads/search/more"]
    assert change.usage == Usage(20, 20)


def test_an_enrichment_added_to_a_webset_with_items_costs_one_cell_per_item() -> None:
    desired = desired_webset(
        searches=full_desired().searches,
        enrichments=(*full_desired().enrichments, enrichment("leads", "cto", description="CTO")),
        monitors=full_desired().monitors,
    )
    change = by_address(plan((desired,), (live_full(found=30),)))["webset/leads/enrichment/cto"]
    assert change.paid and change.usage == Usage(30, 30)
    assert price(change.usage, FLAT).to_dict() == {
        "items": 30,
        "cells": 30,
        "usd": {"low": 0.33, "high": 3.3},
        "per": "once",
    }


def test_every_paid_change_has_an_estimate_that_is_never_free() -> None:
    result = plan(three_websets_with_nine_enrichments() + (full_desired(),))
    data = plan_to_dict(result)
    for change in data["changes"]:
        assert change["paid"] == ("estimate" in change), change["address"]
        if change["paid"]:
            assert change["estimate"]["usd"]["high"] > 0


def test_the_plan_names_its_pricing_profile() -> None:
    desired = DesiredState("growth", (full_desired(),))
    result = build_plan(desired, LiveState(), None, PlanOptions(), FLAT)
    assert plan_to_dict(result)["summary"]["estimate"]["pricing"] == "flat"
    assert "(pricing: flat)" in render_plan_text(result, Console(color=False))


def test_markdown_shows_the_cost_line_with_the_paid_work_warning() -> None:
    markdown = render_plan_markdown(plan(three_websets_with_nine_enrichments()))
    head = markdown.split("**Plan:", 1)[0]
    assert "> [!WARNING]" in head
    assert "> Cost: $1.57–$6.30 now, $0.00 per month (pricing: exa-published)." in head


def test_text_tags_carry_the_estimate() -> None:
    text = render_plan_text(plan(three_websets_with_nine_enrichments()), Console(color=False))
    assert "> run     webset/a/search/initial  [paid, up to 15 items, 45 cells, $0.52–$2.10" in text
    assert text.rstrip().endswith(
        "Cost: $1.57–$6.30 now, $0.00 per month (pricing: exa-published)."
    )


# --- budgets ------------------------------------------------------------------------------------


def test_within_budget_nothing_is_raised() -> None:
    result = plan(three_websets_with_nine_enrichments())
    check_budget(result, Budget(max_usd_once=6.30, max_usd_per_month=0), max_usd=6.30)


def test_over_max_usd_names_the_numbers_and_the_biggest_contributors() -> None:
    result = plan(three_websets_with_nine_enrichments() + (full_desired(),))
    with pytest.raises(BudgetError) as caught:
        check_budget(result, Budget(), max_usd=5)
    assert caught.value.message == (
        "the plan is over budget: it may cost up to $10.30 now (--max-usd is $5.00)"
    )
    detail = caught.value.detail or ""
    assert "$2.82–$10.30 now is over --max-usd $5.00 (pricing: exa-published)" in detail
    contributors = detail.split("Biggest contributors:\n", 1)[1].splitlines()[:3]
    assert contributors == [
        "  webset/leads/search/initial: $1.25–$4.00 (up to 50 items, 50 enrichment cells)",
        "  webset/a/search/initial: $0.52–$2.10 (up to 15 items, 45 enrichment cells)",
        "  webset/b/search/initial: $0.52–$2.10 (up to 15 items, 45 enrichment cells)",
    ]


def test_a_monthly_budget_stops_a_busier_monitor() -> None:
    desired = desired_webset(
        searches=full_desired().searches,
        enrichments=full_desired().enrichments,
        monitors=(monitor_count("leads", "weekly", 500),),
    )
    result = plan((desired,), (live_full(),))
    check_budget(result, Budget(max_usd_once=0))  # nothing runs now
    with pytest.raises(BudgetError, match=r"up to \$174.24 per month \(budget.maxUsdPerMonth"):
        check_budget(result, Budget(max_usd_per_month=100))


# --- apply --wait: what was found next to the estimate ------------------------------------------


def test_found_report_puts_each_search_next_to_its_estimate() -> None:
    result = plan(three_websets_with_nine_enrichments()[:2])
    applied = ApplyResult(
        results=(
            ChangeResult(
                Address.parse("webset/a/search/initial"), Action.RUN, Outcome.APPLIED, "s_a"
            ),
            ChangeResult(
                Address.parse("webset/b/search/initial"), Action.RUN, Outcome.APPLIED, "s_b"
            ),
        )
    )
    progress = (
        WebsetProgress(Address.parse("webset/a"), "w_a", "idle", 100, 9, (("s_a", 9),)),
        WebsetProgress(Address.parse("webset/b"), "w_b", "idle", 100, 15, (("s_b", 15),)),
    )
    assert render_found_report(result, applied, progress) == "\n".join(
        [
            "Searches found 24 of up to 30 estimated items:",
            "  webset/a/search/initial: 9 items found (estimated up to 15; $0.31–$1.26 of an "
            "estimated $0.52–$2.10)",
            "  webset/b/search/initial: 15 items found (estimated up to 15; $0.52–$2.10 of an "
            "estimated $0.52–$2.10)",
            "At exa-published prices that is $0.84–$3.36 (72 enrichment cells); compare with "
            "your Exa billing page to tune --pricing.",
        ]
    )
    assert render_found_report(result, ApplyResult(), progress) is None


# --- the pricing file ---------------------------------------------------------------------------


def write_pricing(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pricing.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_pricing_file_round_trip(tmp_path: Path) -> None:
    path = write_pricing(
        tmp_path,
        "version: 1\nname: ${TEAM}-q3\nperItem: {low: 0.02, high: 0.04}\n"
        "perCell: {low: 0, high: 0.01}\n",
    )
    assert load_pricing(path, {"TEAM": "acme"}) == Pricing("acme-q3", 0.02, 0.04, 0.0, 0.01)


def test_pricing_file_errors_name_file_line_and_field_all_at_once(tmp_path: Path) -> None:
    path = write_pricing(
        tmp_path,
        "version: 1\n"
        "name: acme\n"
        "perItem: {low: 0.05, high: 0.04}\n"
        "perCell: {low: 0.004, hihg: 0.02}\n"
        "perItem2: 1\n",
    )
    with pytest.raises(ManifestError) as caught:
        load_pricing(path, {})
    assert caught.value.message == "the pricing file is invalid (4 errors)"
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3:16: perItem.low: low 0.05 is more than high 0.04",
        f"{path}:4:10: perCell: missing required field 'high'",
        f"{path}:4:23: perCell.hihg: unknown field 'hihg' (did you mean 'high'?)",
        f"{path}:5:1: perItem2: unknown field 'perItem2' (did you mean 'perItem'?)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("perItem: {low: 0, high: 0}", "perItem.high: must be more than 0 (got 0)"),
        ("perItem: {low: -1, high: 1}", "perItem.low: must be at least 0 (got -1)"),
        ("perItem: {low: cheap, high: 1}", "perItem.low: must be a number, got a string"),
        ("perItem: {low: 1, high: 2}\nperItem: {low: 1, high: 2}", "duplicate key 'perItem'"),
    ],
)
def test_pricing_file_values_are_checked(tmp_path: Path, text: str, expected: str) -> None:
    path = write_pricing(tmp_path, f"version: 1\nname: x\nperCell: {{low: 0, high: 1}}\n{text}\n")
    with pytest.raises(ManifestError) as caught:
        load_pricing(path, {})
    assert any(expected in str(p) for p in caught.value.problems), caught.value.detail


def test_a_missing_pricing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="pricing file is invalid") as caught:
        load_pricing(tmp_path / "nope.yaml", {})
    assert str(caught.value.problems[0]).endswith("nope.yaml:1:1: no such pricing file")


def test_the_published_pricing_schema_is_the_packaged_one() -> None:
    root = Path(__file__).parent.parent
    published = root / "schemas" / "pricing.schema.json"
    assert (
        published.read_bytes()
        == (root / "websets_sync" / "data" / "pricing.schema.json").read_bytes()
    )
