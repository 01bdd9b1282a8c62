"""export: live objects → manifest entries and YAML (pure, no API)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from websets_sync.errors import WebsetsSyncError
from websets_sync.export import export_state, infer_project, render_document, render_files
from websets_sync.model import (
    TAG_EXTERNAL_ID,
    TAG_INITIAL_SEARCH,
    TAG_PREVENT_DESTROY,
    TAG_PROJECT,
    Kind,
    LiveObject,
    LiveState,
    LiveWebset,
)

SCHEMA = "../schemas/manifest.schema.json"


def obj(kind: Kind, ident: str, **data: Any) -> LiveObject:
    return LiveObject(kind, ident, {"id": ident, **data})


def tags(project: str | None = "growth", ext: str | None = None, **extra: str) -> dict[str, str]:
    result = dict(extra)
    if project is not None:
        result[TAG_PROJECT] = project
    if ext is not None:
        result[TAG_EXTERNAL_ID] = ext
    return result


def search(ident: str, query: str, **data: Any) -> LiveObject:
    base: dict[str, Any] = {
        "object": "webset_search",
        "status": "completed",
        "query": query,
        "count": 10,
        "behavior": "override",
        "entity": {"type": "company"},
        "criteria": [{"description": "Is an AI startup", "successRate": 87.5}],
        "exclude": [],
        "scope": [],
        "progress": {"found": 10, "analyzed": 40, "completion": 100, "timeLeft": None},
        "recall": None,
        "metadata": {},
        "createdAt": "2026-01-01T00:00:00.000Z",
    }
    base.update(data)
    return obj(Kind.SEARCH, ident, **base)


def managed_webset() -> LiveWebset:
    webset = obj(
        Kind.WEBSET,
        "webset_1",
        externalId="eu-ai",
        title="EU AI startups",
        status="idle",
        dashboardUrl="https://websets.exa.ai/webset_1",
        metadata=tags(ext=None, owner="growth", **{TAG_INITIAL_SEARCH: "initial"}),
    )
    first = search("s1", "AI startups in Europe", count=50)
    rerun = search("s2", "AI startups in the EU", count=50, metadata=tags(ext="initial"))
    later = search("s3", "Fintech", behavior="append", metadata=tags(ext="fintech"))
    ceo = obj(
        Kind.ENRICHMENT,
        "e1",
        description="Find the CEO name",
        format="text",
        options=None,
        title="CEO name",
        instructions="Look up the CEO",
        status="completed",
        metadata=tags(ext="ceo"),
    )
    vertical = obj(
        Kind.ENRICHMENT,
        "e2",
        description="Vertical",
        format="options",
        options=[{"label": "Health"}, {"label": "Finance"}],
        metadata=tags(ext="vertical"),
    )
    weekly = obj(
        Kind.MONITOR,
        "m1",
        status="disabled",
        cadence={"cron": "0 9 * * 1", "timezone": "Etc/UTC"},
        behavior={
            "type": "search",
            "config": {"query": "New rounds", "count": 5.0, "behavior": "append"},
        },
        nextRunAt=None,
        lastRun=None,
        metadata=tags(ext="weekly"),
    )
    return LiveWebset(webset, (first, rerun, later), (ceo, vertical), (weekly,))


def test_managed_webset_exports_manifest_fields_only() -> None:
    result = export_state(LiveState(websets=(managed_webset(),)), "growth")
    assert result.notes == ()
    assert result.websets == (
        {
            "externalId": "eu-ai",
            "title": "EU AI startups",
            "metadata": {"owner": "growth"},
            "searches": [
                # the re-run under the same name supersedes the inline first search
                {
                    "externalId": "initial",
                    "query": "AI startups in the EU",
                    "count": 50,
                    "entity": {"type": "company"},
                    "criteria": [{"description": "Is an AI startup"}],
                },
                {
                    "externalId": "fintech",
                    "query": "Fintech",
                    "behavior": "append",
                    "entity": {"type": "company"},
                    "criteria": [{"description": "Is an AI startup"}],
                },
            ],
            "enrichments": [
                {"externalId": "ceo", "description": "Find the CEO name", "format": "text"},
                {
                    "externalId": "vertical",
                    "description": "Vertical",
                    "format": "options",
                    "options": [{"label": "Health"}, {"label": "Finance"}],
                },
            ],
            "monitors": [
                {
                    "externalId": "weekly",
                    "enabled": False,
                    "cadence": {"cron": "0 9 * * 1"},
                    "behavior": {"type": "search", "config": {"query": "New rounds", "count": 5}},
                }
            ],
        },
    )


def test_dashboard_webset_is_pinned_by_id_with_generated_names() -> None:
    webset = obj(Kind.WEBSET, "webset_dash", externalId=None, title="My Leads!", metadata={})
    other = obj(Kind.WEBSET, "webset_x", externalId="my-leads", title="Taken", metadata={})
    untagged = (search("s1", "Leads"), search("s2", "More leads", count=20))
    enrichment = obj(
        Kind.ENRICHMENT, "e1", websetId="webset_dash", description="Email", metadata={}
    )
    live = LiveState(
        websets=(LiveWebset(other), LiveWebset(webset, untagged, (enrichment,))),
    )
    result = export_state(live, "growth")
    pinned = result.websets[1]
    assert pinned["externalId"] == "my-leads-2"
    assert pinned["id"] == "webset_dash"
    # untagged children are kept under generated names: the planner recognises them by content
    assert [s["externalId"] for s in pinned["searches"]] == ["search-1", "search-2"]
    assert pinned["enrichments"] == [{"externalId": "enrichment-1", "description": "Email"}]
    assert "id" not in result.websets[0]
    assert result.notes == (
        "webset/my-leads-2 is pinned by id webset_dash: "
        "it has no externalId (made in the dashboard?)",
    )


def test_children_of_another_project_are_skipped() -> None:
    webset = obj(Kind.WEBSET, "w1", externalId="a", metadata=tags("growth"))
    theirs = obj(
        Kind.MONITOR, "m1", websetId="w1", status="enabled", metadata=tags("sales", ext="x")
    )
    mine = obj(Kind.MONITOR, "m2", status="enabled", metadata=tags("growth", ext="weekly"))
    config = {"query": "New rounds", "count": 5}
    nobody = obj(
        Kind.MONITOR,
        "m3",
        status="enabled",
        cadence={"cron": "0 9 * * 1"},
        behavior={"type": "search", "config": config},
        metadata={},
    )
    # the planner recognises an untagged monitor by cron and query: without a query it cannot
    queryless = obj(
        Kind.MONITOR,
        "m4",
        websetId="w1",
        status="enabled",
        cadence={"cron": "0 9 * * 1"},
        behavior={"type": "search", "config": {"count": 5}},
        metadata={},
    )
    monitors = (theirs, mine, nobody, queryless)
    result = export_state(LiveState((LiveWebset(webset, monitors=monitors),)), "growth")
    assert [m["externalId"] for m in result.websets[0]["monitors"]] == ["weekly", "monitor-1"]
    assert result.notes == (
        "skipped monitor m1 of webset w1: it belongs to project 'sales'",
        "skipped monitor m4 of webset w1: it was not made by websets-sync and a plan cannot "
        "recognise it, so declaring it would create a second one; to manage it, declare a new "
        "monitor and delete this one",
    )


def test_protection_tag_is_exported_as_prevent_destroy() -> None:
    protected = obj(
        Kind.WEBSET,
        "w1",
        externalId="a",
        metadata=tags("growth", **{TAG_PREVENT_DESTROY: "true"}),
    )
    result = export_state(LiveState((LiveWebset(protected),)), "growth")
    assert result.websets == ({"externalId": "a", "preventDestroy": True},)


def test_invalid_native_external_id_is_pinned() -> None:
    webset = obj(Kind.WEBSET, "webset_1", externalId="has spaces/slash", title=None, metadata={})
    result = export_state(LiveState(websets=(LiveWebset(webset),)), "p")
    assert result.websets[0] == {"externalId": "has-spaces-slash", "id": "webset_1"}


def test_other_projects_are_skipped_and_noted() -> None:
    mine = obj(Kind.WEBSET, "w1", externalId="a", metadata=tags("growth"))
    theirs = obj(Kind.WEBSET, "w2", externalId="b", metadata=tags("sales"))
    hook = obj(Kind.WEBHOOK, "h1", url="https://x.example/h", events=[], metadata=tags("sales"))
    result = export_state(LiveState((LiveWebset(mine), LiveWebset(theirs)), (hook,)), "growth")
    assert [w["externalId"] for w in result.websets] == ["a"]
    assert result.webhooks == ()
    assert result.notes == ("skipped 1 webset and 1 webhook of project 'sales'",)
    three = [LiveWebset(obj(Kind.WEBSET, f"x{n}", metadata=tags("research"))) for n in range(3)]
    many = export_state(LiveState((LiveWebset(mine), LiveWebset(theirs), *three)), "growth")
    assert many.notes == (
        "skipped 3 websets of project 'research'",
        "skipped 1 webset of project 'sales'",
    )


def test_infer_project() -> None:
    mine = LiveWebset(obj(Kind.WEBSET, "w1", metadata=tags("growth")))
    untagged = LiveWebset(obj(Kind.WEBSET, "w2", metadata={}))
    assert infer_project(LiveState((mine, untagged))) == "growth"
    assert infer_project(LiveState((untagged,))) is None
    theirs = LiveWebset(obj(Kind.WEBSET, "w3", metadata=tags("sales")))
    with pytest.raises(WebsetsSyncError, match="several projects: growth, sales"):
        infer_project(LiveState((mine, theirs)))


def test_webhooks_never_carry_secrets_and_hide_url_credentials() -> None:
    plain = obj(
        Kind.WEBHOOK,
        "h1",
        url="https://crm.example.com/hook",
        events=["webset.idle", "webset.item.created"],
        secret="whsec_do_not_leak",
        status="active",
        metadata=tags(ext="crm-sync", team="ops"),
    )
    with_credentials = obj(
        Kind.WEBHOOK,
        "h2",
        url="https://user:pw@hooks.example.org/x?token=abc",
        events=["webset.created"],
        secret=None,
        metadata=tags(ext="alerts"),
    )
    result = export_state(LiveState(webhooks=(plain, with_credentials)), "growth")
    assert result.webhooks == (
        {
            "externalId": "crm-sync",
            "url": "https://crm.example.com/hook",
            "events": ["webset.idle", "webset.item.created"],
            "metadata": {"team": "ops"},
        },
        {"externalId": "alerts", "url": "${WEBHOOK_URL_ALERTS}", "events": ["webset.created"]},
    )
    text = render_document(result, SCHEMA)
    for leak in ("whsec_do_not_leak", "pw@", "token=abc"):
        assert leak not in text
    assert result.notes == (
        "webhook/alerts: its URL carries credentials, so it is written as "
        "${WEBHOOK_URL_ALERTS}; set WEBHOOK_URL_ALERTS before validate, plan or apply",
    )


def test_untagged_webhooks_are_not_exported() -> None:
    hook = obj(Kind.WEBHOOK, "h1", url="https://a.example/h", events=["webset.idle"], metadata={})
    result = export_state(LiveState(webhooks=(hook,)), "growth")
    assert result.webhooks == ()
    assert result.notes[0].startswith("skipped webhook h1: it was not made by websets-sync")


def test_literal_dollar_brace_is_escaped_for_interpolation() -> None:
    webset = obj(Kind.WEBSET, "w1", externalId="a", title="Costs in ${USD}", metadata={})
    result = export_state(LiveState((LiveWebset(webset),)), "p")
    assert result.websets[0]["title"] == "Costs in $${USD}"


def test_render_document_is_block_yaml_with_schema_line() -> None:
    result = export_state(LiveState(websets=(managed_webset(),)), "growth")
    text = render_document(result, SCHEMA)
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA}"
    assert "{" not in text and "[" not in text  # block style only
    parsed = yaml.safe_load(text)
    assert list(parsed) == ["version", "project", "websets"]
    assert parsed["websets"] == list(result.websets)
    assert "\n  - externalId: eu-ai\n" in text  # list items indented under their key


def test_render_files_one_per_webset_plus_webhooks() -> None:
    hook = obj(
        Kind.WEBHOOK,
        "h1",
        url="https://a.example/h",
        events=["webset.idle"],
        metadata=tags(ext="a"),
    )
    other = LiveWebset(obj(Kind.WEBSET, "w2", externalId="webhooks", metadata={}))
    live = LiveState((managed_webset(), other), (hook,))
    files = render_files(export_state(live, "growth"), SCHEMA)
    assert sorted(files) == ["eu-ai.yaml", "webhooks-2.yaml", "webhooks.yaml"]
    webhooks = yaml.safe_load(files["webhooks.yaml"])
    assert webhooks == {
        "version": 1,
        "project": "growth",
        "webhooks": [{"externalId": "a", "url": "https://a.example/h", "events": ["webset.idle"]}],
    }
    assert yaml.safe_load(files["webhooks-2.yaml"])["websets"] == [{"externalId": "webhooks"}]
    assert all(text.startswith("# yaml-language-server: $schema=") for text in files.values())


def test_empty_account_exports_an_empty_manifest() -> None:
    result = export_state(LiveState(), "growth")
    assert yaml.safe_load(render_document(result, SCHEMA)) == {"version": 1, "project": "growth"}
    files = render_files(result, SCHEMA)
    assert list(files) == ["websets.yaml"]
    assert yaml.safe_load(files["websets.yaml"]) == {"version": 1, "project": "growth"}


def test_remembered_names_come_from_the_state_file_of_this_project() -> None:
    from websets_sync.export import remembered_names
    from websets_sync.state.store import ResourceState, State

    resources = {
        "webset/leads": ResourceState(id="w1"),
        "webset/leads/enrichment/ceo": ResourceState(id="e1"),
        "webhook/crm": ResourceState(id="h1", secret="whsec_x"),
        "something/else": ResourceState(id="x1"),
    }
    state = State(project="growth", resources=resources)
    assert remembered_names(state, "growth") == {"w1": "leads", "e1": "ceo", "h1": "crm"}
    assert remembered_names(state, "sales") == {}
    assert remembered_names(State(), "growth") == {}


def test_a_remembered_name_wins_over_a_generated_one() -> None:
    webset = obj(Kind.WEBSET, "w1", externalId=None, title="Leads", metadata={})
    hook = obj(Kind.WEBHOOK, "h1", url="https://a.example/h", events=["webset.idle"], metadata={})
    live = LiveState((LiveWebset(webset),), (hook,))
    result = export_state(live, "growth", remembered={"w1": "my-leads", "h1": "crm"})
    assert [(w["externalId"], w["id"]) for w in result.websets] == [("my-leads", "w1")]
    assert [h["externalId"] for h in result.webhooks] == ["crm"]


def test_of_duplicates_the_state_file_choice_wins_else_the_newest() -> None:
    webset = obj(Kind.WEBSET, "w1", externalId="a", metadata=tags("growth"))
    old = obj(Kind.ENRICHMENT, "e1", description="Old", metadata=tags(ext="ceo"))
    new = obj(Kind.ENRICHMENT, "e2", description="New", metadata=tags(ext="ceo"))
    live = LiveState((LiveWebset(webset, enrichments=(old, new)),))
    newest = export_state(live, "growth").websets[0]["enrichments"]
    assert newest == [{"externalId": "ceo", "description": "New"}]
    remembered = export_state(live, "growth", remembered={"e1": "ceo"})
    assert remembered.websets[0]["enrichments"] == [{"externalId": "ceo", "description": "Old"}]

    hooks = tuple(
        obj(Kind.WEBHOOK, f"h{n}", url=f"https://x.example/{n}", events=[], metadata=tags(ext="c"))
        for n in (1, 2)
    )
    assert [h["url"] for h in export_state(LiveState(webhooks=hooks), "growth").webhooks] == [
        "https://x.example/2"
    ]
    chosen = export_state(LiveState(webhooks=hooks), "growth", remembered={"h1": "c"})
    assert [h["url"] for h in chosen.webhooks] == ["https://x.example/1"]


def test_webhook_urls_with_a_token_in_the_path_become_variables() -> None:
    slack = obj(
        Kind.WEBHOOK,
        "h1",
        url="https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX",
        events=["webset.idle"],
        metadata=tags(ext="slack"),
    )
    plain = obj(
        Kind.WEBHOOK, "h2", url="https://example.com/hook", events=[], metadata=tags(ext="p")
    )
    result = export_state(LiveState(webhooks=(slack, plain)), "growth")
    assert [h["url"] for h in result.webhooks] == [
        "${WEBHOOK_URL_SLACK}",
        "https://example.com/hook",
    ]
    assert "XXXXXXXX" not in render_document(result, SCHEMA)


def test_a_project_with_nothing_live_names_the_projects_that_exist() -> None:
    theirs = obj(Kind.WEBSET, "w2", externalId="b", metadata=tags("sales"))
    hook = obj(Kind.WEBHOOK, "h1", url="https://x.example/h", events=[], metadata=tags("research"))
    with pytest.raises(WebsetsSyncError) as raised:
        export_state(LiveState((LiveWebset(theirs),), (hook,)), "nope")
    assert str(raised.value) == (
        "no webset or webhook belongs to project 'nope'; this account has projects: research, sales"
    )
    # an untagged object is this project's to adopt, so that is not an empty export
    untagged = obj(Kind.WEBSET, "w3", externalId=None, title="Dash", metadata={})
    result = export_state(LiveState((LiveWebset(theirs), LiveWebset(untagged))), "nope")
    assert [w["id"] for w in result.websets] == ["w3"]


def test_monitor_enabled_is_written_only_when_false() -> None:
    def exported(status: str) -> dict[str, Any]:
        monitor = obj(
            Kind.MONITOR,
            "m1",
            status=status,
            cadence={"cron": "0 9 * * 1"},
            behavior={"type": "search", "config": {"query": "New", "count": 5}},
            metadata=tags(ext="weekly"),
        )
        webset = obj(Kind.WEBSET, "w1", externalId="a", metadata=tags())
        result = export_state(LiveState((LiveWebset(webset, (), (), (monitor,)),)), "growth")
        return dict(result.websets[0]["monitors"][0])

    assert "enabled" not in exported("enabled")  # the manifest default
    assert exported("disabled")["enabled"] is False
