"""build_plan on hand-built desired and live state (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from websets_sync.errors import PlanError
from websets_sync.model import (
    TAG_EXTERNAL_ID,
    TAG_INITIAL_SEARCH,
    TAG_PROJECT,
    Address,
    DesiredResource,
    DesiredState,
    DesiredWebset,
    Kind,
    LiveObject,
    LiveState,
    LiveWebset,
)
from websets_sync.plan import Action, FieldChange, Plan, PlanOptions, build_plan
from websets_sync.plan.types import Per, Usage
from websets_sync.state.store import ResourceState, State

P = "growth"


def search(ws: str, name: str, **spec: Any) -> DesiredResource:
    return DesiredResource(Address.for_child(Kind.SEARCH, ws, name), spec)


def enrichment(ws: str, name: str, **spec: Any) -> DesiredResource:
    return DesiredResource(Address.for_child(Kind.ENRICHMENT, ws, name), spec)


def monitor(
    ws: str, name: str, cron: str = "0 9 * * 1", status: str = "enabled"
) -> DesiredResource:
    spec = {
        "cadence": {"cron": cron},
        "behavior": {"type": "search", "config": {"count": 5}},
        "status": status,
    }
    return DesiredResource(Address.for_child(Kind.MONITOR, ws, name), spec)


def webhook(name: str, url: str = "https://hooks.example.com/x") -> DesiredResource:
    return DesiredResource(Address.for_webhook(name), {"url": url, "events": ["webset.idle"]})


def desired_webset(ext: str = "leads", **kwargs: Any) -> DesiredWebset:
    spec = kwargs.pop("spec", {"title": "Leads"})
    return DesiredWebset(Address.for_webset(ext), spec, **kwargs)


def full_desired() -> DesiredWebset:
    return desired_webset(
        searches=(search("leads", "initial", query="AI startups", count=50),),
        enrichments=(enrichment("leads", "ceo", description="CEO name"),),
        monitors=(monitor("leads", "weekly"),),
    )


def tags(ext: str | None = None, project: str = P) -> dict[str, str]:
    result = {TAG_PROJECT: project}
    if ext is not None:
        result[TAG_EXTERNAL_ID] = ext
    return result


def live_search(sid: str, query: str, found: int = 0, count: int = 50, **data: Any) -> LiveObject:
    body = {
        "id": sid,
        "query": query,
        "count": count,
        "behavior": "override",
        "entity": {"type": "company"},
        "criteria": [{"description": "generated", "successRate": 50}],
        "progress": {"found": found, "completion": 100},
        "status": "completed",
        **data,
    }
    return LiveObject(Kind.SEARCH, sid, body)


def live_full(found: int = 30, project: str | None = P, **overrides: Any) -> LiveWebset:
    metadata = {TAG_PROJECT: project, TAG_INITIAL_SEARCH: "initial"} if project else {}
    webset = {"id": "ws_1", "externalId": "leads", "title": "Leads", "metadata": metadata}
    webset.update(overrides.pop("webset", {}))
    enr = {"id": "en_1", "description": "CEO name", "format": "text", "metadata": tags("ceo")}
    enr.update(overrides.pop("enrichment", {}))
    mon = {
        "id": "mo_1",
        "status": "enabled",
        "cadence": {"cron": "0 9 * * 1", "timezone": "Etc/UTC"},
        "behavior": {"type": "search", "config": {"count": 5, "query": "q"}},
        "metadata": tags("weekly"),
    }
    mon.update(overrides.pop("monitor", {}))
    return LiveWebset(
        LiveObject(Kind.WEBSET, "ws_1", webset),
        searches=overrides.pop("searches", (live_search("se_1", "AI startups", found),)),
        enrichments=(LiveObject(Kind.ENRICHMENT, "en_1", enr),),
        monitors=(LiveObject(Kind.MONITOR, "mo_1", mon),),
    )


def plan(
    websets: tuple[DesiredWebset, ...] = (),
    live_websets: tuple[LiveWebset, ...] = (),
    *,
    webhooks: tuple[DesiredResource, ...] = (),
    live_webhooks: tuple[LiveObject, ...] = (),
    state: State | None = None,
    **options: Any,
) -> Plan:
    desired = DesiredState(P, websets, webhooks)
    live = LiveState(live_websets, live_webhooks)
    return build_plan(desired, live, state, PlanOptions(**options))


def actions(result: Plan) -> list[tuple[str, str]]:
    return [(str(c.address), c.action.value) for c in result.changes]


def test_empty_account_creates_everything_top_down() -> None:
    result = plan((full_desired(),), webhooks=(webhook("crm"),))
    assert actions(result) == [
        ("webset/leads", "create"),
        ("webset/leads/search/initial", "run"),
        ("webset/leads/enrichment/ceo", "create"),
        ("webset/leads/monitor/weekly", "create"),
        ("webhook/crm", "create"),
    ]
    webset, first, enr, mon, _ = result.changes
    assert webset.paid and not webset.destructive
    assert webset.fields == (FieldChange("title", None, "Leads"),)
    assert first.inline and first.paid and first.estimated_items == 50
    assert enr.inline and not enr.paid
    assert not mon.inline
    assert result.summary["create"] == 4 and result.summary["run"] == 1
    assert result.warnings == ()


def test_matching_live_state_is_all_no_ops() -> None:
    result = plan((full_desired(),), (live_full(),))
    assert {c.action for c in result.changes} == {Action.NOOP}
    assert len(result.changes) == 4
    assert not result.has_changes
    assert all(c.reason for c in result.changes)


def test_drift_in_each_child_kind_is_an_update() -> None:
    live = live_full(
        enrichment={"description": "CTO name"},
        monitor={"cadence": {"cron": "0 9 * * 2"}, "status": "disabled"},
        webset={"title": "Old", "metadata": {TAG_PROJECT: P, "owner": "x"}},
    )
    result = plan((full_desired(),), (live,))
    by_address = {str(c.address): c for c in result.changes}
    assert by_address["webset/leads"].fields == (
        FieldChange("title", "Old", "Leads"),
        FieldChange("metadata", {"owner": "x"}, None),
    )
    enr = by_address["webset/leads/enrichment/ceo"]
    assert enr.action is Action.UPDATE
    assert enr.paid and enr.estimated_items == 30
    mon = by_address["webset/leads/monitor/weekly"]
    assert mon.fields == (
        FieldChange("cadence.cron", "0 9 * * 2", "0 9 * * 1"),
        FieldChange("status", "disabled", "enabled"),
    )
    # Enabling a monitor raises its spend from nothing to a weekly run of 5 items (4.35 runs a
    # month, rounded up), each enriched once: paid, per month (DESIGN §12).
    assert mon.paid and mon.usage == Usage(22, 22, Per.MONTH)


def test_changed_search_definition_runs_a_new_search() -> None:
    desired = desired_webset(searches=(search("leads", "initial", query="EU AI", count=50),))
    live = live_full()
    result = plan((desired,), (live,))
    run = result.changes[1]
    assert run.action is Action.RUN
    assert run.id == "se_1"
    assert run.fields == (FieldChange("query", "AI startups", "EU AI"),)
    assert run.paid and run.destructive and "override may discard" in run.reason
    assert run.webset_id == "ws_1" and not run.inline


def test_append_search_is_not_destructive_and_newest_tagged_search_wins() -> None:
    newer = live_search("se_2", "EU AI", metadata=tags("initial"), behavior="append")
    desired = desired_webset(
        searches=(search("leads", "initial", query="EU AI", count=50, behavior="append"),)
    )
    result = plan((desired,), (live_full(searches=(live_search("se_1", "old", 5), newer)),))
    assert result.changes[1].action is Action.NOOP
    assert result.changes[1].id == "se_2"
    desired2 = desired_webset(
        searches=(search("leads", "initial", query="EU AI 2", count=50, behavior="append"),)
    )
    run = plan((desired2,), (live_full(searches=(newer,)),)).changes[1]
    assert run.action is Action.RUN and not run.destructive


def test_removed_search_is_history_no_op() -> None:
    desired = desired_webset(searches=())
    result = plan((desired,), (live_full(),))
    history = result.changes[1]
    assert (str(history.address), history.action) == ("webset/leads/search/initial", Action.NOOP)
    assert "history" in history.reason


def test_adopting_an_untagged_webset_matches_untagged_equal_search() -> None:
    live = live_full(project=None)
    desired = desired_webset(searches=(search("leads", "s", query="AI startups", count=50),))
    result = plan((desired,), (live,))
    assert actions(result) == [("webset/leads", "adopt"), ("webset/leads/search/s", "no-op")]
    assert result.changes[1].id == "se_1"


def test_webset_of_another_project_is_an_error() -> None:
    with pytest.raises(PlanError, match="managed by project 'other', not 'growth'"):
        plan((full_desired(),), (live_full(project="other"),))


def test_undeclared_managed_objects_are_skipped_without_allow_delete() -> None:
    result = plan(
        (desired_webset(searches=(search("leads", "initial", query="AI startups", count=50),)),),
        (live_full(),),
    )
    assert [(str(s.address), s.action.value) for s in result.skipped] == [
        ("webset/leads/enrichment/ceo", "delete"),
        ("webset/leads/monitor/weekly", "delete"),
    ]
    assert "--allow-delete" in result.skipped[0].reason
    assert not result.has_changes


def test_deletes_are_bottom_up_and_webset_delete_carries_children() -> None:
    other = LiveWebset(
        LiveObject(Kind.WEBSET, "ws_9", {"id": "ws_9", "externalId": "old", "metadata": tags()}),
        searches=(live_search("se_9", "q", found=7),),
    )
    unmanaged = LiveWebset(LiveObject(Kind.WEBSET, "ws_8", {"id": "ws_8", "externalId": "x"}))
    live_hook = LiveObject(Kind.WEBHOOK, "wh_1", {"id": "wh_1", "metadata": tags("gone")})
    result = plan(
        (), (live_full(), other, unmanaged), live_webhooks=(live_hook,), allow_delete=True
    )
    assert actions(result) == [
        ("webhook/gone", "delete"),
        ("webset/old", "delete"),
        ("webset/leads", "delete"),
    ]
    assert all(c.destructive for c in result.changes)
    assert "7 items" in result.changes[1].reason


def test_prevent_destroy_remembered_in_state_blocks_deletion() -> None:
    state = State(resources={"webset/leads": ResourceState("ws_1", prevent_destroy=True)})
    with pytest.raises(PlanError, match="protected by preventDestroy") as info:
        plan((), (live_full(),), state=state, allow_delete=True)
    assert "preventDestroy: false" in str(info.value.detail)
    skipped = plan((), (live_full(),), state=state).skipped
    assert "protected by preventDestroy" in skipped[0].reason


def test_webhook_without_known_secret_warns_and_replace_is_destructive() -> None:
    live_hook = LiveObject(
        Kind.WEBHOOK,
        "wh_1",
        {
            "id": "wh_1",
            "url": "https://hooks.example.com/x",
            "events": ["webset.idle"],
            "metadata": tags("crm"),
        },
    )
    result = plan(webhooks=(webhook("crm"),), live_webhooks=(live_hook,))
    assert result.changes[0].action is Action.NOOP
    assert result.warnings == (
        "webhook/crm has no known signing secret in the state file; "
        "to get a new one, plan with --replace webhook/crm",
    )
    state = State(resources={"webhook/crm": ResourceState("wh_1", secret="s3cret")})
    assert plan(webhooks=(webhook("crm"),), live_webhooks=(live_hook,), state=state).warnings == ()
    replaced = plan(
        webhooks=(webhook("crm"),),
        live_webhooks=(live_hook,),
        replace=(Address.for_webhook("crm"),),
    )
    assert replaced.changes[0].action is Action.REPLACE and replaced.changes[0].destructive
    assert replaced.warnings == ()


def test_replace_of_anything_but_a_declared_webhook_is_an_error() -> None:
    with pytest.raises(PlanError, match="only to declared webhooks"):
        plan((full_desired(),), replace=(Address.for_webset("leads"),))


def test_target_includes_children_and_rejects_unknown() -> None:
    result = plan(
        (full_desired(), desired_webset("other")),
        webhooks=(webhook("crm"),),
        targets=(Address.for_webset("leads"),),
    )
    assert [str(c.address) for c in result.changes][0] == "webset/leads"
    assert len(result.changes) == 4
    with pytest.raises(PlanError, match="matches nothing"):
        plan((full_desired(),), targets=(Address.for_webset("nope"),))


def test_child_target_of_a_new_webset_brings_the_parent_create() -> None:
    target = Address.for_child(Kind.MONITOR, "leads", "weekly")
    result = plan((full_desired(),), targets=(target,))
    assert actions(result) == [
        ("webset/leads", "create"),
        ("webset/leads/search/initial", "run"),
        ("webset/leads/enrichment/ceo", "create"),
        ("webset/leads/monitor/weekly", "create"),
    ]
    assert "does not exist yet" in result.warnings[0]


def test_inline_search_behavior_is_not_compared() -> None:
    desired = desired_webset(
        searches=(search("leads", "initial", query="AI startups", count=50, behavior="append"),)
    )
    assert not plan((desired,), (live_full(),)).has_changes


def test_fingerprints_ignore_progress() -> None:
    first = plan((full_desired(),), (live_full(found=3),))
    second = plan((full_desired(),), (live_full(found=30),))
    assert first.live_fingerprints == second.live_fingerprints
    assert set(first.live_fingerprints) == {"ws_1", "se_1", "en_1", "mo_1"}
    third = plan((full_desired(),), (live_full(enrichment={"description": "x"}),))
    assert third.live_fingerprints["en_1"] != first.live_fingerprints["en_1"]
