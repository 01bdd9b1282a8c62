"""kill -9 of a real `apply` process at seeded random moments: the state file always parses (or
is absent), and the next apply converges so that plan shows no changes."""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from apply_support import API_KEY, assert_no_secrets, manifest, tag_counts, write
from processes import run_cli, run_trials, served_emulator, start_cli

from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import StateError
from websets_sync.model import TAG_PROJECT
from websets_sync.state.store import load_state

TRIALS = 10
SEED = 20261122
FULL = 3 * 5 + 2  # 3 websets with 2 searches, 1 enrichment, 1 monitor each; 2 webhooks


@pytest.mark.slow
def test_kill_9_at_random_moments_never_corrupts_state(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    rng = random.Random(SEED)
    # Drawn up front (seeded), and counted from the plan's first line: the apply is about to
    # change things then, however long the process took to start on a busy machine.
    moments = [rng.uniform(0.0, 1.8) for _ in range(TRIALS)]

    def trial(number: int) -> tuple[str, int]:
        project = f"kill-{number}"
        folder = tmp_path / project
        # externalIds are account-wide: each trial gets its own account (emulator process).
        with served_emulator(folder / "emulator.json") as url:
            path = write(
                folder / "m.yaml",
                manifest(project, websets=3, searches=2, enrichments=1, monitors=1, webhooks=2),
            )
            state = folder / ".websets-sync" / "state.json"
            args = ["apply", "--auto-approve", str(path)]

            victim = start_cli(url, state, args, folder)
            assert victim.stdout is not None
            victim.stdout.readline()  # the plan is being shown: changes start next
            time.sleep(moments[number])  # the random moment (not a timing assertion)
            victim.send_signal(signal.SIGKILL)
            victim.communicate(timeout=30)  # reap it: a zombie would still look alive

            try:
                saved = load_state(state, project=project)
            except StateError as exc:  # pragma: no cover - the failure this test exists for
                pytest.fail(f"trial {number}: state file corrupt after kill -9: {exc}")
            assert len(saved.resources) <= FULL
            if not state.exists():
                outcome = "state_absent"
            else:
                outcome = "state_complete" if len(saved.resources) == FULL else "state_partial"

            rerun = run_cli(url, state, args, folder)
            assert rerun.returncode == 0, (number, rerun.stdout, rerun.stderr)
            final = run_cli(url, state, ["plan", "--detailed-exitcode", str(path)], folder)
            assert final.returncode == 0, (number, final.stdout, final.stderr)
            _assert_no_duplicates(url, project)

            secrets = [e.secret for e in load_state(state).resources.values() if e.secret]
            assert_no_secrets(rerun.stdout, rerun.stderr, final.stdout, final.stderr, extra=secrets)
            return outcome, 2 - len(secrets)

    figures = {"state_absent": 0, "state_partial": 0, "state_complete": 0, "secret_lost": 0}
    for outcome, secrets_lost in run_trials(trial, TRIALS):
        figures[outcome] += 1
        figures["secret_lost"] += secrets_lost
    # Kept with the test's report (`--junitxml`), not printed into every run's output.
    record_property("kill -9 figures", " ".join(f"{k}={v}" for k, v in figures.items()))


def _assert_no_duplicates(url: str, project: str) -> None:
    with WebsetsClient(httpx.Client(), api_key=API_KEY, api_url=url, rate_limit=None) as client:
        websets = [
            w
            for w in client.iter_websets()
            if (w.get("metadata") or {}).get("websets-sync/project") == project
        ]
        children = [c for w in websets for key in ("enrichments", "monitors") for c in w[key]]
        counts = tag_counts(children + list(client.iter_webhooks()), project)
    assert len(websets) == 3
    assert all(len(w["searches"]) == 2 for w in websets)
    assert set(counts.values()) == {1} and len(counts) == 3 * 2 + 2


def _project(obj: dict[str, object]) -> object:
    metadata = obj.get("metadata")
    return metadata.get(TAG_PROJECT) if isinstance(metadata, dict) else None
