"""The official exa-js SDK (node) drives `serve()` through every Websets endpoint.

``js/drive_exa_js.mjs`` makes the calls and asserts on what the SDK returns; here every answer is
also checked against the OpenAPI spec. exa-js is installed from ``js/package-lock.json`` by
``make`` (or by this test when missing). Skips only when node is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from exa_conformance import API_KEY, Served, SpecChecker

from websets_sync.testing import WebhookReceiver

JS_DIR = Path(__file__).parent / "js"
#: exa-js calls the script makes (one per SDK method call, counted by the script itself).
EXPECTED_CALLS = 43


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the exa-js conformance test needs Node.js >= 18")
    return node


def _install_exa_js() -> None:
    if (JS_DIR / "node_modules" / "exa-js" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("node is installed but npm is not: cannot install exa-js (make does it)")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"npm ci in {JS_DIR} failed:\n{done.stderr[-2000:]}"


def test_exa_js_drives_every_endpoint(
    served: Served, spec_checker: SpecChecker, webhook_receiver: WebhookReceiver
) -> None:
    node = _node()
    _install_exa_js()
    env = {
        **os.environ,
        "EMULATOR_URL": served.base_url,
        "EXA_API_KEY": API_KEY,
        "RECEIVER_URL": webhook_receiver.url,
    }
    done = subprocess.run(
        [node, "drive_exa_js.mjs"],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["calls"] == EXPECTED_CALLS
    exchanges = served.recorder.take()
    checked = spec_checker.check_all(exchanges)
    # Every SDK call is one API request; exa-js's CSV import adds its upload PUT and the script
    # moves the clock 4 times (neither is in the spec, so neither is checked).
    assert checked == EXPECTED_CALLS
    api = [e for e in exchanges if e.path.startswith("/websets/v0/")]
    assert (len(api), len(exchanges)) == (EXPECTED_CALLS + 1, EXPECTED_CALLS + 1 + 4)
    assert {e.path.split("/")[3] for e in api} == {
        "websets",
        "webhooks",
        "monitors",
        "imports",
        "events",
    }
