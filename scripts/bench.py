"""``make bench``: how websets-sync scales with the number of websets W (a benchmark, not a test).

For each W (``BENCH_SIZES``, default 100,1000,5000) a manifest of W websets, each with 2 searches,
5 enrichments and 1 monitor (plus one webhook), goes through validate, plan against an empty and
an applied account, apply from empty in-process, and apply against ``emulator serve --qps-limit
10``. Every measurement runs in a fresh child process, which reports its own CPU time (the machine
is shared, so CPU is the figure to compare; wall is shown too), wall time and peak RSS. In-process,
the emulator's CPU (thread time spent answering) is taken out: the figures are the client's.

Environment: ``BENCH_SIZES=100,1000`` (quick mode), ``BENCH_SERVE_SIZES`` (the sizes that also run
against the served emulator; default: all — at 10 QPS that takes ~3W/10 seconds), ``BENCH_QPS``
(the served emulator's limit, default 10), ``BENCH_PHASES`` (a comma-separated subset).

Request counts are asserted exactly in the tests (tests/test_apply_counts.py,
tests/test_fetch_counts.py); here they are printed next to their lower bound.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PHASES = ("validate", "plan-empty", "apply-inprocess", "plan-applied", "apply-served")
API_KEY = "bench-key"
API_URL = "http://emulator.local/websets/v0"
WEBHOOKS = 1


def manifest(websets: int) -> str:
    lines = ["version: 1", "project: bench", "websets:"]
    for w in range(websets):
        lines += [f"  - externalId: ws-{w}", f"    title: Webset {w}", "    searches:"]
        for s in range(2):
            lines += [
                f"      - externalId: s{s}",
                f"        query: companies number {w}-{s}",
                "        count: 5",
            ]
        lines.append("    enrichments:")
        for e in range(5):
            lines += [f"      - externalId: e{e}", f"        description: Fact {e} of {w}"]
        lines += [
            "    monitors:",
            "      - externalId: m0",
            "        cadence: {cron: '0 9 * * 1'}",
            "        behavior: {type: search, config: {query: new ones, count: 3}}",
        ]
    lines.append("webhooks:")
    for h in range(WEBHOOKS):
        lines += [
            f"  - externalId: hook-{h}",
            f"    url: https://hooks.example.com/{h}",
            "    events: [webset.idle]",
        ]
    return "\n".join(lines) + "\n"


def plan_lower_bound(websets: int) -> int:
    return max(1, math.ceil(websets / 100)) + max(1, math.ceil(WEBHOOKS / 200))


def apply_lower_bound(websets: int) -> int:
    # One create carrying the first search and every enrichment, one more search, one monitor.
    return 3 * websets + WEBHOOKS


# --- the child: one measurement ------------------------------------------------------------------


class EmulatorMeter:
    """Wraps an in-process emulator: counts requests and the CPU time spent answering them."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.cpu = 0.0
        self.requests = 0
        self._lock = threading.Lock()

    def handle(self, request: Any) -> Any:
        start = time.thread_time()
        try:
            return self.emulator.handle(request)
        finally:
            spent = time.thread_time() - start
            with self._lock:
                self.cpu += spent
                self.requests += 1


def _in_process_client(meter: EmulatorMeter) -> Any:
    import httpx

    from websets_sync.client.endpoints import WebsetsClient

    return WebsetsClient(
        httpx.Client(transport=httpx.MockTransport(meter.handle)),
        api_key=API_KEY,
        api_url=API_URL,
        rate_limit=None,
    )


def _emulator(data_file: Path | None) -> Any:
    from websets_sync.emulator import Emulator, Timing

    timing = Timing(search_seconds=0.0, generate_seconds=0.0)
    return Emulator(api_key=API_KEY, timing=timing, data_file=data_file)


def _plan(paths: list[Path], client: Any, state_path: Path) -> Any:
    from websets_sync.fetch import fetch_live_state
    from websets_sync.manifest import load_desired_state
    from websets_sync.plan import PlanOptions, build_plan
    from websets_sync.state.store import load_state

    desired, _ = load_desired_state(paths, {})
    state = load_state(state_path, project=desired.project)
    return build_plan(desired, fetch_live_state(client), state, PlanOptions())


def _apply(plan: Any, client: Any, state_path: Path) -> Any:
    from websets_sync.apply.runner import apply_plan
    from websets_sync.cli.process import freeze_long_lived
    from websets_sync.state.store import StateStore

    freeze_long_lived()  # as the command does when an apply starts
    with StateStore(state_path, plan.project) as store:
        result = apply_plan(plan, client, store)
    if not result.ok:
        raise SystemExit(f"apply failed: {result}")
    return result


def run_phase(phase: str, folder: Path, websets: int) -> dict[str, Any]:
    paths = [folder / "websets.yaml"]
    state_path = folder / "state.json"
    saved = folder / "emulator.json"
    out: dict[str, Any] = {}
    emulator_cpu = 0.0
    if phase == "validate":
        from websets_sync.manifest import load_desired_state

        desired, _ = load_desired_state(paths, {})
        out["requests"], out["bound"] = 0, 0
        assert len(desired.websets) == websets
    elif phase in ("plan-empty", "plan-applied"):
        # Loading the emulator's file is the emulator's start-up, not the client's work.
        loading = time.process_time()
        meter = EmulatorMeter(_emulator(saved if phase == "plan-applied" else None))
        loading = time.process_time() - loading
        plan = _plan(paths, _in_process_client(meter), state_path)
        emulator_cpu = meter.cpu + loading
        live = websets if phase == "plan-applied" else 0
        out["requests"], out["bound"] = meter.requests, plan_lower_bound(live)
        out["changes"] = len(plan.changes)
    elif phase == "apply-inprocess":
        meter = EmulatorMeter(_emulator(None))
        client = _in_process_client(meter)
        plan = _plan(paths, client, state_path)
        fetched = meter.requests
        _apply(plan, client, state_path)
        emulator_cpu = meter.cpu
        out["requests"], out["bound"] = meter.requests - fetched, apply_lower_bound(websets)
        # The applied account, for plan-applied.
        store = meter.emulator.store
        store.data_file, store.dirty = saved, True
        store.save()
    elif phase == "apply-served":
        out.update(_apply_served(paths, folder, websets))
    else:
        raise SystemExit(f"unknown phase {phase}")
    return out | {"emulator_cpu": emulator_cpu}


def _apply_served(paths: list[Path], folder: Path, websets: int) -> dict[str, Any]:
    import httpx

    from websets_sync.client.endpoints import WebsetsClient
    from websets_sync.client.sender import RequestRecord

    qps = float(os.environ.get("BENCH_QPS", "10"))
    server = subprocess.Popen(
        [sys.executable, "-m", "websets_sync", "emulator", "serve", "--port", "0"]
        + ["--qps-limit", str(qps), "--api-key", API_KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split(" on ", 1)[1].split()[0]
        records: list[RequestRecord] = []
        lock = threading.Lock()

        def on_request(record: RequestRecord) -> None:
            with lock:
                records.append(record)

        # The client's defaults: the rate it uses is what is measured.
        client = WebsetsClient(httpx.Client(), api_key=API_KEY, api_url=url, on_request=on_request)
        state_path = folder / "served-state.json"
        plan = _plan(paths, client, state_path)
        fetched = len(records)
        start = time.monotonic()
        _apply(plan, client, state_path)
        wall = time.monotonic() - start
        sent = records[fetched:]
        limited = sum(1 for r in sent if r.status == 429)
        return {
            "requests": len(sent),
            "bound": apply_lower_bound(websets),
            "rate_limited": limited,
            # What the server accepted (a 429 is no work done), per second, of its limit.
            "throughput": (len(sent) - limited) / wall / qps,
        }
    finally:
        server.terminate()
        server.wait()


def child_main(phase: str, folder: str, websets: str) -> None:
    from websets_sync.cli.process import tune_garbage_collector

    tune_garbage_collector()  # as the command does
    wall_start = time.monotonic()
    cpu_start = time.process_time()
    out = run_phase(phase, Path(folder), int(websets))
    cpu = time.process_time() - cpu_start - out.pop("emulator_cpu")
    out["cpu"] = cpu
    out["wall"] = time.monotonic() - wall_start
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


# --- the parent: every size, every phase, one table ----------------------------------------------


def measure(phase: str, folder: Path, websets: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", phase, str(folder), str(websets)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _sizes(name: str, default: list[int]) -> list[int]:
    text = os.environ.get(name, "")
    return [int(part) for part in text.split(",") if part.strip()] if text else default


def row(websets: int, phase: str, result: dict[str, Any]) -> str:
    if "error" in result:
        return f"| {websets} | {phase} | error: {result['error']} |||||||"
    share = f"{result['throughput']:.0%}" if "throughput" in result else ""
    limited = str(result.get("rate_limited", ""))
    return (
        f"| {websets} | {phase} | {result['requests']} | {result['bound']} | "
        f"{result['cpu']:.2f} | {result['wall']:.2f} | {result['rss_mb']:.0f} | {share} | "
        f"{limited} |"
    )


def main(print_line: Callable[[str], None] = print) -> None:
    sizes = _sizes("BENCH_SIZES", [100, 1000, 5000])
    served = _sizes("BENCH_SERVE_SIZES", sizes)
    phases = [p for p in os.environ.get("BENCH_PHASES", ",".join(PHASES)).split(",") if p]
    print_line(
        "| W | phase | requests | lower bound | CPU s | wall s | peak RSS MB | "
        "share of server limit | 429s |"
    )
    print_line("|---|---|---|---|---|---|---|---|---|")
    for websets in sizes:
        with tempfile.TemporaryDirectory(prefix="websets-bench-") as tmp:
            folder = Path(tmp)
            (folder / "websets.yaml").write_text(manifest(websets))
            for phase in phases:
                if phase == "apply-served" and websets not in served:
                    continue
                if phase == "plan-applied" and not (folder / "emulator.json").exists():
                    continue
                print_line(row(websets, phase, measure(phase, folder, websets)))
                sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:])
    else:
        main()
