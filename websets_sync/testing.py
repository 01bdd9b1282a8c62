"""A pytest plugin for testing your own code against the Websets API emulator.

Installing websets-sync registers it with pytest (entry point ``pytest11``), so the fixtures
below are simply there. With plugin autoloading off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), enable it
in a ``conftest.py`` with ``pytest_plugins = ["websets_sync.testing"]`` or run
``pytest -p websets_sync.testing``.

Fixtures (emulated time starts at a fixed moment and moves only when you move it):

- ``websets_emulator``: an in-process :class:`~websets_sync.emulator.Emulator`; give
  ``websets_emulator.transport()`` to an ``httpx.Client``, move time with
  ``websets_emulator.advance_clock(seconds)``.
- ``websets_emulator_server``: the same emulator served over HTTP on a free loopback port, for
  other clients (exa-py: ``Exa(api_key, base_url=server.base_url)``; exa-js: ``new Exa(key,
  server.base_url)``; anything else: ``server.api_url``).
- ``webhook_receiver``: a local HTTP endpoint that records the webhook deliveries it gets; the
  emulator signs them with the webhook's secret (check with :func:`verify_signature`).

Nothing here sleeps on a real clock or reaches the internet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from websets_sync.emulator import Emulator, serve

#: Emulated time starts here (2026-09-21T14:13:20Z) so answers are the same on every run.
START = 1_790_000_000.0
API_KEY = "test-key"


@dataclass
class ServedEmulator:
    emulator: Emulator
    base_url: str  # origin: exa-py's and exa-js's base URL

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/websets/v0"

    @property
    def api_key(self) -> str:
        return self.emulator.api_key or API_KEY


@dataclass
class Delivery:
    """One POST the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Records deliveries; answers ``statuses`` in turn (then 200), e.g. [500] fails once."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self, event_type: str | None = None) -> list[Any]:
        with self._lock:
            got = [d.event for d in self.deliveries]
        return [e for e in got if event_type is None or e["type"] == event_type]

    def _take(self, delivery: Delivery) -> int:
        with self._lock:
            self.deliveries.append(delivery)
            return self.statuses.pop(0) if self.statuses else 200


def verify_signature(secret: str, header: str, body: bytes) -> bool:
    """Check an ``Exa-Signature: t=<unix>,v1=<hex>[,v1=…]`` header as Exa documents it."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in parts if key.strip() == "t"]
    if len(timestamps) != 1:
        return False
    signed = f"{timestamps[0]}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, value in parts if key.strip() == "v1")


def start_receiver(receiver: WebhookReceiver) -> ThreadingHTTPServer:
    """Serve ``receiver`` on a free loopback port (sets ``receiver.url``); shut it down after."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            delivery = Delivery(self.path, dict(self.headers.items()), self.rfile.read(length))
            status = receiver._take(delivery)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/exa-webhook"
    return server


@pytest.fixture
def websets_emulator() -> Emulator:
    """An in-process emulator with emulated time (``advance_clock``) and key ``test-key``."""
    return Emulator(api_key=API_KEY, clock=lambda: START, delivery_timeout=2.0)


@pytest.fixture
def websets_emulator_server(websets_emulator: Emulator) -> Iterator[ServedEmulator]:
    """``websets_emulator`` served over HTTP on 127.0.0.1 (a free port)."""
    server, base_url = serve(websets_emulator)
    try:
        yield ServedEmulator(websets_emulator, base_url)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A loopback endpoint recording the webhook deliveries it gets (``receiver.url``)."""
    receiver = WebhookReceiver()
    server = start_receiver(receiver)
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
