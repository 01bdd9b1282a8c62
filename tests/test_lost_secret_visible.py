"""A lost webhook secret is impossible to miss in CI (issue 10, finding 8): apply exits 1 in the
run that lost it, every view shows it (text, JSON, Markdown banner, the job summary), and the
next apply does not loop trying to fix it by itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from apply_support import API_KEY, manifest, write
from click.testing import CliRunner, Result

import websets_sync.cli.wiring as wiring
from websets_sync.cli.root import cli
from websets_sync.emulator import Emulator


def test_a_lost_secret_fails_the_run_and_shows_in_every_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "e.json"
    summary = tmp_path / "summary.md"
    lose = {"left": 1}
    real = wiring.make_client

    def make_client(app: Any, *, transport: httpx.BaseTransport | None = None) -> Any:
        emulator = Emulator(data_file=data)

        def handle(request: httpx.Request) -> httpx.Response:
            response = emulator.handle(request)
            creates_webhook = request.method == "POST" and request.url.path.endswith("/webhooks")
            if creates_webhook and lose["left"] > 0:
                lose["left"] -= 1
                raise httpx.RemoteProtocolError("connection lost (test)", request=request)
            return response

        return real(app, transport=httpx.MockTransport(handle))

    monkeypatch.setattr(wiring, "make_client", make_client)
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=2))
    base = ["--no-color", "--emulator", str(data), "--state", str(tmp_path / "s.json")]
    env = {"EXA_API_KEY": API_KEY, "GITHUB_STEP_SUMMARY": str(summary)}

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, [*base, *args], env=env)

    first = run("apply", "--auto-approve", "--parallelism", "1", str(path))
    assert first.exit_code == 1, first.output
    assert "SECRET UNKNOWN: 1 webhook has no known signing secret" in first.stdout
    assert "signing secret of webhook/hook-0 is unknown" in first.stderr
    assert "--replace webhook/hook-0" in first.stderr
    assert "> [!CAUTION]" in summary.read_text() and "`webhook/hook-0`" in summary.read_text()

    text = run("plan", str(path))
    assert text.exit_code == 0 and "SECRET UNKNOWN" in text.stdout
    as_json = json.loads(run("plan", "--json", str(path)).stdout)
    assert as_json["secrets_unknown"] == ["webhook/hook-0"]
    markdown = run("plan", "--markdown", str(path)).stdout
    assert markdown.index("> [!CAUTION]") < markdown.index("No changes")

    hooks_before = len(Emulator(data_file=data).store.all("webhook"))
    assert hooks_before == 2
    again = run("apply", "--auto-approve", str(path))
    assert again.exit_code == 0  # nothing to do, nothing retried by itself: no loop
    assert "SECRET UNKNOWN" in again.stdout
    assert len(Emulator(data_file=data).store.all("webhook")) == hooks_before
