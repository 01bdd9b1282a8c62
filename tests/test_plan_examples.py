"""Every example plans against an empty emulator, applies, and then plans with no changes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from websets_sync.apply.runner import apply_plan
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest.schema import load_desired_state
from websets_sync.plan import Action, PlanOptions, build_plan
from websets_sync.state.store import StateStore

EXAMPLES = Path(__file__).parent.parent / "examples"
ENV = {
    "CRM_WEBHOOK_URL": "https://crm.example.com/hook?token=t",
    "SLACK_WEBHOOK_URL": "https://hooks.example.com/x",
}


MANIFEST_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and any(p.rglob("*.yaml")))


@pytest.mark.parametrize("example", MANIFEST_DIRS, ids=lambda p: p.name)
def test_example_converges(example: Path, tmp_path: Path) -> None:
    emulator = Emulator()
    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key="k",
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    desired, _ = load_desired_state([example], ENV)
    first = build_plan(
        desired, fetch_live_state(client, imports=bool(desired.imports)), None, PlanOptions()
    )
    assert {c.action for c in first.changes} <= {Action.CREATE, Action.RUN}
    with StateStore(tmp_path / "state.json", desired.project) as store:
        assert apply_plan(first, client, store).ok
        live = fetch_live_state(client, imports=bool(desired.imports))
        second = build_plan(desired, live, store.state, PlanOptions())
    assert not second.has_changes, [(str(c.address), c.reason) for c in second.changes]
    assert second.warnings == ()
    assert len(second.changes) == len(first.changes)
