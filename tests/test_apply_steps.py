"""apply/steps.py: a plan → request steps, without a client; the runner sends exactly those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_apply_steps_scenarios as steps_scenarios
from apply_support import World, assert_no_secrets, manifest, write

from websets_sync.apply.runner import Outcome
from websets_sync.apply.step_types import Purpose
from websets_sync.apply.steps import plan_steps, request_steps
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest import load_desired_state
from websets_sync.model import Address
from websets_sync.plan import Action, Change, Plan, PlanOptions, build_plan
from websets_sync.render.explain import explain_plan, explain_to_dict
from websets_sync.state.store import load_state

APPLY = Path(__file__).parent.parent / "websets_sync" / "apply"
EXAMPLES = Path(__file__).parent.parent / "examples"
MANIFEST_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and any(p.rglob("*.yaml")))
#: A credential in a webhook URL: redacted wherever a step shows it.
EXAMPLE_ENV = {
    "CRM_WEBHOOK_URL": "https://crm.example.com/hook?token=t",
    "SLACK_WEBHOOK_URL": "https://hooks.example.com/x",
}

DISABLED_MONITOR = """\
version: 1
project: proj
websets:
  - externalId: ws
    searches: [{externalId: s, query: companies, count: 5}]
    monitors:
      - externalId: nightly
        enabled: false
        cadence: {cron: '0 9 * * 1'}
        behavior: {type: search, config: {query: new ones, count: 3}}
webhooks:
  - externalId: hook
    url: https://user:hunter2@hooks.example.com/in?token=s3cr3t
    events: [webset.idle]
"""


def test_steps_are_computed_without_any_request_and_are_deterministic(tmp_path: Path) -> None:
    world = World(tmp_path)
    plan = world.plan([write(tmp_path / "m.yaml", manifest())])
    world.emulator.clear_log()

    first, second = plan_steps(plan), plan_steps(plan)

    assert first == second
    assert world.requests() == []
    assert [unit.name for unit in first] == ["webset/ws-0", "webset/ws-1", "webhook/hook-0"]


def test_a_disabled_monitor_is_created_then_disabled_and_apply_sends_just_that(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    plan = world.plan([write(tmp_path / "m.yaml", DISABLED_MONITOR)])
    steps = request_steps(plan_steps(plan))
    create, disable = (s for s in steps if s.address.name == "nightly")

    assert (disable.purpose, disable.after, create.reports) == (Purpose.AFTER_CREATE, (1, 3), False)
    assert disable.request is not None and disable.request.body == {"status": "disabled"}
    world.emulator.clear_log()
    result = world.execute(plan, parallelism=1)

    assert result.ok and len(result.results) == 4  # one result per change, not per step
    monitor_id = world.objects("monitor")[0]["id"]
    assert world.mutations() == [
        "POST /websets",
        "POST /monitors",
        f"PATCH /monitors/{monitor_id}",
        "POST /webhooks",
    ]
    assert world.objects("monitor")[0]["status"] == "disabled"


def test_explain_shows_the_requests_and_never_a_credential(tmp_path: Path) -> None:
    world = World(tmp_path)
    plan = world.plan([write(tmp_path / "m.yaml", DISABLED_MONITOR)])

    text, document = explain_plan(plan), explain_plan(plan, as_json=True)

    assert "  4. PATCH /monitors/{webset/ws/monitor/nightly}  {status}" in text
    assert "POST /websets/{webset/ws}" not in text  # the only search is carried inline
    assert_no_secrets(text, document, extra=["hunter2", "s3cr3t"])
    hook = explain_to_dict(plan)["units"][1]["steps"][0]
    assert hook["body"]["url"] == "https://REDACTED@hooks.example.com/in?token=REDACTED"


def test_a_change_no_request_can_make_fails_alone_without_a_request(tmp_path: Path) -> None:
    world = World(tmp_path)
    search = Address.parse("webset/ws/search/s")
    plan = Plan("proj", PlanOptions(), (Change(search, Action.UPDATE, "test", id="x"),))
    (step,) = plan_steps(plan)[0].steps

    assert step.request is None and step.problem == f"{search}: a search cannot be updated in place"
    assert "nothing sent: webset/ws/search/s: a search cannot be updated" in explain_plan(plan)
    result = world.execute(plan)

    assert [(r.outcome, r.message) for r in result.results] == [(Outcome.FAILED, step.problem)]
    assert world.requests() == []


def test_apply_has_no_per_kind_branches() -> None:
    """Per-kind knowledge lives in model/kinds.OPERATIONS; apply only reads it."""
    branches = {
        path.name: len(re.findall(r"\bkind (?:is|in|not in)\b|Kind\.[A-Z]", path.read_text()))
        for path in APPLY.glob("*.py")
    }
    assert sum(branches.values()) == 0, branches


@pytest.mark.parametrize("example", MANIFEST_DIRS, ids=lambda p: p.name)
def test_every_example_is_explained_and_applied_request_for_request(
    example: Path, tmp_path: Path
) -> None:
    world = World(tmp_path)
    desired, _ = load_desired_state([example], EXAMPLE_ENV)
    live = fetch_live_state(world.client, imports=bool(desired.imports))
    plan = build_plan(desired, live, None, PlanOptions())

    text, document = explain_plan(plan), explain_plan(plan, as_json=True)
    world.emulator.clear_log()
    result = world.execute(plan, parallelism=1)

    assert_no_secrets(text, document, extra=["token=t"])
    assert result.ok
    steps = request_steps(plan_steps(plan))
    assert f"Apply would send {len(steps)} request" in text
    assert world.requests() == steps_scenarios.expected_requests(
        steps, load_state(world.state_path)
    )
