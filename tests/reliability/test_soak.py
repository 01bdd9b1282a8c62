"""Soak: 50 websets and 5 webhooks applied through 5xx errors, lost responses, a QPS limit and
latency. Apply is re-run until the plan is empty (at most 3 runs); then nothing is duplicated,
the state file is valid and every webhook's secret is either known or flagged as unknown.

Time is simulated: the client's throttling and backoff and the emulator's QPS window share one
fake clock, so the run takes no wall time waiting (the tiny latency is real, to overlap threads)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from apply_support import API_KEY, API_URL, World, assert_no_secrets, manifest, tag_counts, write
from client_support import FakeTime

from websets_sync.apply.runner import Outcome
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator, Faults, Timing
from websets_sync.model import TAG_PROJECT
from websets_sync.render.console import Console
from websets_sync.render.result import render_apply_summary
from websets_sync.state.store import load_state

WEBSETS = 50
WEBHOOKS = 5
MAX_RUNS = 3


@pytest.mark.slow
def test_soak_converges_without_duplicates(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    faults = Faults(latency=0.005, qps_limit=10, error_rate=0.10, lost_response_rate=0.05)
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(
        api_key=API_KEY,
        faults=faults,
        seed=7,
        timing=Timing(search_seconds=0, generate_seconds=0),
        clock=time.clock,
    )
    world = World(tmp_path, emulator=emulator)
    # The client as the CLI makes it (8 requests/s, the CLI's backoff), on the simulated clock.
    world.client = WebsetsClient(
        httpx.Client(transport=httpx.MockTransport(emulator.handle)),
        api_key=API_KEY,
        api_url=API_URL,
        rate_limit=8.0,
        sleep=time.sleep,
        clock=time.clock,
        now=time.clock,
    )
    path = write(
        tmp_path / "soak.yaml",
        manifest(websets=WEBSETS, searches=1, enrichments=2, monitors=1, webhooks=WEBHOOKS),
    )

    started = time.clock()
    runs = 0
    outputs: list[str] = []
    failed_first = 0
    while runs < MAX_RUNS:
        plan = world.plan([path])
        if not plan.has_changes:
            break
        runs += 1
        result = world.execute(plan, parallelism=4)
        outputs.append(render_apply_summary(result, Console()))
        if runs == 1:
            failed_first = result.count(Outcome.FAILED)
    faults.error_rate = faults.lost_response_rate = 0.0  # judge the end state without noise
    final = world.plan([path])
    elapsed = time.clock() - started

    assert not final.has_changes, [
        str(c.address) for c in final.changes if c.action.value != "no-op"
    ]
    assert 1 <= runs <= MAX_RUNS
    # No duplicates: one webset per externalId, one object per (webset, tag), one search each.
    websets = [w for w in world.objects("webset") if (w.get("metadata") or {}).get(TAG_PROJECT)]
    assert len(websets) == len({w["externalId"] for w in websets}) == WEBSETS
    children = world.objects("enrichment") + world.objects("monitor") + world.objects("webhook")
    counts = tag_counts(children, "proj")
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates == 0
    assert len(counts) == WEBSETS * 3 + WEBHOOKS
    searches_per_webset = {w["id"]: 0 for w in websets}
    for search in world.objects("search"):
        searches_per_webset[search["websetId"]] += 1
    assert set(searches_per_webset.values()) == {1}
    # The state file is valid; every webhook has its secret or is flagged as unknown.
    state = load_state(world.state_path, project="proj")
    for h in range(WEBHOOKS):
        entry = state.get(f"webhook/hook-{h}")
        assert entry is not None and (entry.secret is not None) != entry.secret_unknown
    secrets = [e.secret for e in state.resources.values() if e.secret]
    log = world.emulator.request_log
    figures = (
        f"soak figures: runs_to_converge={runs} duplicates={duplicates} "
        f"requests={len(log)} mutating={len(world.mutations())} "
        f"lost={sum(1 for e in log if e.lost)} http_5xx={sum(1 for e in log if e.status >= 500)} "
        f"http_429={sum(1 for e in log if e.status == 429)} failed_in_run_1={failed_first} "
        f"secrets_known={len(secrets)}/{WEBHOOKS} simulated_seconds={elapsed:.1f}"
    )
    captured = capsys.readouterr()
    assert_no_secrets(captured.out, captured.err, figures, *outputs, extra=secrets)
    record_property("soak figures", figures)
