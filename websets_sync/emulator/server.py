"""The emulator over real HTTP (standard library server), e.g. for the official exa-py SDK."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from websets_sync.emulator.app import Emulator

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    protocol_version = "HTTP/1.1"

    #: Seconds a client may take to send what its Content-Length promised.
    timeout = 5

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._reject(400, "Content-Length must be a non-negative integer")
            return
        try:
            body = self.rfile.read(length) if length else b""
        except TimeoutError:
            body = b""
        if len(body) < length:
            self._reject(400, "The request body is shorter than its Content-Length")
            return
        host = self.headers.get("Host") or "emulator.local"
        try:
            request = httpx.Request(
                self.command,
                f"http://{host}{self.path}",
                headers={k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP},
                content=body,
            )
        except (httpx.InvalidURL, ValueError) as exc:
            self._reject(400, f"Malformed request: {exc}")
            return
        try:
            response = self.emulator.handle(request)
        except httpx.RemoteProtocolError:
            # An injected lost response: the write happened, the client hears nothing.
            self.close_connection = True
            return
        content = response.content
        self.send_response(response.status_code)
        for raw_name, raw_value in response.headers.raw:  # raw keeps "X-Request-Id" casing
            name = raw_name.decode("latin-1")
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, raw_value.decode("latin-1"))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def _reject(self, status: int, message: str) -> None:
        """A request too malformed to hand to the emulator: a JSON error, then hang up."""
        content = json.dumps({"error": message, "tag": "INVALID_REQUEST"}).encode()
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Any other method (HEAD, TRACE, QUERY…) gets the API's own answer (404 "Cannot …"),
        not the standard library's HTML 501."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the emulator keeps its own request log."""


def serve(
    emulator: Emulator, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, str]:
    """Serve in a daemon thread; returns the server (``shutdown()`` it) and its base URL.

    The base URL is the origin (``http://127.0.0.1:PORT``): exa-py takes it as ``base_url``,
    websets-sync's client as ``{base_url}/websets/v0``.
    """
    handler = type("EmulatorHandler", (_Handler,), {"emulator": emulator})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    # A short poll interval keeps shutdown() quick (it waits for the loop to notice).
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="websets-emulator",
        daemon=True,
    )
    thread.start()
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return server, f"http://{shown}:{bound_port}"
