"""The /__emulator/ control surface over HTTP and signed webhook deliveries to a local receiver.

Uses the user-facing fixtures of ``websets_sync.testing`` (enabled in conftest.py), so they are
tested the way users run them.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest

from websets_sync.emulator import Emulator
from websets_sync.emulator.deliveries import RETRY_DELAYS, is_loopback, signature
from websets_sync.testing import ServedEmulator, WebhookReceiver, verify_signature


def _api(server: ServedEmulator) -> httpx.Client:
    return httpx.Client(base_url=server.api_url, headers={"x-api-key": server.api_key})


def _hook(api: httpx.Client, url: str, events: list[str]) -> dict[str, Any]:
    response = api.post("/webhooks", json={"url": url, "events": events})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_requests_reset_and_clock_over_http(websets_emulator_server: ServedEmulator) -> None:
    base = websets_emulator_server.base_url
    with _api(websets_emulator_server) as api:
        webset = api.post("/websets", json={"search": {"query": "Robotics", "count": 2}}).json()
        assert api.get("/websets/missing").status_code == 404
        # The harness needs no key and is not itself logged.
        log = httpx.get(f"{base}/__emulator/requests").json()
        assert log["count"] == 2
        assert [(e["method"], e["path"], e["status"]) for e in log["log"]] == [
            ("POST", "/websets", 201),
            ("GET", "/websets/missing", 404),
        ]
        before = httpx.get(f"{base}/__emulator/clock").json()["now"]
        moved = httpx.post(f"{base}/__emulator/clock", json={"advance": 30}).json()
        assert (before, moved["now"], moved["offset"]) == (
            "2026-09-21T14:13:20.000Z",
            "2026-09-21T14:13:50.000Z",
            30.0,
        )
        assert api.get(f"/websets/{webset['id']}").json()["status"] == "idle"
        assert httpx.post(f"{base}/__emulator/clock", json={"advance": -1}).status_code == 400
        assert httpx.post(f"{base}/__emulator/clock", json={}).status_code == 400
        assert httpx.post(f"{base}/__emulator/reset").status_code == 200
        assert api.get("/websets").json()["data"] == []
        assert httpx.get(f"{base}/__emulator/requests").json()["count"] == 1
        assert httpx.get(f"{base}/__emulator/nothing").status_code == 404


def test_the_harness_ignores_faults(websets_emulator_server: ServedEmulator) -> None:
    websets_emulator_server.emulator.faults.error_rate = 1.0
    base = websets_emulator_server.base_url
    assert httpx.get(f"{base}/__emulator/requests").status_code == 200
    with _api(websets_emulator_server) as api:
        assert api.get("/websets").status_code == 500


def test_deliveries_are_signed_posts_with_the_webhooks_secret(
    websets_emulator_server: ServedEmulator, webhook_receiver: WebhookReceiver
) -> None:
    base = websets_emulator_server.base_url
    with _api(websets_emulator_server) as api:
        hook = _hook(api, webhook_receiver.url, ["webset.created", "webset.idle"])
        webset = api.post("/websets", json={"search": {"query": "Drones", "count": 1}}).json()
        [created] = webhook_receiver.deliveries
        assert created.event["type"] == "webset.created"
        assert created.event["data"]["id"] == webset["id"]
        assert created.headers["Content-Type"] == "application/json"
        assert verify_signature(hook["secret"], created.headers["Exa-Signature"], created.body)
        assert not verify_signature("whsec_wrong", created.headers["Exa-Signature"], created.body)
        httpx.post(f"{base}/__emulator/clock", json={"advance": 10})
        assert [e["type"] for e in webhook_receiver.events()] == ["webset.created", "webset.idle"]
        log = httpx.get(f"{base}/__emulator/deliveries").json()
        assert log["count"] == 2
        assert [(d["eventType"], d["status"], d["attempt"]) for d in log["deliveries"]] == [
            ("webset.created", 200, 1),
            ("webset.idle", 200, 1),
        ]
        assert log["deliveries"][0]["headers"]["Exa-Signature"].startswith("t=1790000000,v1=")
        attempts = api.get(f"/webhooks/{hook['id']}/attempts").json()["data"]
        assert {(a["eventType"], a["successful"], a["responseStatusCode"]) for a in attempts} == {
            ("webset.created", True, 200),
            ("webset.idle", True, 200),
        }
        # The secret is never answered again, yet it keeps signing.
        assert api.get(f"/webhooks/{hook['id']}").json()["secret"] is None


def test_failed_deliveries_are_retried_in_emulated_time(
    websets_emulator: Emulator, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.statuses = [500, 503]
    with httpx.Client(
        transport=websets_emulator.transport(),
        base_url="http://emulator.local/websets/v0",
        headers={"x-api-key": "test-key"},
    ) as api:
        hook = _hook(api, webhook_receiver.url, ["webset.created"])
        api.post("/websets", json={})
        assert len(webhook_receiver.deliveries) == 1
        websets_emulator.advance_clock(RETRY_DELAYS[0] - 1)
        assert len(webhook_receiver.deliveries) == 1  # not due yet
        websets_emulator.advance_clock(1)
        websets_emulator.advance_clock(RETRY_DELAYS[1])
        assert len(webhook_receiver.deliveries) == 3
        websets_emulator.advance_clock(10 * RETRY_DELAYS[-1])
        assert len(webhook_receiver.deliveries) == 3  # delivered on the third attempt: done
        bodies = {d.body for d in webhook_receiver.deliveries}
        assert len(bodies) == 1  # the same event each time
        attempts = api.get(f"/webhooks/{hook['id']}/attempts").json()["data"]
        assert sorted((a["attempt"], a["responseStatusCode"]) for a in attempts) == [
            (1, 500),
            (2, 503),
            (3, 200),
        ]
        failed = api.get(f"/webhooks/{hook['id']}/attempts", params={"successful": "false"})
        assert len(failed.json()["data"]) == 2
        only = api.get(f"/webhooks/{hook['id']}/attempts", params={"eventType": "webset.idle"})
        assert only.json()["data"] == []


def test_an_unreachable_receiver_is_given_up_after_the_last_retry(
    websets_emulator: Emulator,
) -> None:
    with httpx.Client(
        transport=websets_emulator.transport(),
        base_url="http://emulator.local/websets/v0",
        headers={"x-api-key": "test-key"},
    ) as api:
        # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        hook = _hook(api, "http://127.0.0.1:9/hook", ["webset.created"])
        api.post("/websets", json={})
        for delay in RETRY_DELAYS:
            websets_emulator.advance_clock(delay)
        websets_emulator.advance_clock(10 * RETRY_DELAYS[-1])
        attempts = api.get(f"/webhooks/{hook['id']}/attempts").json()["data"]
        assert sorted(a["attempt"] for a in attempts) == list(range(1, len(RETRY_DELAYS) + 2))
        assert {(a["successful"], a["responseStatusCode"]) for a in attempts} == {(False, 0)}
        assert all(d["error"] for d in websets_emulator.deliveries())


def test_non_loopback_addresses_are_not_contacted_by_default(websets_emulator: Emulator) -> None:
    with httpx.Client(
        transport=websets_emulator.transport(),
        base_url="http://emulator.local/websets/v0",
        headers={"x-api-key": "test-key"},
    ) as api:
        hook = _hook(api, "https://hooks.example.com/exa", ["webset.created"])
        api.post("/websets", json={})
        [refused] = websets_emulator.deliveries()
        assert refused["status"] is None and "--deliver-to any" in refused["error"]
        assert api.get(f"/webhooks/{hook['id']}/attempts").json()["data"] == []


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://127.9.9.9/x", True),
        ("http://[::1]:8000/x", True),
        ("http://localhost/x", True),
        ("https://hooks.example.com/x", False),
        ("http://10.0.0.1/x", False),
    ],
)
def test_loopback_addresses(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # Computed independently: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    body = json.dumps({"a": 1}, separators=(",", ":")).encode()
    expected = "a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
    assert signature("key", 1_700_000_000, body) == f"t=1700000000,v1={expected}"


def test_a_malformed_request_gets_a_400_not_a_dropped_connection(
    websets_emulator_server: ServedEmulator,
) -> None:
    """Found by Schemathesis: a garbage Content-Length used to kill the handler thread."""
    host, port = websets_emulator_server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(
            b"POST /websets/v0/websets HTTP/1.1\r\nHost: x\r\nContent-Length: .kJ3y<\r\n\r\n"
        )
        chunks = []
        while chunk := conn.recv(4096):  # the server closes the connection after answering
            chunks.append(chunk)
    answer = b"".join(chunks).decode()
    assert answer.startswith("HTTP/1.1 400")
    assert '"error": "Content-Length must be a non-negative integer"' in answer
