"""`websets-sync emulator serve` as a real process: prints its URL, answers, keeps --data."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from websets_sync.cli.root import cli

URL = re.compile(r"(http://127\.0\.0\.1:\d+/websets/v0)")


@contextmanager
def _serve(*args: str) -> Iterator[str]:
    command = [sys.executable, "-m", "websets_sync", "emulator", "serve", "--port", "0", *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = URL.search(line)
            assert match, f"no URL in {line!r}"
            yield match.group(1)
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop
            try:
                assert process.wait(timeout=10) == 0
            except subprocess.TimeoutExpired:
                process.kill()  # never left behind for Popen's exit to wait on forever
                raise


def test_serve_prints_its_url_answers_and_persists(tmp_path: Path) -> None:
    data = tmp_path / "emulator.json"
    with _serve("--data", str(data), "--api-key", "sekret") as api_url:
        created = httpx.post(
            f"{api_url}/websets", json={"externalId": "cli"}, headers={"x-api-key": "sekret"}
        )
        assert created.status_code == 201
        assert httpx.get(f"{api_url}/websets", headers={"x-api-key": "other"}).status_code == 400
    with _serve("--data", str(data)) as api_url:
        again = httpx.get(f"{api_url}/websets/cli", headers={"x-api-key": "any"})
        assert (again.status_code, again.json()["id"]) == (200, created.json()["id"])


def test_serve_applies_fault_options() -> None:
    with _serve("--fail", "POST:^/websets$=503") as api_url:
        response = httpx.post(f"{api_url}/websets", json={}, headers={"x-api-key": "k"})
        assert (response.status_code, response.json()["tag"]) == (503, "INJECTED_FAILURE")
        assert httpx.get(f"{api_url}/websets", headers={"x-api-key": "k"}).status_code == 200


def test_serve_has_the_harness_and_a_credit_balance() -> None:
    with _serve("--credits", "2", "--deliver-to", "any") as api_url:
        harness = api_url.replace("/websets/v0", "/__emulator")
        key = {"x-api-key": "k"}
        body = {"search": {"query": "Fintech startups", "count": 5}}
        webset = httpx.post(f"{api_url}/websets", json=body, headers=key).json()
        moved = httpx.post(f"{harness}/clock", json={"advance": 60})
        assert moved.status_code == 200
        search = httpx.get(f"{api_url}/websets/{webset['id']}", headers=key).json()["searches"][0]
        assert (search["status"], search["canceledReason"]) == ("canceled", "out_of_credits")
        refused = httpx.post(f"{api_url}/websets", json=body, headers=key)
        assert refused.status_code == 402
        log = httpx.get(f"{harness}/requests").json()
        assert [(e["method"], e["status"]) for e in log["log"]] == [
            ("POST", 201),
            ("GET", 200),
            ("POST", 402),
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail", "nonsense"], "METHOD:PATH-REGEX=STATUS"),
        (["--fail", "GET:^/x=200"], "status must be 400..599"),
        (["--fail", "GET:([=500"], "--fail"),
        (["--error-rate", "1.5"], "--error-rate"),
        (["--qps-limit", "0"], "--qps-limit"),
    ],
)
def test_bad_fault_options_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["emulator", "serve", *args])
    assert result.exit_code == 1
    assert message in result.output
