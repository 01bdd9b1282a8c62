"""Every action apply executes, with the exact requests it sends and what the state remembers."""

from __future__ import annotations

from pathlib import Path

from apply_support import World, manifest, write

from websets_sync.apply.runner import Outcome
from websets_sync.model import TAG_PREVENT_DESTROY, TAG_PROJECT, Address
from websets_sync.plan.types import Action, PlanOptions
from websets_sync.state.store import load_state


def _applied(world: World, path: Path, options: PlanOptions | None = None) -> list[str]:
    """Plan, clear the log, apply; return the requests the apply made (plan reads excluded)."""
    plan = world.plan([path], options)
    world.emulator.clear_log()
    result = world.execute(plan)
    requests = world.requests()
    assert result.ok, [(str(r.address), r.message) for r in result.results if r.message]
    assert not world.plan([path], options).has_changes
    return requests


def test_adopt_tags_an_untagged_webset_in_one_update(tmp_path: Path) -> None:
    world = World(tmp_path)
    seeded = world.emulator.seed("webset", {"externalId": "ws-0", "title": "Webset 0"})
    bare = manifest(websets=1, searches=0, enrichments=0, monitors=0, webhooks=0)
    path = write(tmp_path / "m.yaml", bare)
    plan = world.plan([path])
    assert [c.action for c in plan.changes] == [Action.ADOPT]

    assert _applied(world, path) == [f"POST /websets/{seeded['id']}"]
    webset = world.emulator.store.find("webset", seeded["id"])
    assert webset is not None and webset["metadata"][TAG_PROJECT] == "proj"


def test_changed_children_cost_one_request_each(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=1, searches=1, monitors=1, webhooks=1))
    world.apply([path])
    edited = (
        manifest(websets=1, searches=1, monitors=1, webhooks=1)
        .replace("companies number 0-0", "companies number zero")  # search: run a new one
        .replace("'0 9 * * 1'", "'0 10 * * 2'")  # monitor: PATCH
        .replace("[webset.idle]", "[webset.idle, webset.item.created]")  # webhook: PATCH
    )
    write(path, edited)
    webset = world.objects("webset")[0]
    [monitor] = world.objects("monitor")
    [webhook] = world.objects("webhook")
    secret_before = load_state(world.state_path).get("webhook/hook-0")

    requests = _applied(world, path)

    assert sorted(requests) == sorted(
        [
            f"POST /websets/{webset['id']}/searches",
            f"PATCH /monitors/{monitor['id']}",
            f"PATCH /webhooks/{webhook['id']}",
        ]
    )
    assert load_state(world.state_path).get("webhook/hook-0") == secret_before  # secret kept
    assert len(world.objects("search")) == 2  # the old run stays as history


def test_deletes_go_bottom_up_and_are_forgotten(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=2, searches=1, enrichments=1, webhooks=1))
    world.apply([path])
    ids = {ws["externalId"]: ws["id"] for ws in world.objects("webset")}
    enrichments = {e["websetId"]: e["id"] for e in world.objects("enrichment")}
    monitors = {m["websetId"]: m["id"] for m in world.objects("monitor")}
    [webhook] = world.objects("webhook")
    # Keep ws-0 without its enrichment and monitor; drop ws-1 (with its children) and the webhook.
    write(path, manifest(websets=1, searches=1, enrichments=0, monitors=0, webhooks=0))

    requests = _applied(world, path, PlanOptions(allow_delete=True))

    ws0, ws1 = ids["ws-0"], ids["ws-1"]
    # A webset is deleted in one request: its children go with it.
    assert sorted(requests) == sorted(
        [
            f"DELETE /monitors/{monitors[ws0]}",
            f"DELETE /websets/{ws0}/enrichments/{enrichments[ws0]}",
            f"DELETE /websets/{ws1}",
            f"DELETE /webhooks/{webhook['id']}",
        ]
    )
    ws0_requests = [r for r in requests if ws0 in r or monitors[ws0] in r]
    assert ws0_requests[0] == f"DELETE /monitors/{monitors[ws0]}"  # bottom-up: monitors first
    assert set(load_state(world.state_path).resources) == {"webset/ws-0", "webset/ws-0/search/s0"}


def test_deleting_what_is_already_gone_counts_as_done(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=1))
    world.apply([path])
    write(path, manifest(websets=0, webhooks=0))
    plan = world.plan([path], PlanOptions(allow_delete=True))
    [webhook] = world.objects("webhook")
    world.emulator.store.remove("webhook", webhook["id"])  # e.g. a lost DELETE answer, retried

    result = world.execute(plan)

    [only] = result.results
    assert only.outcome is Outcome.APPLIED and only.message == "it was already gone"
    assert load_state(world.state_path).get("webhook/hook-0") is None


def test_replace_gives_a_webhook_a_new_secret(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=1))
    world.apply([path])
    [old] = world.objects("webhook")
    before = load_state(world.state_path).get("webhook/hook-0")
    options = PlanOptions(replace=(Address.for_webhook("hook-0"),))
    plan = world.plan([path], options)
    world.emulator.clear_log()

    result = world.execute(plan)

    assert result.ok and world.requests() == [f"DELETE /webhooks/{old['id']}", "POST /webhooks"]
    after = load_state(world.state_path).get("webhook/hook-0")
    assert before is not None and after is not None
    assert after.id != before.id and after.secret and after.secret != before.secret
    assert not after.secret_unknown


def test_prevent_destroy_is_tagged_on_the_live_webset_and_remembered(tmp_path: Path) -> None:
    world = World(tmp_path)
    plain = manifest(websets=1, searches=0, enrichments=0, monitors=0, webhooks=0)
    path = write(tmp_path / "m.yaml", plain)
    world.apply([path])
    write(
        path,
        plain.replace("    title: Webset 0\n", "    title: Webset 0\n    preventDestroy: true\n"),
    )
    world.emulator.clear_log()

    world.apply([path])

    # One webset update adds the tag: the protection then survives a lost state file.
    [webset] = world.objects("webset")
    assert world.mutations() == [f"POST /websets/{webset['id']}"]
    assert webset["metadata"][TAG_PREVENT_DESTROY] == "true"
    entry = load_state(world.state_path).get("webset/ws-0")
    assert entry is not None and entry.prevent_destroy
