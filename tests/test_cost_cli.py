"""Budgets and pricing files through the real CLI: exit 3 over budget, and apply sends nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from apply_support import API_KEY, write
from click.testing import CliRunner, Result

import websets_sync.cli.wiring as wiring
from websets_sync.cli.root import cli
from websets_sync.emulator import Emulator, Timing

MANIFEST = """\
version: 1
project: costs
{budget}
websets:
  - externalId: leads
    title: Leads
    searches:
      - externalId: initial
        query: AI startups in Europe
        count: 40
    enrichments:
      - externalId: ceo
        description: Name of the CEO
      - externalId: funding
        description: Total funding
    monitors:
      - externalId: weekly
        cadence: {{cron: "0 9 * * 1", timezone: Europe/Berlin}}
        behavior: {{type: search, config: {{query: New ones, count: {monitor_count}}}}}
"""
WRITES = ("POST", "PATCH", "PUT", "DELETE")


class Account:
    """One emulator shared by every CLI run of a test, so its request log can be read."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp = tmp
        self.emulator = Emulator(api_key=API_KEY, timing=Timing(search_seconds=0.0))
        self.state = tmp / ".websets-sync" / "state.json"
        real: Callable[..., Any] = wiring.make_client

        def make_client(app: Any, *, transport: httpx.BaseTransport | None = None) -> Any:
            return real(app, transport=self.emulator.transport())

        monkeypatch.setattr(wiring, "make_client", make_client)

    def manifest(self, budget: str = "", monitor_count: int = 5) -> Path:
        text = MANIFEST.format(budget=budget, monitor_count=monitor_count)
        return write(self.tmp / "m" / "main.yaml", text)

    def run(self, *args: str) -> Result:
        base = ["--emulator", str(self.tmp / "unused.json"), "--state", str(self.state)]
        env = {"EXA_API_KEY": API_KEY, "NO_COLOR": "1"}
        return CliRunner().invoke(cli, [*base, "--no-color", *args], env=env)

    def writes(self) -> int:
        return sum(self.emulator.count(method) for method in WRITES)


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Account:
    monkeypatch.chdir(tmp_path)
    return Account(tmp_path, monkeypatch)


def test_plan_within_max_usd_exits_0_and_shows_the_cost(account: Account) -> None:
    result = account.run("plan", str(account.manifest()), "--max-usd", "10")
    assert result.exit_code == 0, result.stderr
    # 40 items × $0.02–$0.05 + 80 cells × $0.005–$0.03; a weekly run of 5 items (22 a month).
    assert "Cost: $1.20–$4.40 now, $0.66–$2.42 per month (pricing: exa-published)." in (
        result.stdout
    )


def test_plan_over_max_usd_exits_3_with_the_numbers_and_the_biggest_contributors(
    account: Account,
) -> None:
    result = account.run("plan", str(account.manifest()), "--max-usd", "2", "--json")
    assert result.exit_code == 3
    plan = json.loads(result.stdout)  # the plan is still shown, in full
    assert plan["summary"]["estimate"]["once"]["usd"] == {"low": 1.2, "high": 4.4}
    assert result.stderr.splitlines() == [
        "Error: the plan is over budget: it may cost up to $4.40 now (--max-usd is $2.00)",
        "$1.20–$4.40 now is over --max-usd $2.00 (pricing: exa-published)",
        "Biggest contributors:",
        "  webset/leads/search/initial: $1.20–$4.40 (up to 40 items, 80 enrichment cells)",
        "Lower a count, drop an enrichment or a monitor, plan fewer addresses with --target, "
        "or raise the budget.",
    ]


def test_a_manifest_budget_makes_plan_exit_3(account: Account) -> None:
    path = account.manifest(budget="budget: {maxUsdOnce: 100, maxUsdPerMonth: 2}")
    result = account.run("plan", str(path), "--detailed-exitcode")
    assert result.exit_code == 3
    assert "Error: the plan is over budget: it may cost up to $2.42 per month " in result.stderr
    assert "(budget.maxUsdPerMonth is $2.00)" in result.stderr
    assert "  webset/leads/monitor/weekly: $0.66–$2.42 per month (up to 22 items" in (result.stderr)


def test_apply_over_max_usd_refuses_before_its_first_request(account: Account) -> None:
    path = account.manifest()
    assert account.run("plan", str(path)).exit_code == 0
    reads = account.emulator.count()
    account.emulator.clear_log()

    result = account.run("apply", str(path), "--auto-approve", "--max-usd", "4")

    assert result.exit_code == 3
    assert "over budget: it may cost up to $4.40 now (--max-usd is $4.00)" in result.stderr
    # Only the reads a plan makes; no write of any kind, and nothing exists.
    assert account.emulator.count() == reads == account.emulator.count("GET")
    assert account.writes() == 0
    assert account.emulator.store.all("webset") == []


def test_apply_refuses_a_monitor_made_a_hundred_times_busier_over_the_monthly_budget(
    account: Account,
) -> None:
    budget = "budget: {maxUsdPerMonth: 50}"
    applied = account.run("apply", str(account.manifest(budget)), "--auto-approve")
    assert applied.exit_code == 0, applied.stderr
    account.emulator.clear_log()

    busier = account.manifest(budget, monitor_count=500)
    planned = account.run("plan", str(busier))
    assert planned.exit_code == 3
    assert "[paid, up to 2178 items/month, 4356 cells, $65.34–$239.58/month]" in planned.stdout
    assert "raises its spend ×100, from up to 22 to up to 2178 items per month" in planned.stdout
    reads = account.emulator.count()
    account.emulator.clear_log()

    result = account.run("apply", str(busier), "--auto-approve")

    assert result.exit_code == 3
    assert "(budget.maxUsdPerMonth is $50.00)" in result.stderr
    assert account.emulator.count() == reads == account.emulator.count("GET")
    assert account.writes() == 0


def test_files_of_a_set_must_agree_on_the_budget(account: Account) -> None:
    account.manifest(budget="budget: {maxUsdOnce: 10}")
    write(
        account.tmp / "m" / "more.yaml",
        "version: 1\nproject: costs\nbudget: {maxUsdOnce: 20}\n",
    )
    result = account.run("validate", str(account.tmp / "m"))
    assert result.exit_code == 1
    assert (
        "more.yaml:3:9: budget: budget {maxUsdOnce: 20} differs from {maxUsdOnce: 10} in "
        in result.stdout + result.stderr
    )


def test_plan_with_a_pricing_file_names_the_profile(account: Account) -> None:
    pricing = write(
        account.tmp / "pricing.yaml",
        "version: 1\nname: acme-q3\nperItem: {low: 0.01, high: 0.02}\n"
        "perCell: {low: 0.001, high: 0.002}\n",
    )
    result = account.run("plan", str(account.manifest()), "--pricing", str(pricing))
    assert result.exit_code == 0, result.stderr
    assert "Cost: $0.48–$0.96 now, $0.26–$0.53 per month (pricing: acme-q3)." in result.stdout


def test_an_invalid_pricing_file_is_an_error_at_its_line(account: Account) -> None:
    pricing = write(
        account.tmp / "pricing.yaml",
        "version: 1\nname: acme\nperItem: {low: 0.01, high: 0}\nperCel: {low: 0, high: 1}\n",
    )
    result = account.run("plan", str(account.manifest()), "--pricing", str(pricing))
    assert result.exit_code == 1
    assert "Error: the pricing file is invalid (4 errors)" in result.stderr
    assert f"{pricing}:3:28: perItem.high: must be more than 0 (got 0)" in result.stderr
    assert f"{pricing}:1:1: missing required field 'perCell'" in result.stderr
    assert f"{pricing}:4:1: perCel: unknown field 'perCel' (did you mean 'perCell'?)" in (
        result.stderr
    )
    assert account.emulator.count() == 0  # refused before reading the account


def test_a_saved_plan_is_applied_with_the_pricing_it_was_estimated_with(account: Account) -> None:
    pricing = write(
        account.tmp / "pricing.yaml",
        "version: 1\nname: acme-q3\nperItem: {low: 0.01, high: 0.02}\n"
        "perCell: {low: 0.001, high: 0.002}\n",
    )
    saved = account.tmp / "plan.json"
    made = account.run(
        "plan", str(account.manifest()), "--pricing", str(pricing), "--out", str(saved)
    )
    assert made.exit_code == 0, made.stderr
    account.emulator.clear_log()

    refused = account.run("apply", "--plan", str(saved))
    assert refused.exit_code == 1
    assert "the saved plan was estimated with pricing 'acme-q3', not 'exa-published'" in (
        refused.stderr
    )
    assert account.writes() == 0

    # With the same prices, its $0.96 is within --max-usd 1 and the plan is applied.
    applied = account.run(
        "apply", "--plan", str(saved), "--pricing", str(pricing), "--max-usd", "1"
    )
    assert applied.exit_code == 0, applied.stderr
    # The project lease (DESIGN §9: created, then deleted on release), the webset with its
    # search and enrichments inline, then the monitor.
    assert account.emulator.count("POST", "/websets") == 2
    assert account.emulator.count("POST", "/monitors") == 1
    assert account.writes() == 2 + 2


def test_show_prices_a_saved_plan_as_it_was_reviewed(account: Account) -> None:
    pricing = write(
        account.tmp / "pricing.yaml",
        "version: 1\nname: acme-q3\nperItem: {low: 0.01, high: 0.02}\n"
        "perCell: {low: 0.001, high: 0.002}\n",
    )
    saved = account.tmp / "plan.json"
    made = account.run(
        "plan", str(account.manifest()), "--pricing", str(pricing), "--out", str(saved)
    )
    assert made.exit_code == 0, made.stderr
    cost = "Cost: $0.48–$0.96 now, $0.26–$0.53 per month (pricing: acme-q3)."
    assert cost in made.stdout

    shown = account.run("show", str(saved))
    assert shown.exit_code == 0, shown.stderr
    assert cost in shown.stdout
    assert "[paid, up to 40 items, 80 cells, $0.48–$0.96]" in shown.stdout
    as_json = json.loads(account.run("show", str(saved), "--json").stdout)
    assert as_json["summary"]["estimate"] == json.loads(saved.read_text())["summary"]["estimate"]
