"""Adopting a dashboard webset adopts its matching untagged children instead of duplicating them."""

from __future__ import annotations

from pathlib import Path

from apply_support import World, write

from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT
from websets_sync.plan.types import Action

MANIFEST = """\
version: 1
project: growth
websets:
  - externalId: eu-ai
    searches:
      - {externalId: initial, query: AI startups in Europe, count: 20}
    enrichments:
      - {externalId: ceo, description: Name of the CEO, format: text}
      - {externalId: funding, description: Total funding raised, format: number}
    monitors:
      - externalId: weekly
        cadence: {cron: "0 9 * * 1"}
        behavior: {type: search, config: {query: New AI startups in Europe, count: 10}}
"""


def seed_dashboard_webset(world: World) -> str:
    webset = world.emulator.seed("webset", {"externalId": "eu-ai", "title": "EU AI"})
    ws = str(webset["id"])
    world.emulator.seed("search", {"websetId": ws, "query": "AI startups in Europe", "count": 20})
    world.emulator.seed("enrichment", {"websetId": ws, "description": " Name of the CEO "})
    world.emulator.seed(
        "enrichment", {"websetId": ws, "description": "Total funding raised", "format": "text"}
    )
    world.emulator.seed(
        "enrichment", {"websetId": ws, "description": "Unrelated, made by hand", "format": "url"}
    )
    cadence = {"cron": "0 9 * * 1", "timezone": "Etc/UTC"}
    config = {"query": "New AI startups in Europe", "count": 10, "behavior": "append"}
    world.emulator.seed(
        "monitor",
        {"websetId": ws, "cadence": cadence, "behavior": {"type": "search", "config": config}},
    )
    return ws


def test_adoption_tags_matching_children_and_creates_nothing(tmp_path: Path) -> None:
    world = World(tmp_path)
    ws = seed_dashboard_webset(world)
    paths = [write(tmp_path / "m.yaml", MANIFEST)]
    plan = world.plan(paths)
    actions = {str(c.address): c.action for c in plan.changes}
    assert actions == {
        "webset/eu-ai": Action.ADOPT,
        "webset/eu-ai/search/initial": Action.NOOP,
        "webset/eu-ai/enrichment/ceo": Action.ADOPT,
        "webset/eu-ai/enrichment/funding": Action.ADOPT,
        "webset/eu-ai/monitor/weekly": Action.ADOPT,
    }
    world.emulator.clear_log()

    assert world.execute(plan).ok

    # One webset update, two enrichment PATCHes confirmed by one re-read, one monitor PATCH.
    assert sorted(world.requests()) == sorted(
        [f"POST /websets/{ws}", f"GET /websets/{ws}", "PATCH /monitors/" + _monitor_id(world)]
        + [f"PATCH /websets/{ws}/enrichments/{e['id']}" for e in _declared_enrichments(world)]
    )
    enrichments = world.objects("enrichment")
    assert len(enrichments) == 3 and len(world.objects("monitor")) == 1
    tags = sorted(str(e["metadata"].get(TAG_EXTERNAL_ID)) for e in enrichments)
    assert tags == ["None", "ceo", "funding"]  # the unrelated one is left alone, untagged
    assert all(e["metadata"].get(TAG_PROJECT) in ("growth", None) for e in enrichments)
    assert not world.plan(paths).has_changes


def _monitor_id(world: World) -> str:
    return str(world.objects("monitor")[0]["id"])


def _declared_enrichments(world: World) -> list[dict[str, object]]:
    return [e for e in world.objects("enrichment") if e["description"] != "Unrelated, made by hand"]
