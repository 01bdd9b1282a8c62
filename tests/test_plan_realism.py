"""The tool against the real API's recorded behaviour (API-NOTES §9), on the emulator that now
answers that way: generated fields that are null at first and filled seconds later, searches
that keep no metadata (so no tags), and monitors the server fills from the webset's last search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apply_support import API_KEY, World, write

from websets_sync.emulator import Emulator, Timing
from websets_sync.plan.types import Action, Plan

MANIFEST = """\
version: 1
project: real
websets:
  - externalId: leads
    searches:
      - externalId: initial
        query: Fintech companies in London
        count: 3
      - externalId: berlin
        query: Fintech companies in Berlin
        count: 2
        behavior: append
        recall: true
    enrichments:
      - externalId: ceo
        description: Name of the CEO
      - externalId: size
        description: Company size
        format: options
        options: [{label: small}, {label: large}]
    monitors:
      - externalId: weekly
        cadence: {cron: '0 9 * * 1'}
        behavior: {type: search, config: {count: 5}}
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def _world(tmp_path: Path) -> tuple[World, Clock, Path]:
    clock = Clock()
    # The recorded pace: titles and criteria after ~1 s, a search ~18 s.
    emulator = Emulator(api_key=API_KEY, clock=clock, timing=Timing.recorded())
    return World(tmp_path, emulator=emulator), clock, write(tmp_path / "m.yaml", MANIFEST)


def _changes(plan: Plan) -> list[tuple[str, str]]:
    return [(str(c.address), c.action.value) for c in plan.changes if c.action is not Action.NOOP]


def _webset(world: World) -> dict[str, Any]:
    [webset] = world.client.iter_websets()
    return webset


def test_apply_then_plan_shows_no_changes_before_and_after_generated_fields_fill_in(
    tmp_path: Path,
) -> None:
    world, clock, path = _world(tmp_path)
    _, result = world.apply([path])
    assert result.ok

    before = _webset(world)
    assert before["title"] is None
    assert [s["criteria"] for s in before["searches"]] == [[], []]
    assert [s["recall"] for s in before["searches"]] == [None, None]
    assert [(e["title"], e["instructions"]) for e in before["enrichments"]] == [(None, None)] * 2
    assert _changes(world.plan([path])) == []

    clock.now += 60
    after = _webset(world)
    assert after["title"] and after["status"] == "idle"
    assert all(s["criteria"] for s in after["searches"])
    assert after["searches"][1]["recall"] is not None
    assert all(e["title"] and e["instructions"] for e in after["enrichments"])
    assert _changes(world.plan([path])) == []


def test_searches_without_tags_are_identified_without_running_again(tmp_path: Path) -> None:
    world, clock, path = _world(tmp_path)
    world.apply([path])
    clock.now += 60
    # The real API answered a search's metadata with {} (R12): no search carries a tag.
    assert [s["metadata"] for s in world.objects("search")] == [{}, {}]

    # The state file names each search...
    assert _changes(world.plan([path])) == []
    # ...and without it, the webset's initial-search tag and the definitions still do.
    world.state_path.unlink()
    assert _changes(world.plan([path])) == []

    world.emulator.clear_log()
    plan = world.plan([path])
    assert not any(c.action is Action.RUN for c in plan.changes)
    assert world.emulator.count("POST") == 0


def test_a_monitor_whose_config_leaves_query_criteria_entity_to_the_server_shows_no_drift(
    tmp_path: Path,
) -> None:
    world, clock, path = _world(tmp_path)
    world.apply([path])
    clock.now += 60
    [monitor] = world.objects("monitor")
    config = monitor["behavior"]["config"]
    # Filled from the webset's last search, as the spec says: values the manifest never declared.
    assert config["query"] == "Fintech companies in Berlin"
    assert config["entity"] == {"type": "company"}
    assert "criteria" in config
    assert _changes(world.plan([path])) == []


def test_after_a_definition_change_a_lost_state_file_runs_nothing_again(tmp_path: Path) -> None:
    world, clock, path = _world(tmp_path)
    world.apply([path])
    clock.now += 60
    write(path, MANIFEST.replace("Fintech companies in London", "Fintech companies in Leeds"))
    _, result = world.apply([path])  # runs a new search for "initial"
    assert result.ok and len(world.objects("search")) == 3
    clock.now += 60
    assert _changes(world.plan([path])) == []

    world.state_path.unlink()
    # The webset's initial-search tag names the old run; the new one is found by definition.
    assert _changes(world.plan([path])) == []


def test_going_back_to_an_earlier_definition_runs_it_again(tmp_path: Path) -> None:
    world, clock, path = _world(tmp_path)
    world.apply([path])
    clock.now += 60
    berlin, munich = "Fintech companies in Berlin", "Fintech companies in Munich"
    write(path, MANIFEST.replace(berlin, munich))
    world.apply([path])
    clock.now += 60
    write(path, MANIFEST)  # back to Berlin: the state file says Munich ran last
    assert _changes(world.plan([path])) == [("webset/leads/search/berlin", "run")]
