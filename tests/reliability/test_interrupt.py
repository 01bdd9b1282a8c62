"""Ctrl-C (SIGINT) to a real `apply` process: it starts nothing new, lets requests in flight
finish, saves the state, says what was and was not done, and exits 1; a re-run finishes."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from apply_support import assert_no_secrets, manifest, write
from processes import run_cli, served_emulator, start_cli

from websets_sync.state.store import load_state


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_sigint_during_apply_saves_progress_and_reports_it(
    tmp_path: Path, stop: signal.Signals
) -> None:
    # SIGTERM is what CI runners send on cancel (issue 10, finding 7): handled like Ctrl-C.
    path = write(tmp_path / "m.yaml", manifest(websets=8, searches=1, enrichments=1, webhooks=0))
    state = tmp_path / ".websets-sync" / "state.json"
    args = ["apply", "--auto-approve", "--parallelism", "1", str(path)]
    with served_emulator(tmp_path / "emulator.json", "--latency", "0.1") as url:
        process = start_cli(url, state, args, tmp_path)
        assert process.stdout is not None
        # Interrupt once the first change has been reported (not a timing assertion).
        for line in process.stdout:
            if line.startswith("+ webset/"):
                process.send_signal(stop)
                break
        rest, stderr = process.communicate(timeout=60)

        assert process.returncode == 1, stderr  # apply's own exit: interrupted, summary shown
        assert "Apply interrupted: " in rest
        assert "Not attempted:" in rest and "apply was interrupted" in rest
        assert "Error: apply was interrupted: " in stderr
        saved = load_state(state)
        assert 0 < len(saved.resources) < 8 * 3
        assert not (state.parent / "state.json.lock").exists()

        started = time.monotonic()
        rerun = run_cli(url, state, ["apply", "--auto-approve", str(path)], tmp_path)
        assert rerun.returncode == 0, rerun.stderr
        assert "took over" not in rerun.stderr  # lock and project lease were released
        assert time.monotonic() - started < 60
        final = run_cli(url, state, ["plan", "--detailed-exitcode", str(path)], tmp_path)
        assert final.returncode == 0, final.stdout
        assert_no_secrets(rest, stderr, rerun.stdout, rerun.stderr)
