"""Apply makes exactly the requests the plan calls for: counted in the emulator's request log."""

from __future__ import annotations

from pathlib import Path

import httpx
from apply_support import World, manifest, write

from websets_sync.apply.runner import Outcome
from websets_sync.plan.types import Action
from websets_sync.state.store import load_state


def test_create_from_empty_costs_one_request_per_webset_plus_later_children(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    paths = [write(tmp_path / "m.yaml", manifest(websets=2, searches=2, enrichments=2))]
    plan = world.plan(paths)
    world.emulator.clear_log()

    result = world.execute(plan)

    # Each webset: 1 create carrying search s0 and both enrichments, 1 search (s1), 1 monitor.
    # Plus 1 webhook. Nothing else: no reads, no confirmations.
    assert sorted(world.requests()) == sorted(
        ["POST /websets"] * 2
        + [f"POST /websets/{ws['id']}/searches" for ws in world.objects("webset")]
        + ["POST /monitors"] * 2
        + ["POST /webhooks"]
    )
    assert result.ok and result.count(Outcome.APPLIED) == 13
    assert len(world.objects("search")) == 4 and len(world.objects("enrichment")) == 4
    state = load_state(world.state_path)
    assert set(state.resources) == {str(c.address) for c in plan.changes}
    webhook = state.get("webhook/hook-0")
    assert webhook is not None and webhook.secret and not webhook.secret_unknown


def test_second_apply_makes_no_mutating_request(tmp_path: Path) -> None:
    world = World(tmp_path)
    paths = [write(tmp_path / "m.yaml", manifest())]
    world.apply(paths)
    serial = load_state(world.state_path).serial
    world.emulator.clear_log()

    plan, result = world.apply(paths)

    assert not plan.has_changes
    assert world.mutations() == []
    assert all(r.startswith("GET ") for r in world.requests())  # only the fetch
    assert result.results == () and result.ok
    assert load_state(world.state_path).serial == serial  # nothing to write either


def test_one_field_changed_costs_one_request(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest())
    world.apply([path])
    write(path, manifest().replace("title: Webset 1", "title: Webset one"))
    plan = world.plan([path])
    world.emulator.clear_log()

    result = world.execute(plan)

    ids = {ws["externalId"]: ws["id"] for ws in world.objects("webset")}
    assert world.requests() == [f"POST /websets/{ids['ws-1']}"]
    assert [(str(r.address), r.action) for r in result.results] == [("webset/ws-1", Action.UPDATE)]


def test_enrichment_updates_are_confirmed_by_one_read_per_webset(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=1, enrichments=2))
    world.apply([path])
    edited = (
        manifest(websets=1, enrichments=2)
        .replace("Fact 0 of 0", "Fact zero")
        .replace("Fact 1 of 0", "Fact one")
    )
    write(path, edited)
    plan = world.plan([path])
    world.emulator.clear_log()

    result = world.execute(plan)

    webset_id = world.objects("webset")[0]["id"]
    enrichments = {
        e["metadata"]["websets-sync/external-id"]: e for e in world.objects("enrichment")
    }
    assert sorted(world.requests()) == sorted(
        [f"PATCH /websets/{webset_id}/enrichments/{e['id']}" for e in enrichments.values()]
        + [f"GET /websets/{webset_id}"]
    )
    assert result.ok and result.count(Outcome.APPLIED) == 2
    assert enrichments["e0"]["description"] == "Fact zero"
    assert not world.plan([path]).has_changes


def test_an_enrichment_update_that_did_not_take_effect_is_a_failure(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=1, enrichments=1))
    world.apply([path])
    write(path, manifest(websets=1, enrichments=1).replace("Fact 0 of 0", "Fact zero"))
    plan = world.plan([path])
    enrichment_id = world.objects("enrichment")[0]["id"]
    real_handle = world.emulator.handle

    def revert_after_patch(request: httpx.Request) -> httpx.Response:
        response = real_handle(request)
        if request.method == "PATCH":
            world.emulator.edit("enrichment", enrichment_id, {"description": "Fact 0 of 0"})
        return response

    world.intercept = revert_after_patch
    result = world.execute(plan)

    [only] = result.results
    assert only.outcome is Outcome.FAILED
    assert "did not take effect for description" in (only.message or "")


def test_a_monitor_declared_disabled_is_disabled_right_after_its_create(tmp_path: Path) -> None:
    world = World(tmp_path)
    text = manifest(websets=1, webhooks=0).replace(
        "      - externalId: m0\n", "      - externalId: m0\n        enabled: false\n"
    )
    path = write(tmp_path / "m.yaml", text)
    plan = world.plan([path])
    world.emulator.clear_log()

    result = world.execute(plan)

    [monitor] = world.objects("monitor")
    assert result.ok and monitor["status"] == "disabled"
    assert world.requests()[-2:] == ["POST /monitors", f"PATCH /monitors/{monitor['id']}"]
    assert not world.plan([path]).has_changes
