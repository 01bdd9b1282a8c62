"""Two applies at once on one state file: exactly one proceeds, the other fails at once on the
lock, naming the holder's pid and host."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from apply_support import assert_no_secrets, manifest, write
from processes import run_cli, served_emulator, start_cli

from websets_sync.state.store import load_state


@pytest.mark.slow
def test_two_concurrent_applies_exactly_one_proceeds(tmp_path: Path) -> None:
    path = write(tmp_path / "m.yaml", manifest(websets=6, searches=1, enrichments=1, webhooks=1))
    state = tmp_path / ".websets-sync" / "state.json"
    args = ["apply", "--auto-approve", str(path)]
    # Latency keeps the first apply busy (holding the lock) long after the second one starts.
    with served_emulator(tmp_path / "emulator.json", "--latency", "0.3") as url:
        first = start_cli(url, state, args, tmp_path)
        second = start_cli(url, state, args, tmp_path)
        outputs = {p.pid: (p, *p.communicate(timeout=120)) for p in (first, second)}

        codes = sorted(p.returncode for p, _, _ in outputs.values())
        assert codes == [0, 1], {pid: (p.returncode, err) for pid, (p, _, err) in outputs.items()}
        [winner] = [pid for pid, (p, _, _) in outputs.items() if p.returncode == 0]
        [(_, loser_out, loser_err)] = [o for pid, o in outputs.items() if pid != winner]
        host = socket.gethostname()
        assert f"Error: the state file is locked by another apply (pid {winner} on host {host}" in (
            loser_err
        )
        assert "Apply complete" not in loser_out  # it changed nothing

        final = run_cli(url, state, ["plan", "--detailed-exitcode", str(path)], tmp_path)
        assert final.returncode == 0, final.stdout + final.stderr
        secrets = [e.secret for e in load_state(state).resources.values() if e.secret]
        assert len(secrets) == 1
        texts = [text for _, out, err in outputs.values() for text in (out, err)]
        assert_no_secrets(*texts, final.stdout, final.stderr, extra=secrets)
