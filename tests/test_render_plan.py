"""Plan views: the JSON contract, text with symbols and colour, Markdown limits, redaction."""

from __future__ import annotations

import json

from websets_sync.model import Address, Kind
from websets_sync.model.redact import redact_url
from websets_sync.plan.contract import plan_to_dict
from websets_sync.plan.types import Action, Change, FieldChange, Plan, PlanOptions, Skipped
from websets_sync.render.console import Console
from websets_sync.render.json import render_plan_json
from websets_sync.render.markdown import render_plan_markdown
from websets_sync.render.plan_summary import paid_line, summary_line
from websets_sync.render.text import render_plan_text

WEBSET = Address.for_webset("leads")
SEARCH = Address.for_child(Kind.SEARCH, "leads", "initial")
ENRICHMENT = Address.for_child(Kind.ENRICHMENT, "leads", "ceo")
HOOK = Address.for_webhook("crm")
SECRET_URL = "https://bob:pa55@hooks.example.com/x?token=t0ken&team=a"


def sample_plan() -> Plan:
    return Plan(
        project="growth",
        options=PlanOptions(targets=(WEBSET,)),
        changes=(
            Change(
                WEBSET,
                Action.CREATE,
                "not in live state",
                fields=(FieldChange("title", None, "Leads"),),
                paid=True,
            ),
            Change(SEARCH, Action.RUN, "inline", paid=True, inline=True, estimated_items=50),
            Change(
                ENRICHMENT,
                Action.UPDATE,
                "drift in description",
                id="en_1",
                fields=(FieldChange("description", "CTO", "CEO"),),
                paid=True,
                estimated_items=30,
            ),
            Change(
                HOOK,
                Action.UPDATE,
                "drift in url",
                id="wh_1",
                fields=(FieldChange("url", SECRET_URL, "https://hooks.example.com/new"),),
            ),
            Change(Address.for_webset("old"), Action.DELETE, "gone", id="ws_9", destructive=True),
        ),
        skipped=(Skipped(Address.for_webhook("x"), Action.DELETE, "not allowed", id="wh_9"),),
        warnings=("webhook/crm has no known signing secret",),
    )


def test_json_is_the_contract() -> None:
    data = plan_to_dict(sample_plan())
    assert list(data) == [
        "format_version",
        "project",
        "options",
        "changes",
        "skipped",
        "warnings",
        "summary",
        "secrets_unknown",  # issue 10, finding 8: a lost secret is data CI can check
    ]
    assert data["options"] == {"allow_delete": False, "targets": ["webset/leads"]}
    assert data["changes"][0] == {
        "address": "webset/leads",
        "kind": "webset",
        "action": "create",
        "id": None,
        "reason": "not in live state",
        "paid": True,
        "destructive": False,
        "inline": False,
        "estimated_items": None,
        "fields": [{"path": "title", "before": None, "after": "Leads"}],
    }
    assert data["summary"] == {
        "create": 1,
        "update": 2,
        "delete": 1,
        "run": 1,
        "adopt": 0,
        "replace": 0,
        "move": 0,
        "no-op": 0,
        "estimate": {
            "once": {"items": 0, "cells": 0, "usd": {"low": 0.0, "high": 0.0}},
            "month": {"items": 0, "cells": 0, "usd": {"low": 0.0, "high": 0.0}},
            "pricing": "exa-published",
        },
    }
    assert data["skipped"][0]["address"] == "webhook/x"


def test_replace_option_appears_only_when_used() -> None:
    options = PlanOptions(replace=(HOOK,))
    data = plan_to_dict(Plan(project="p", options=options))
    assert data["options"]["replace"] == ["webhook/crm"]


def test_credentials_are_redacted_in_every_view() -> None:
    plan = sample_plan()
    views = [
        render_plan_json(plan),
        render_plan_text(plan, Console()),
        render_plan_markdown(plan),
    ]
    for view in views:
        assert "pa55" not in view and "t0ken" not in view and "bob" not in view
        # Every query value is masked (issue 10, finding 4): names alone cannot tell secrets.
        shown = "REDACTED@hooks.example.com/x?token=REDACTED"
        assert f"{shown}&team=REDACTED" in view or f"{shown}&amp;team=REDACTED" in view


def test_redact_url_keeps_harmless_urls() -> None:
    assert redact_url("https://hooks.example.com/a") == "https://hooks.example.com/a"
    # Query names stay readable; every value is masked (issue 10, finding 4).
    assert redact_url("https://hooks.example.com/a?team=x") == (
        "https://hooks.example.com/a?team=REDACTED"
    )
    assert redact_url("https://h.example.com/?signature=s&x=1") == (
        "https://h.example.com/?signature=REDACTED&x=REDACTED"
    )


def test_summary_and_paid_lines() -> None:
    plan = sample_plan()
    assert summary_line(plan) == "Plan: 1 to create, 2 to update, 1 to delete, 1 search to run."
    assert paid_line(plan) == (
        "Paid work: 1 search will run (up to 50 new items); "
        "1 new or changed enrichment will process 30 existing items."
    )


def test_text_uses_symbols_and_before_after() -> None:
    text = render_plan_text(sample_plan(), Console(color=False))
    assert "+ create  webset/leads  [paid]" in text
    assert '      title = "Leads"' in text
    assert '      description: "CTO" → "CEO"' in text
    assert "> run     webset/leads/search/initial  [paid, up to 50 items, inline]" in text
    assert "- delete  webset/old (ws_9)  [destructive]" in text
    assert "  ! webhook/crm has no known signing secret" in text
    assert "\x1b[" not in text


def test_text_colour_only_when_enabled() -> None:
    assert "\x1b[32m" in render_plan_text(sample_plan(), Console(color=True))


def test_no_changes_text() -> None:
    text = render_plan_text(Plan(project="p", options=PlanOptions()), Console())
    assert text == "No changes. Live state matches the manifests."


def test_markdown_has_banners_table_and_details() -> None:
    md = render_plan_markdown(sample_plan())
    assert "> [!CAUTION]\n> **This plan deletes 1 resource:**" in md
    assert "> [!WARNING]\n> **Paid work: 1 search will run" in md
    assert "| update | 2 |" in md
    assert md.count("<details>") == 5
    assert "<code>&quot;" not in md  # quotes need no escaping
    assert '| `description` | <code>"CTO"</code> | <code>"CEO"</code> |' in md


def test_markdown_is_truncated_under_the_limit_with_a_note() -> None:
    many = tuple(
        Change(
            Address.for_child(Kind.ENRICHMENT, "leads", f"e{i}"),
            Action.UPDATE,
            "drift",
            id=f"en_{i}",
            fields=(FieldChange("description", "x" * 500, "y" * 500),),
        )
        for i in range(400)
    )
    md = render_plan_markdown(Plan(project="p", options=PlanOptions(), changes=many))
    assert len(md) < 60_000
    assert "more changes are not shown" in md
    assert "**Plan: 0 to create, 400 to update" in md


def test_markdown_escapes_table_breaking_text() -> None:
    change = Change(
        WEBSET, Action.UPDATE, "a | b", id="w", fields=(FieldChange("title", "a|b", "<c>"),)
    )
    md = render_plan_markdown(Plan(project="p", options=PlanOptions(), changes=(change,)))
    assert "a &#124; b" in md and "&lt;c&gt;" in md
    assert json.dumps("a|b") not in md


def test_redact_url_hides_tokens_carried_in_the_path() -> None:
    slack = "https://hooks.slack.com/services/T0001/B0002/PATHSECRET999"
    assert redact_url(slack) == "https://hooks.slack.com/services/REDACTED/REDACTED/REDACTED"
    discord = "https://discord.com/api/webhooks/123456/tok-en_secret"
    assert redact_url(discord) == "https://discord.com/api/webhooks/REDACTED/REDACTED"
    # Elsewhere only a long segment that mixes letters and digits is taken for a token.
    generic = "https://crm.example.com/hooks/inbound/a1b2c3d4e5f6g7h8i9j0k1"
    assert redact_url(generic) == "https://crm.example.com/hooks/inbound/REDACTED"
    assert redact_url("https://crm.example.com/v2/webhooks/websets") == (
        "https://crm.example.com/v2/webhooks/websets"
    )


def test_a_change_hidden_by_redaction_is_still_visible_as_a_change() -> None:
    before = "https://bob:old-pass@hooks.example.com/in"
    after = "https://bob:new-pass@hooks.example.com/in"
    plan = Plan(
        project="p",
        options=PlanOptions(),
        changes=(
            Change(
                HOOK, Action.UPDATE, "differs in url", "wh_1", (FieldChange("url", before, after),)
            ),
        ),
    )
    for view in (render_plan_text(plan, Console()), render_plan_markdown(plan)):
        assert "old-pass" not in view and "new-pass" not in view
        assert "(a redacted part changed)" in view
    [field] = plan_to_dict(plan)["changes"][0]["fields"]
    assert field["before"] == "https://REDACTED@hooks.example.com/in"
    assert field["after"] == "https://REDACTED@hooks.example.com/in (a redacted part changed)"


def test_skipped_changes_are_never_summed_up_as_a_match() -> None:
    skipped = (Skipped(WEBSET, Action.DELETE, "managed but no longer declared", "ws_1"),)
    plan = Plan(project="p", options=PlanOptions(), skipped=skipped)
    text = render_plan_text(plan, Console())
    assert "No changes. Live state matches" not in text
    assert (
        "No changes to apply, but live state differs from the manifests: 1 change skipped "
        "(deletions need --allow-delete)."
    ) in text
    assert "1 change skipped" in render_plan_markdown(plan)
