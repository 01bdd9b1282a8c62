"""Property: for any manifest applied to an account, followed by any dashboard edits, export
writes manifests that plan with no changes, and exporting again writes the same text."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from websets_sync.apply.runner import apply_plan
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator, Timing
from websets_sync.export import export_state, render_document
from websets_sync.export.fields import escape
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model import TAG_PROJECT
from websets_sync.plan import PlanOptions, build_plan
from websets_sync.state.store import StateStore, load_state

# Text that YAML and the API keep as is; "$" and "{" exercise the ${VAR} escaping.
words = st.text(alphabet="abcxyz ÄéØ-:#'\"$,{}", min_size=2, max_size=30).map(
    lambda t: "w" + t.strip() + "z"
)
names = st.text(alphabet="abcdef0123", min_size=1, max_size=6).map(lambda t: "n" + t)
labels = st.dictionaries(st.sampled_from(["owner", "team", "cost"]), words, max_size=2)


@st.composite
def entity(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["company", "person", "article", "custom"]))
    return {"type": kind, "description": draw(words)} if kind == "custom" else {"type": kind}


@st.composite
def search(draw: st.DrawFn, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"externalId": name, "query": draw(words)}
    if draw(st.booleans()):
        spec["count"] = draw(st.sampled_from([1, 10, 25]))
    if draw(st.booleans()):
        spec["entity"] = draw(entity())
    if draw(st.booleans()):
        spec["criteria"] = [
            {"description": d} for d in draw(st.lists(words, min_size=1, max_size=3))
        ]
    return spec


@st.composite
def enrichment(draw: st.DrawFn, name: str) -> dict[str, Any]:
    fmt = draw(st.sampled_from([None, "text", "number", "options", "url"]))
    spec: dict[str, Any] = {"externalId": name, "description": draw(words)}
    if fmt is not None:
        spec["format"] = fmt
    if fmt == "options":
        spec["options"] = [
            {"label": label} for label in draw(st.lists(words, min_size=1, max_size=3, unique=True))
        ]
    if draw(st.booleans()):
        spec["metadata"] = draw(labels)
    return spec


@st.composite
def monitor(draw: st.DrawFn, name: str) -> dict[str, Any]:
    config: dict[str, Any] = {"count": draw(st.sampled_from([5, 10]))}
    if draw(st.booleans()):
        config["query"] = draw(words)
    if draw(st.booleans()):
        config["behavior"] = draw(st.sampled_from(["append", "override"]))
    cadence: dict[str, Any] = {"cron": draw(st.sampled_from(["0 9 * * 1", "30 6 1 * *"]))}
    if draw(st.booleans()):
        cadence["timezone"] = draw(st.sampled_from(["Etc/UTC", "Europe/Berlin"]))
    spec = {
        "externalId": name,
        "cadence": cadence,
        "behavior": {"type": "search", "config": config},
    }
    if draw(st.booleans()):
        spec["enabled"] = draw(st.booleans())
    return spec


@st.composite
def manifest(draw: st.DrawFn) -> dict[str, Any]:
    websets = []
    for ext in draw(st.lists(names, min_size=1, max_size=2, unique=True)):
        webset: dict[str, Any] = {"externalId": ext}
        if draw(st.booleans()):
            webset["title"] = draw(words)
        if draw(st.booleans()):
            webset["metadata"] = draw(labels)
        children = draw(st.lists(names, min_size=1, max_size=5, unique=True))
        webset["searches"] = [draw(search(n)) for n in children[:2]]
        webset["enrichments"] = [draw(enrichment(n)) for n in children[2:4]]
        webset["monitors"] = [draw(monitor(n)) for n in children[4:]]
        websets.append(webset)
    hooks = [
        {
            "externalId": name,
            "url": f"https://hooks.example.com/{name}",
            "events": draw(
                st.lists(
                    st.sampled_from(["webset.idle", "webset.created"]), min_size=1, unique=True
                )
            ),
        }
        for name in draw(st.lists(names, max_size=2, unique=True))
    ]
    return {"version": 1, "project": "prop", "websets": websets, "webhooks": hooks}


# Dashboard edits of live objects: (kind, field, value maker).
EDITS = st.lists(
    st.tuples(
        st.sampled_from(
            ["webset.title", "enrichment.description", "monitor.status", "webhook.url"]
        ),
        words,
    ),
    max_size=3,
)


def edit(emulator: Emulator, target: str, value: str) -> None:
    kind, field = target.split(".")
    objects = [
        o
        for o in emulator.store.all(kind)
        if o.get("metadata", {}).get(TAG_PROJECT) == "prop" or kind != "webset"
    ]
    if not objects:
        return
    obj = objects[0]
    if field == "status":
        emulator.edit(
            kind, obj["id"], {"status": "disabled" if obj["status"] == "enabled" else "enabled"}
        )
    elif field == "url":
        emulator.edit(kind, obj["id"], {"url": "https://edited.example.com/" + str(len(value))})
    else:
        emulator.edit(kind, obj["id"], {field: value + " ${NOT_A_VAR}"})


# Children made in the dashboard (no tags) on the first webset: enrichments and monitors.
DASHBOARD_CHILDREN = st.lists(
    st.tuples(st.sampled_from(["enrichment", "monitor", "queryless monitor"]), words), max_size=3
)


def seed_dashboard_child(emulator: Emulator, kind: str, value: str) -> None:
    webset = emulator.store.all("webset")[0]["id"]
    if kind == "enrichment":
        emulator.seed("enrichment", {"websetId": webset, "description": value})
    else:
        config = {"count": 3} if kind == "queryless monitor" else {"query": value, "count": 3}
        behavior = {"type": "search", "config": config}
        cadence = {"cron": "0 7 * * *", "timezone": "Etc/UTC"}
        monitor = {"websetId": webset, "cadence": cadence, "behavior": behavior}
        emulator.seed("monitor", {**monitor, "status": "enabled", "nextRunAt": None})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest(), EDITS, DASHBOARD_CHILDREN)
def test_export_after_any_apply_and_edits_plans_no_changes(
    document: dict[str, Any], edits: list[tuple[str, str]], dashboard: list[tuple[str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        emulator = Emulator(
            timing=Timing(search_seconds=0.0, enrichment_seconds=0.0, generate_seconds=0.0)
        )
        client = WebsetsClient(
            httpx.Client(transport=emulator.transport()),
            api_key="k",
            api_url="http://emulator.local/websets/v0",
            rate_limit=None,
        )
        source = folder / "in" / "m.yaml"
        source.parent.mkdir()
        source.write_text(yaml.safe_dump(escape(document), sort_keys=False))
        desired, _ = load_desired_state([source.parent], {})
        plan = build_plan(desired, fetch_live_state(client), None, PlanOptions())
        with StateStore(folder / "state.json", "prop") as store:
            assert apply_plan(plan, client, store).ok
        for target, value in edits:
            edit(emulator, target, value)
        for kind, value in dashboard:
            seed_dashboard_child(emulator, kind, value)

        live = fetch_live_state(client)
        text = render_document(export_state(live, "prop"), "schema.json")
        exported = folder / "out" / "m.yaml"
        exported.parent.mkdir()
        exported.write_text(text)
        again, _ = load_desired_state([exported.parent], {})
        state = load_state(folder / "state.json", project="prop")
        replan = build_plan(again, fetch_live_state(client), state, PlanOptions())
        changes = [(str(c.address), c.action.value) for c in replan.changes]
        # dashboard children are adopted (tagged), nothing else changes
        assert {a for _, a in changes if a != "no-op"} <= {"adopt"}, replan.changes
        # ...except monitors without a query, which no plan could recognise: not exported
        adoptable = [kind for kind, _ in dashboard if kind != "queryless monitor"]
        assert len([a for _, a in changes if a == "adopt"]) == len(adoptable)
        with StateStore(folder / "state.json", "prop") as store:
            assert apply_plan(replan, client, store).ok
        final = build_plan(again, fetch_live_state(client), state, PlanOptions())
        assert not final.has_changes
        again_text = render_document(export_state(fetch_live_state(client), "prop"), "schema.json")
        assert again_text == text
