"""Property: whatever faults hit an apply (5xx, lost responses, an interrupt at any point), one
clean re-run converges, nothing is duplicated and every webhook's secret is known or flagged."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import httpx
from apply_support import World, manifest, tag_counts, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from websets_sync.emulator import Emulator, Faults, Timing
from websets_sync.state.store import load_state


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    error_rate=st.sampled_from([0.0, 0.2, 0.4]),
    lost_rate=st.sampled_from([0.0, 0.2, 0.5]),
    interrupt_after=st.one_of(st.none(), st.integers(1, 12)),
    websets=st.integers(1, 3),
    webhooks=st.integers(0, 2),
    parallelism=st.integers(1, 4),
)
def test_any_faulty_apply_then_one_clean_run_converges(
    seed: int,
    error_rate: float,
    lost_rate: float,
    interrupt_after: int | None,
    websets: int,
    webhooks: int,
    parallelism: int,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        faults = Faults()  # the plan is read cleanly: the faults are for the apply
        world = World(
            tmp,
            emulator=Emulator(faults=faults, seed=seed, timing=Timing(0.0, generate_seconds=0.0)),
        )
        cancel = threading.Event()
        writes: list[str] = []

        def count_writes(request: httpx.Request) -> httpx.Response:
            if request.method != "GET":
                writes.append(request.method)
                if interrupt_after is not None and len(writes) >= interrupt_after:
                    cancel.set()
            return world.emulator.handle(request)

        path = write(tmp / "m.yaml", manifest(websets=websets, webhooks=webhooks))
        world.intercept = count_writes
        faulty_plan = world.plan([path])
        faults.error_rate, faults.lost_response_rate = error_rate, lost_rate
        world.execute(faulty_plan, cancel=cancel, parallelism=parallelism)

        faults.error_rate = faults.lost_response_rate = 0.0
        world.intercept = None
        _, clean = world.apply([path])
        assert clean.ok, [(str(r.address), r.message) for r in clean.results if r.message]
        assert not world.plan([path]).has_changes

        children = world.objects("enrichment") + world.objects("monitor")
        counts = tag_counts(children + world.objects("webhook"), "proj")
        assert set(counts.values()) <= {1} and len(counts) == websets * 3 + webhooks
        assert len(world.objects("webset")) == websets
        assert len(world.objects("search")) == websets * 2
        state = load_state(world.state_path, project="proj")
        for h in range(webhooks):
            entry = state.get(f"webhook/hook-{h}")
            assert entry is not None and (entry.secret is not None) != entry.secret_unknown
