"""Property: whatever is declared, apply followed by plan shows no changes (no phantom drift),
and every declared address appears exactly once in each plan."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from websets_sync.apply.runner import apply_plan
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.fetch import fetch_live_state
from websets_sync.model import Address, DesiredResource, DesiredState, DesiredWebset, Kind
from websets_sync.plan import Action, PlanOptions, build_plan
from websets_sync.state.store import StateStore

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=24).map(
    lambda s: s.strip() or "abc"
)
ENTITY = st.sampled_from(["company", "person", "article", "research_paper"]).map(
    lambda t: {"type": t}
)
CRITERIA = st.lists(WORDS.map(lambda d: {"description": d}), min_size=1, max_size=3)
METADATA = st.dictionaries(st.sampled_from(["owner", "team", "cost-center"]), WORDS, max_size=2)
EVENTS = ["webset.idle", "webset.item.created", "webset.created", "monitor.run.completed"]
CRONS = ["0 9 * * 1", "30 6 * * *", "0 8 1 * *", "15 12 * * 1-5"]


def optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


def search_spec(first: bool) -> st.SearchStrategy[dict[str, Any]]:
    extra: dict[str, st.SearchStrategy[Any]] = {
        "count": st.integers(1, 30),
        "entity": ENTITY,
        "criteria": CRITERIA,
        "recall": st.booleans(),
    }
    if not first:
        extra["behavior"] = st.sampled_from(["override", "append"])
    return st.tuples(WORDS, optional(**extra)).map(lambda t: {"query": t[0], **t[1]})


ENRICHMENT = st.one_of(
    st.tuples(WORDS, optional(format=st.sampled_from(["text", "number", "date", "url"]))).map(
        lambda t: {"description": t[0], **t[1]}
    ),
    st.tuples(WORDS, st.lists(WORDS, min_size=1, max_size=3, unique=True)).map(
        lambda t: {
            "description": t[0],
            "format": "options",
            "options": [{"label": label} for label in t[1]],
        }
    ),
)
MONITOR = st.tuples(
    st.sampled_from(CRONS),
    optional(timezone=st.sampled_from(["Etc/UTC", "Europe/Berlin", "America/New_York"])),
    st.integers(1, 20),
    optional(query=WORDS, behavior=st.sampled_from(["append", "override"]), entity=ENTITY),
    optional(metadata=METADATA),
    st.sampled_from(["enabled", "disabled"]),
).map(
    lambda t: {
        "cadence": {"cron": t[0], **t[1]},
        "behavior": {"type": "search", "config": {"count": t[2], **t[3]}},
        "status": t[5],
        **t[4],
    }
)


@st.composite
def webset(draw: st.DrawFn, name: str) -> DesiredWebset:
    spec = draw(optional(title=WORDS, metadata=METADATA))
    searches = tuple(
        DesiredResource(Address.for_child(Kind.SEARCH, name, f"s{i}"), draw(search_spec(i == 0)))
        for i in range(draw(st.integers(0, 2)))
    )
    enrichments = tuple(
        DesiredResource(Address.for_child(Kind.ENRICHMENT, name, f"e{i}"), draw(ENRICHMENT))
        for i in range(draw(st.integers(0, 2)))
    )
    monitors = tuple(
        DesiredResource(Address.for_child(Kind.MONITOR, name, f"m{i}"), draw(MONITOR))
        for i in range(draw(st.integers(0, 1)))
    )
    return DesiredWebset(
        Address.for_webset(name),
        spec,
        searches=searches,
        enrichments=enrichments,
        monitors=monitors,
    )


@st.composite
def desired_state(draw: st.DrawFn) -> DesiredState:
    websets = tuple(draw(webset(f"w{i}")) for i in range(draw(st.integers(1, 2))))
    webhooks = tuple(
        DesiredResource(
            Address.for_webhook(f"h{i}"),
            {
                "url": f"https://hooks.example.com/{i}",
                "events": draw(st.lists(st.sampled_from(EVENTS), min_size=1, unique=True)),
                **draw(optional(metadata=METADATA)),
            },
        )
        for i in range(draw(st.integers(0, 2)))
    )
    return DesiredState("prop", websets, webhooks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desired_state())
def test_apply_then_plan_has_no_changes(desired: DesiredState) -> None:
    emulator = Emulator()
    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key="k",
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    declared = sorted(map(str, desired.addresses()))
    with (
        tempfile.TemporaryDirectory() as folder,
        StateStore(Path(folder) / "state.json", desired.project) as store,
    ):
        first = build_plan(desired, fetch_live_state(client), store.state, PlanOptions())
        assert sorted(str(c.address) for c in first.changes) == declared
        result = apply_plan(first, client, store)
        assert result.ok, [r.message for r in result.results if r.message]
        second = build_plan(desired, fetch_live_state(client), store.state, PlanOptions())
    assert sorted(str(c.address) for c in second.changes) == declared
    drift = [(str(c.address), c.fields) for c in second.changes if c.action is not Action.NOOP]
    assert drift == []
    assert second.warnings == ()


def _edits(kind: Kind, data: dict[str, Any], spec: Any) -> list[dict[str, Any]]:
    """Dashboard edits of one declared field each (an undeclared title is the server's)."""
    metadata = dict(data.get("metadata") or {})
    if kind is Kind.WEBSET:
        edits = [{"metadata": {**metadata, "owner": "someone else"}}]
        return edits + ([{"title": "edited title"}] if "title" in spec else [])
    if kind is Kind.ENRICHMENT:
        return [{"description": "edited description"}, {"metadata": {**metadata, "x": "y"}}]
    if kind is Kind.MONITOR:
        config = dict(data["behavior"]["config"])
        config["count"] = int(config["count"]) + 1
        return [
            {"cadence": {**data["cadence"], "cron": "45 7 * * *"}},
            {"status": "enabled" if data["status"] == "disabled" else "disabled"},
            {"behavior": {**data["behavior"], "config": config}},
        ]
    return [{"url": "https://hooks.example.com/edited"}, {"events": ["webset.deleted"]}]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desired_state(), st.data())
def test_any_dashboard_edit_is_planned_as_an_update(
    desired: DesiredState, data: st.DataObject
) -> None:
    emulator = Emulator()
    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key="k",
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        StateStore(Path(folder) / "state.json", desired.project) as store,
    ):
        first = build_plan(desired, fetch_live_state(client), store.state, PlanOptions())
        assert apply_plan(first, client, store).ok
        applied = build_plan(desired, fetch_live_state(client), store.state, PlanOptions())
        candidates = [
            c for c in applied.changes if c.kind is not Kind.SEARCH and c.live is not None
        ]
        target = data.draw(st.sampled_from(candidates))
        assert target.live is not None and target.desired is not None
        edits = _edits(target.kind, dict(target.live.data), target.desired.spec)
        edit = data.draw(st.sampled_from(edits))
        emulator.edit(target.kind.value, target.live.id, edit)
        second = build_plan(desired, fetch_live_state(client), store.state, PlanOptions())
    changed = [c for c in second.changes if c.action is not Action.NOOP]
    assert [(c.address, c.action) for c in changed] == [(target.address, Action.UPDATE)]
    assert changed[0].fields
