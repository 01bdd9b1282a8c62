"""Regressions from the planner review: identity, convergence, saved plans and ordering."""

from __future__ import annotations

from pathlib import Path

import pytest
from apply_support import World, write

from websets_sync.errors import StalePlanError
from websets_sync.model import Address
from websets_sync.plan.saved import check_saved_plan, read_saved_plan, saved_plan_text
from websets_sync.plan.types import Action, Plan, PlanOptions
from websets_sync.state.store import load_state


def non_noops(plan: Plan) -> list[tuple[str, str]]:
    return [(str(c.address), c.action.value) for c in plan.changes if c.action is not Action.NOOP]


MONITOR = """\
version: 1
project: p
websets:
  - externalId: ws1
    monitors:
      - externalId: {name}
        cadence: {{cron: "0 9 * * 1"}}
        behavior: {{type: search, config: {{count: 3}}}}
"""


def test_monitor_without_declared_query_never_takes_over_an_unrelated_monitor(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", MONITOR.format(name="weekly"))
    world.apply([manifest])
    webset_id = world.objects("webset")[0]["id"]
    config = {"query": "Competitor funding news", "count": 50, "behavior": "append"}
    other = world.emulator.seed(
        "monitor",
        {
            "websetId": webset_id,
            "cadence": {"cron": "0 9 * * 1", "timezone": "Etc/UTC"},
            "behavior": {"type": "search", "config": config},
            "metadata": {"owner": "sales-team"},
        },
    )
    write(tmp_path / "m.yaml", MONITOR.format(name="weekly-v2"))

    plan, _ = world.apply([manifest])

    assert non_noops(plan) == [("webset/ws1/monitor/weekly-v2", "create")]
    untouched = next(m for m in world.objects("monitor") if m["id"] == other["id"])
    assert untouched["metadata"] == {"owner": "sales-team"}
    assert untouched["behavior"]["config"] == config
    assert non_noops(world.plan([manifest])) == []


ENRICHMENT = """\
version: 1
project: p
websets:
  - externalId: ws1
    enrichments:
      - externalId: e1
        description: Vertical
"""


def test_enrichment_options_left_out_of_the_manifest_are_not_drift(tmp_path: Path) -> None:
    world = World(tmp_path)
    options = "        format: options\n        options: [{label: A}, {label: B}]\n"
    manifest = write(tmp_path / "m.yaml", ENRICHMENT + options)
    world.apply([manifest])
    write(tmp_path / "m.yaml", ENRICHMENT)

    assert non_noops(world.plan([manifest])) == []


def test_changed_options_are_updated_confirmed_and_settle(tmp_path: Path) -> None:
    world = World(tmp_path)
    manifest = write(
        tmp_path / "m.yaml", ENRICHMENT + "        format: options\n        options: [{label: A}]\n"
    )
    world.apply([manifest])
    write(
        tmp_path / "m.yaml", ENRICHMENT + "        format: options\n        options: [{label: B}]\n"
    )

    plan, result = world.apply([manifest])

    assert non_noops(plan) == [("webset/ws1/enrichment/e1", "update")]
    assert [r.outcome.value for r in result.results] == ["applied"]
    assert world.objects("enrichment")[0]["options"] == [{"label": "B"}]
    assert non_noops(world.plan([manifest])) == []


def test_a_declared_format_clears_server_kept_options_and_settles(tmp_path: Path) -> None:
    world = World(tmp_path)
    manifest = write(
        tmp_path / "m.yaml", ENRICHMENT + "        format: options\n        options: [{label: A}]\n"
    )
    world.apply([manifest])
    write(tmp_path / "m.yaml", ENRICHMENT + "        format: text\n")

    plan, result = world.apply([manifest])

    assert non_noops(plan) == [("webset/ws1/enrichment/e1", "update")]
    assert [r.outcome.value for r in result.results] == ["applied"]
    assert non_noops(world.plan([manifest])) == []


def test_a_saved_plan_whose_run_became_destructive_is_stale(tmp_path: Path) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", "version: 1\nproject: p\nwebsets:\n  - externalId: ws1\n")
    world.apply([manifest])
    search = "    searches:\n      - externalId: s1\n        query: AI startups\n"
    write(tmp_path / "m.yaml", "version: 1\nproject: p\nwebsets:\n  - externalId: ws1\n" + search)
    reviewed = world.plan([manifest])
    saved = read_saved_plan(saved_plan_text(reviewed))
    assert [c.destructive for c in reviewed.changes if c.action is Action.RUN] == [False]
    progress = {"found": 500, "analyzed": 900, "completion": 100, "timeLeft": 0}
    webset_id = world.objects("webset")[0]["id"]
    world.emulator.seed(
        "search", {"websetId": webset_id, "query": "robotics", "count": 500, "progress": progress}
    )

    with pytest.raises(StalePlanError, match="live state changed"):
        check_saved_plan(saved, world.plan([manifest]))


def enrichments_manifest(names: list[str]) -> str:
    lines = ["version: 1", "project: p", "websets:", "  - externalId: ws1", "    enrichments:"]
    for name in names:
        lines += [f"      - externalId: {name}", f"        description: fact {name}"]
    return "\n".join(lines) + "\n"


def test_swapping_one_of_ten_enrichments_deletes_first_and_succeeds_at_once(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", enrichments_manifest([f"e{i}" for i in range(10)]))
    world.apply([manifest])
    write(tmp_path / "m.yaml", enrichments_manifest([f"e{i}" for i in range(9)] + ["new"]))
    world.emulator.clear_log()

    plan, result = world.apply([manifest], PlanOptions(allow_delete=True))

    assert non_noops(plan) == [
        ("webset/ws1/enrichment/e9", "delete"),
        ("webset/ws1/enrichment/new", "create"),
    ]
    assert [r.outcome.value for r in result.results] == ["applied", "applied"]
    assert [m.split(" ")[0] for m in world.mutations()] == ["DELETE", "POST"]
    assert len(world.objects("enrichment")) == 10
    assert non_noops(world.plan([manifest], PlanOptions(allow_delete=True))) == []


def test_webset_deletes_stay_last_and_bottom_up(tmp_path: Path) -> None:
    world = World(tmp_path)
    two = "version: 1\nproject: p\nwebsets:\n  - externalId: a\n  - externalId: b\n"
    manifest = write(tmp_path / "m.yaml", two + "webhooks: []\n")
    world.apply([manifest])
    hook = "webhooks:\n  - {externalId: h, url: 'https://x.example.com', events: [webset.idle]}\n"
    write(tmp_path / "m.yaml", "version: 1\nproject: p\nwebsets:\n  - externalId: c\n" + hook)

    plan = world.plan([manifest], PlanOptions(allow_delete=True))

    assert non_noops(plan) == [
        ("webset/c", "create"),
        ("webhook/h", "create"),
        ("webset/b", "delete"),
        ("webset/a", "delete"),
    ]


SEARCH_APPEND = """\
version: 1
project: p
websets:
  - externalId: ws1
    metadata: {owner: growth}
    searches:
      - externalId: s1
        query: AI startups in Berlin
        count: 5
        behavior: append
"""


def drop_webset_tags(world: World) -> None:
    webset = world.objects("webset")[0]
    world.emulator.edit("webset", webset["id"], {"metadata": {"owner": "growth-team"}})


def test_inline_search_remembered_in_state_is_not_run_again_after_tags_drop(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", SEARCH_APPEND)
    world.apply([manifest])
    drop_webset_tags(world)

    plan, _ = world.apply([manifest])

    assert non_noops(plan) == [("webset/ws1", "adopt")]
    assert len(world.objects("search")) == 1
    assert non_noops(world.plan([manifest])) == []


def test_untagged_oldest_search_equal_but_for_behavior_satisfies_the_declared_one(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", SEARCH_APPEND)
    world.apply([manifest])
    drop_webset_tags(world)
    world.state_path.unlink()  # nothing remembers the search's id either

    plan = world.plan([manifest])

    assert non_noops(plan) == [("webset/ws1", "adopt")]
    search = next(c for c in plan.changes if c.address.kind.value == "search")
    assert search.id == world.objects("search")[0]["id"]


CHILDREN = """\
version: 1
project: p
websets:
  - externalId: ws1
    enrichments:
      - {externalId: e1, description: CEO name, format: text}
    monitors:
      - externalId: m1
        cadence: {cron: "0 9 * * 1"}
        behavior: {type: search, config: {count: 3}}
webhooks:
  - {externalId: h1, url: "https://hooks.example.com/a", events: [webset.idle]}
"""


def test_objects_that_lost_their_tags_are_adopted_back_by_the_remembered_id(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", CHILDREN)
    world.apply([manifest])
    secret = load_state(world.state_path).resources["webhook/h1"].secret
    for kind in ("enrichment", "monitor", "webhook"):
        obj = world.objects(kind)[0]
        world.emulator.edit(kind, obj["id"], {"metadata": {}})
    world.emulator.clear_log()
    lost = ("webset/ws1/enrichment/e1", "webset/ws1/monitor/m1", "webhook/h1")

    # With no tag of the project left, the remembered id alone takes nothing over (issue 10,
    # finding 10): each match is reported and taking it back is the user's explicit word.
    unasked = world.plan([manifest])
    assert non_noops(unasked) == [(address, "create") for address in lost]
    assert [w.split(":")[0] for w in unasked.warnings] == list(lost)
    assert all(f"--adopt {address}" in w for address, w in zip(lost, unasked.warnings, strict=True))

    adopt = tuple(Address.parse(address) for address in lost)
    plan, result = world.apply([manifest], PlanOptions(adopt=adopt))

    assert non_noops(plan) == [(address, "adopt") for address in lost]
    assert plan.warnings == ()  # the webhook's secret is still the remembered one
    assert all(r.outcome.value == "applied" for r in result.results)
    assert sorted(m.split(" ")[0] for m in world.mutations()) == ["PATCH", "PATCH", "PATCH"]
    assert {k: len(world.objects(k)) for k in ("enrichment", "monitor", "webhook")} == {
        "enrichment": 1,
        "monitor": 1,
        "webhook": 1,
    }
    assert load_state(world.state_path).resources["webhook/h1"].secret == secret
    assert non_noops(world.plan([manifest])) == []


HOOK = """\
version: 1
project: p
webhooks:
  - {externalId: h1, url: "https://hooks.example.com/a", events: [webset.idle]}
"""


def test_duplicate_tagged_objects_use_the_remembered_one_and_warn_about_the_rest(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", HOOK)
    world.apply([manifest])
    mine = world.objects("webhook")[0]
    fields = ("url", "events", "metadata")
    extra = world.emulator.seed("webhook", {k: mine[k] for k in fields})

    plan, _ = world.apply([manifest], PlanOptions(allow_delete=True))

    assert [(str(c.address), c.action.value, c.id) for c in plan.changes] == [
        ("webhook/h1", "no-op", mine["id"])
    ]
    assert len(plan.warnings) == 1 and extra["id"] in plan.warnings[0]
    assert mine["id"] not in plan.warnings[0].split(";")[-1]
    assert len(world.objects("webhook")) == 2  # never deleted by guesswork


def test_duplicate_tagged_objects_without_state_use_the_newest(tmp_path: Path) -> None:
    world = World(tmp_path)
    manifest = write(tmp_path / "m.yaml", HOOK)
    world.apply([manifest])
    first = world.objects("webhook")[0]
    newest = world.emulator.seed("webhook", {k: first[k] for k in ("url", "events", "metadata")})
    world.state_path.unlink()

    plan = world.plan([manifest])

    assert [c.id for c in plan.changes] == [newest["id"]]
    assert any(first["id"] in warning for warning in plan.warnings)


def test_a_state_id_never_takes_over_a_dashboard_webhook_without_adopt(tmp_path: Path) -> None:
    """Issue 10, finding 10: a state entry with the id of an untagged dashboard webhook."""
    from click.testing import CliRunner

    from websets_sync.cli.root import cli
    from websets_sync.emulator import Emulator
    from websets_sync.state.store import ResourceState, State, write_state_atomically

    data = tmp_path / "e.json"
    dashboard = Emulator(data_file=data).seed(
        "webhook", {"url": "https://crm.example.com/in", "events": ["webset.idle"]}
    )
    state = tmp_path / "state.json"
    write_state_atomically(
        state,
        State(
            serial=1,
            lineage="l",
            project="p",
            resources={"webhook/h1": ResourceState(id=dashboard["id"], secret="whsec_X")},
        ),
    )
    manifest = write(tmp_path / "m.yaml", HOOK)
    base = ["--no-color", "--emulator", str(data), "--state", str(state)]
    env = {"EXA_API_KEY": "k"}

    plan = CliRunner().invoke(cli, [*base, "plan", str(manifest)], env=env)
    assert plan.exit_code == 0, plan.output
    assert f"remembers webhook {dashboard['id']}" in plan.output + plan.stderr
    assert "--adopt webhook/h1" in plan.output + plan.stderr
    applied = CliRunner().invoke(cli, [*base, "apply", "--auto-approve", str(manifest)], env=env)
    assert applied.exit_code == 0, applied.output
    hooks = {h["id"]: h for h in Emulator(data_file=data).store.all("webhook")}
    assert hooks[dashboard["id"]]["url"] == "https://crm.example.com/in"  # left alone
    assert hooks[dashboard["id"]].get("metadata") in (None, {})
    assert len(hooks) == 2

    adopted = tmp_path / "adopted"
    adopted.mkdir()
    data2 = adopted / "e.json"
    other = Emulator(data_file=data2).seed(
        "webhook", {"url": "https://crm.example.com/in", "events": ["webset.idle"]}
    )
    write_state_atomically(
        adopted / "s.json",
        State(
            serial=1,
            lineage="l",
            project="p",
            resources={"webhook/h1": ResourceState(id=other["id"])},
        ),
    )
    base2 = ["--no-color", "--emulator", str(data2), "--state", str(adopted / "s.json")]
    taken = CliRunner().invoke(
        cli, [*base2, "apply", "--auto-approve", "--adopt", "webhook/h1", str(manifest)], env=env
    )
    assert taken.exit_code == 0, taken.output
    [hook] = Emulator(data_file=data2).store.all("webhook")
    assert hook["url"] == "https://hooks.example.com/a"  # taken over on the user's word
