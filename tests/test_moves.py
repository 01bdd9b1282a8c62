"""moved blocks (DESIGN §11, issue 13): renaming every kind re-tags in place; nothing is created,
run or deleted, a webhook keeps its secret, and the plan stays empty with and without the block."""

from __future__ import annotations

from pathlib import Path

import pytest
from apply_support import World, write

from websets_sync.apply.steps import plan_steps, request_steps
from websets_sync.errors import ManifestError, PlanError
from websets_sync.export import export_state
from websets_sync.fetch import fetch_live_state
from websets_sync.model import (
    TAG_ALIAS,
    TAG_EXTERNAL_ID,
    TAG_INITIAL_SEARCH,
    TAG_PROJECT,
    Address,
)
from websets_sync.plan import Action, PlanOptions
from websets_sync.state.store import load_state

BEFORE = """\
version: 1
project: growth
websets:
  - externalId: eu-ai
    title: EU AI startups
    metadata: {owner: growth}
    preventDestroy: true
    searches:
      - externalId: initial
        query: AI startups in Europe
        count: 20
      - externalId: nordics
        query: AI startups in the Nordics
        count: 5
    enrichments:
      - externalId: ceo
        description: Name of the CEO
    monitors:
      - externalId: weekly
        cadence: {cron: "0 9 * * 1"}
        behavior: {type: search, config: {query: New EU AI startups, count: 5}}
webhooks:
  - externalId: crm
    url: https://hooks.example.com/crm
    events: [webset.idle]
"""

MOVED = """\
moved:
  - from: webset/eu-ai
    to: webset/eu-ai-startups
  - from: webset/eu-ai/search/initial
    to: webset/eu-ai-startups/search/first-pass
  - from: webset/eu-ai/search/nordics
    to: webset/eu-ai-startups/search/north
  - from: webset/eu-ai/enrichment/ceo
    to: webset/eu-ai-startups/enrichment/chief-executive
  - from: webset/eu-ai/monitor/weekly
    to: webset/eu-ai-startups/monitor/mondays
  - from: webhook/crm
    to: webhook/crm-sync
"""


def renamed(text: str = BEFORE) -> str:
    for old, new in (
        ("externalId: eu-ai\n", "externalId: eu-ai-startups\n"),
        ("externalId: initial", "externalId: first-pass"),
        ("externalId: nordics", "externalId: north"),
        ("externalId: ceo", "externalId: chief-executive"),
        ("externalId: weekly", "externalId: mondays"),
        ("externalId: crm", "externalId: crm-sync"),
    ):
        text = text.replace(old, new)
    return text


def applied_world(tmp_path: Path) -> World:
    world = World(tmp_path)
    _, result = world.apply([write(tmp_path / "m" / "before.yaml", BEFORE)], parallelism=1)
    assert result.ok, result
    return world


def test_renaming_every_kind_only_retags_and_keeps_the_secret(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    before = load_state(world.state_path)
    ids = {address: entry.id for address, entry in before.resources.items()}
    secret = before.resources["webhook/crm"].secret
    assert secret
    manifest = write(tmp_path / "m" / "after.yaml", renamed() + MOVED)
    world.emulator.clear_log()

    plan, result = world.apply([manifest], parallelism=1)

    assert result.ok, result
    assert plan.summary["move"] == 6
    assert sorted(str(r.address) for r in result.results if r.action is Action.MOVE) == sorted(
        str(c.address) for c in plan.changes if c.action is Action.MOVE
    )
    assert {c.action for c in plan.changes if c.action is not Action.NOOP} == {Action.MOVE}
    assert not any(c.paid for c in plan.changes)
    webset, enrichment, monitor, webhook = (
        ids["webset/eu-ai"],
        ids["webset/eu-ai/enrichment/ceo"],
        ids["webset/eu-ai/monitor/weekly"],
        ids["webhook/crm"],
    )
    # Only metadata re-tags: no create, no search run, no delete.
    assert world.mutations() == [
        f"POST /websets/{webset}",
        f"PATCH /websets/{webset}/enrichments/{enrichment}",
        f"PATCH /monitors/{monitor}",
        f"PATCH /webhooks/{webhook}",
    ]
    assert world.requests()[-2:] == [
        f"GET /websets/{webset}",  # confirms the enrichment's empty PATCH answer
        f"PATCH /webhooks/{webhook}",
    ]
    after = load_state(world.state_path)
    assert sorted(after.resources) == [
        "webhook/crm-sync",
        "webset/eu-ai-startups",
        "webset/eu-ai-startups/enrichment/chief-executive",
        "webset/eu-ai-startups/monitor/mondays",
        "webset/eu-ai-startups/search/first-pass",
        "webset/eu-ai-startups/search/north",
    ]
    assert after.resources["webhook/crm-sync"].secret == secret
    assert after.resources["webhook/crm-sync"].id == webhook
    assert after.resources["webset/eu-ai-startups"].prevent_destroy
    assert (
        after.resources["webset/eu-ai-startups/search/north"].id
        == (ids["webset/eu-ai/search/nordics"])
    )
    live = next(w for w in world.emulator.store.all("webset") if w["id"] == webset)
    assert live["externalId"] == "eu-ai"  # the API cannot change it
    assert live["metadata"][TAG_ALIAS] == "eu-ai-startups"
    assert live["metadata"][TAG_INITIAL_SEARCH] == "first-pass"
    assert live["metadata"]["owner"] == "growth"

    # Empty afterwards, with the moved block and without it.
    assert not world.plan([manifest]).has_changes
    without = write(tmp_path / "m" / "after.yaml", renamed())
    plan = world.plan([without], PlanOptions(allow_delete=True))
    assert not plan.has_changes and not plan.skipped and not plan.warnings


def test_a_moved_object_whose_definition_changed_shows_move_then_update(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    text = renamed().replace("Name of the CEO", "Full name of the CEO")
    text = text.replace("count: 5\n    enrichments", "count: 7\n    enrichments")
    plan = world.plan([write(tmp_path / "m" / "after.yaml", text + MOVED)])

    actions = [(str(c.address), c.action) for c in plan.changes if c.action is not Action.NOOP]
    enrichment = "webset/eu-ai-startups/enrichment/chief-executive"
    search = "webset/eu-ai-startups/search/north"
    assert actions.index((enrichment, Action.MOVE)) + 1 == actions.index(
        (enrichment, Action.UPDATE)
    )
    assert actions.index((search, Action.MOVE)) + 1 == actions.index((search, Action.RUN))
    steps = [s for s in request_steps(plan_steps(plan)) if str(s.address) == enrichment]
    assert [(s.purpose.value, s.request.method if s.request else None) for s in steps] == [
        ("move", "PATCH"),
        ("update", "PATCH"),
    ]
    assert steps[1].after == (steps[0].number,)


def test_a_webhook_move_keeps_the_secret_also_when_its_url_changes(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    secret = load_state(world.state_path).resources["webhook/crm"].secret
    text = renamed().replace("hooks.example.com/crm", "hooks.example.com/v2")
    _, result = world.apply([write(tmp_path / "m" / "after.yaml", text + MOVED)], parallelism=1)
    assert result.ok
    assert load_state(world.state_path).resources["webhook/crm-sync"].secret == secret
    hooks = world.emulator.store.all("webhook")
    assert [h["metadata"][TAG_EXTERNAL_ID] for h in hooks] == ["crm-sync"]


def test_a_move_from_nothing_is_a_plan_error_naming_it(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    text = BEFORE.replace("externalId: ceo", "externalId: chief")
    moved = (
        "moved:\n  - from: webset/eu-ai/enrichment/typo\n    to: webset/eu-ai/enrichment/chief\n"
    )
    with pytest.raises(PlanError) as error:
        world.plan([write(tmp_path / "m" / "after.yaml", text + moved)])
    assert "webset/eu-ai/enrichment/typo" in error.value.message
    assert "after.yaml:" in (error.value.detail or "")


def test_a_moved_block_for_a_never_applied_manifest_is_an_error(tmp_path: Path) -> None:
    world = World(tmp_path)
    moved = "moved:\n  - from: webhook/old\n    to: webhook/crm\n"
    with pytest.raises(PlanError, match="nothing live or in the state file is webhook/old"):
        world.plan([write(tmp_path / "m" / "m.yaml", BEFORE + moved)])


def test_both_ends_live_is_a_collision(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    text = BEFORE + (
        "  - externalId: crm2\n    url: https://hooks.example.com/2\n    events: [webset.idle]\n"
    )
    _, result = world.apply([write(tmp_path / "m" / "before.yaml", text)], parallelism=1)
    assert result.ok
    text = text.replace("externalId: crm\n", "externalId: gone\n").replace(
        "  - externalId: gone\n    url: https://hooks.example.com/crm\n    events: [webset.idle]\n",
        "",
    )
    moved = "moved:\n  - from: webhook/crm\n    to: webhook/crm2\n"
    with pytest.raises(PlanError, match="cannot move webhook/crm to webhook/crm2: both exist"):
        world.plan([write(tmp_path / "m" / "before.yaml", text + moved)])


@pytest.mark.parametrize(
    ("moved", "message"),
    [
        ("  - from: webhook/a\n    to: webhook/nope\n", "webhook/nope is not declared"),
        ("  - from: webhook/crm\n    to: webhook/crm\n", "to itself"),
        (
            "  - from: webhook/a\n    to: webhook/b\n  - from: webhook/b\n    to: webhook/crm\n",
            "no chains",
        ),
        (
            "  - from: webhook/a\n    to: webhook/crm\n  - from: webhook/b\n    to: webhook/crm\n",
            "is already the `to` of the move at",
        ),
        ("  - from: webset/eu-ai\n    to: webhook/crm\n", "the kinds must agree"),
        (
            "  - from: webset/other/enrichment/ceo\n    to: webset/eu-ai/enrichment/ceo\n",
            "cannot move a child between websets",
        ),
    ],
)
def test_invalid_moves_are_errors_at_file_line(tmp_path: Path, moved: str, message: str) -> None:
    path = write(tmp_path / "m.yaml", BEFORE + "moved:\n" + moved)
    with pytest.raises(ManifestError) as error:
        World(tmp_path).plan([path])
    problems = [f"{p.file}:{p.line} {p.message}" for p in error.value.problems]
    assert any(message in text and text.startswith(f"{path}:") for text in problems), problems


def test_a_from_that_is_still_declared_is_an_error(tmp_path: Path) -> None:
    text = BEFORE + (
        "  - externalId: crm2\n    url: https://hooks.example.com/2\n    events: [webset.idle]\n"
    )
    path = write(
        tmp_path / "m.yaml", text + "moved:\n  - from: webhook/crm\n    to: webhook/crm2\n"
    )
    with pytest.raises(ManifestError) as error:
        World(tmp_path).plan([path])
    assert [p.line for p in error.value.problems if "still declared" in p.message] == [
        text.count("\n") + 2
    ]


def test_a_rename_without_a_moved_block_is_pointed_out(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    text = BEFORE.replace("externalId: ceo", "externalId: chief").replace(
        "externalId: crm", "externalId: crm-sync"
    )
    plan = world.plan([write(tmp_path / "m" / "after.yaml", text)])
    assert [s.address for s in plan.skipped] == [
        Address.parse("webset/eu-ai/enrichment/ceo"),
        Address.parse("webhook/crm"),
    ]
    assert (
        "moved: [{from: webset/eu-ai/enrichment/ceo, to: webset/eu-ai/enrichment/chief}]"
        in "\n".join(plan.warnings)
    )
    assert "moved: [{from: webhook/crm, to: webhook/crm-sync}]" in "\n".join(plan.warnings)


def test_exclude_leaves_out_a_webset_with_its_children(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    text = renamed().replace("EU AI startups", "EU AI") + MOVED
    path = write(tmp_path / "m" / "after.yaml", text)
    plan = world.plan([path], PlanOptions(excludes=("webset/eu-ai-*",)))
    assert [str(c.address) for c in plan.changes] == ["webhook/crm-sync"]
    assert [str(a) for a in plan.excluded] == [
        "webset/eu-ai-startups",
        "webset/eu-ai-startups/search/first-pass",
        "webset/eu-ai-startups/search/north",
        "webset/eu-ai-startups/enrichment/chief-executive",
        "webset/eu-ai-startups/monitor/mondays",
    ]
    plan = world.plan([path], PlanOptions(excludes=("webhook/*", "webset/*/monitor/*")))
    assert [str(a) for a in plan.excluded] == [
        "webset/eu-ai-startups/monitor/mondays",
        "webhook/crm-sync",
    ]


def test_a_moved_webset_exports_under_its_new_name_without_a_pin(tmp_path: Path) -> None:
    world = applied_world(tmp_path)
    _, result = world.apply([write(tmp_path / "m" / "a.yaml", renamed() + MOVED)], parallelism=1)
    assert result.ok
    exported = export_state(fetch_live_state(world.client), "growth")
    assert [(w["externalId"], "id" in w) for w in exported.websets] == [("eu-ai-startups", False)]


def test_a_search_that_kept_its_old_tag_stays_itself_once_the_block_is_gone(
    tmp_path: Path,
) -> None:
    """Where the API keeps search tags, a moved search keeps its old one (searches cannot be
    updated): the state file's id still finds it, so nothing runs again."""
    world = applied_world(tmp_path)
    nordics = load_state(world.state_path).resources["webset/eu-ai/search/nordics"].id
    tags = {TAG_PROJECT: "growth", TAG_EXTERNAL_ID: "nordics"}
    world.emulator.edit("search", nordics, {"metadata": tags})
    text = BEFORE.replace("externalId: nordics", "externalId: north")
    moved = "moved:\n  - from: webset/eu-ai/search/nordics\n    to: webset/eu-ai/search/north\n"
    path = write(tmp_path / "m" / "a.yaml", text + moved)
    plan, result = world.apply([path], parallelism=1)
    assert [(str(c.address), c.action) for c in plan.changes if c.action is not Action.NOOP] == [
        ("webset/eu-ai/search/north", Action.MOVE)
    ]
    assert result.ok
    for manifest in (path, write(tmp_path / "m" / "a.yaml", text)):
        plan = world.plan([manifest])
        assert not plan.has_changes, plan.changes
        assert [c.id for c in plan.changes if str(c.address).endswith("/north")] == [nordics]
        assert not any(str(c.address).endswith("/nordics") for c in plan.changes)


def test_state_entries_end_exact_when_a_child_moves_with_its_webset_and_runs_again(
    tmp_path: Path,
) -> None:
    """The child's ``from`` may name its webset's new address; a moved search that also runs
    again ends with the new run's id under its new address, and no entry is left behind."""
    world = applied_world(tmp_path)
    old = load_state(world.state_path).resources["webset/eu-ai/search/nordics"].id
    moved = MOVED.replace(
        "from: webset/eu-ai/search/nordics", "from: webset/eu-ai-startups/search/nordics"
    )
    text = renamed().replace("AI startups in the Nordics", "AI startups in Finland")
    plan, result = world.apply([write(tmp_path / "m" / "a.yaml", text + moved)], parallelism=1)
    north = "webset/eu-ai-startups/search/north"
    assert [c.action for c in plan.changes if str(c.address) == north] == [
        Action.MOVE,
        Action.RUN,
    ]
    assert result.ok
    state = load_state(world.state_path)
    assert sorted(state.resources) == [
        "webhook/crm-sync",
        "webset/eu-ai-startups",
        "webset/eu-ai-startups/enrichment/chief-executive",
        "webset/eu-ai-startups/monitor/mondays",
        "webset/eu-ai-startups/search/first-pass",
        north,
    ]
    assert state.resources[north].id not in (old, None)
    assert not world.plan([write(tmp_path / "m" / "a.yaml", text)]).has_changes


def test_a_renamed_webset_without_a_block_gets_the_hint_to_keep_its_items(
    tmp_path: Path,
) -> None:
    world = applied_world(tmp_path)
    text = BEFORE.replace("externalId: eu-ai\n", "externalId: eu-ai-startups\n")
    plan = world.plan([write(tmp_path / "m" / "a.yaml", text)])
    assert [(str(s.address), s.action) for s in plan.skipped] == [("webset/eu-ai", Action.DELETE)]
    assert any(
        "moved: [{from: webset/eu-ai, to: webset/eu-ai-startups}]" in warning
        for warning in plan.warnings
    )
    moved = "moved:\n  - from: webset/eu-ai\n    to: webset/eu-ai-startups\n"
    plan = world.plan([write(tmp_path / "m" / "a.yaml", text + moved)])
    assert [(str(c.address), c.action) for c in plan.changes if c.action is not Action.NOOP] == [
        ("webset/eu-ai-startups", Action.MOVE)
    ]
    assert not plan.skipped and not plan.warnings
