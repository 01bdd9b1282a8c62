"""The Emulator: auth, faults, routing, request log, persistence, behind one lock."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote

import httpx

# Importing the route modules registers their handlers in ROUTES.
from websets_sync.emulator import (
    control,
    events,
    routes_account,
    routes_jobs,
    routes_monitors,
    routes_websets,
)
from websets_sync.emulator.failures import ApiFailure, bad_request
from websets_sync.emulator.faults import FaultGate, Faults
from websets_sync.emulator.harness import Harness
from websets_sync.emulator.lifecycle import Timing
from websets_sync.emulator.router import ROUTES, Ctx, Reply
from websets_sync.emulator.seeds import complete
from websets_sync.emulator.store import JSON, KINDS, Store, public
from websets_sync.emulator.timeline import Timeline

API_PREFIX = "/websets/v0"
_ROUTE_MODULES = (routes_account, routes_jobs, routes_monitors, routes_websets)


@dataclass(frozen=True)
class LoggedRequest:
    """One answered (or lost) request. ``path`` is the raw path after ``/websets/v0``."""

    method: str
    path: str
    query: str
    status: int
    lost: bool = False


class Emulator(Harness):
    """The Websets API in memory. Use ``transport()`` in-process or ``serve()`` over HTTP."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        faults: Faults | None = None,
        data_file: Path | None = None,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
        timing: Timing | None = None,
        credits: float | None = None,
        deliver_to: str = "loopback",
        delivery_timeout: float = 5.0,
    ) -> None:
        """``clock`` is the base time; ``advance_clock`` moves emulated time on from it.

        ``credits``: a balance spent one per item found (402 and canceled searches when spent);
        None is unlimited. ``deliver_to``: "loopback" (default) or "any" webhook address.
        """
        self.api_key = api_key
        self.faults = faults if faults is not None else Faults()
        self.timing = timing if timing is not None else Timing()
        self._base_clock = clock
        self.clock_offset = 0.0
        self.store = Store(clock=self._now, seed=seed, data_file=data_file)
        self.timeline = Timeline(
            self.store,
            credits=credits,
            deliver_to=deliver_to,
            delivery_timeout=delivery_timeout,
        )
        self.request_log: list[LoggedRequest] = []
        self._gate = FaultGate(self.faults, seed)
        self._lock = threading.RLock()
        self._requests = 0

    # in-process use
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; raises httpx.RemoteProtocolError for an injected lost response."""
        request.read()
        method = request.method.upper()
        raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
        if raw_path.startswith(control.PREFIX):
            return control.answer(self, request, raw_path)
        if self.faults.latency > 0:
            time.sleep(self.faults.latency)  # outside the lock: concurrent requests overlap
        with self._lock:
            self._gate.faults = self.faults
            self._requests += 1
            request_id = f"req_{self.store.seed:x}{self._requests:08d}"
            status, body, headers, lost = self._answer(request, method, raw_path, query)
            path = raw_path[len(API_PREFIX) :] if raw_path.startswith(API_PREFIX) else raw_path
            self.request_log.append(LoggedRequest(method, path, query, status, lost))
            self.store.save()
        self.deliver_due()
        if lost:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        headers["X-Request-Id"] = request_id
        if body is None:
            return httpx.Response(status, headers=headers, request=request)
        if status >= 400 and "statusCode" not in body:
            body = {"requestId": request_id, **body}
        return httpx.Response(status, json=body, headers=headers, request=request)

    def _answer(
        self, request: httpx.Request, method: str, raw_path: str, query: str
    ) -> tuple[int, JSON | None, dict[str, str], bool]:
        path = raw_path[len(API_PREFIX) :] if raw_path.startswith(API_PREFIX) else None
        injected = self._gate.before(method, path or raw_path, self.store.now())
        if injected is not None:
            failure, headers = injected
            return failure.status, self._error(failure, raw_path), headers, False
        try:
            reply = self._route(request, method, path, query)
        except ApiFailure as failure:
            return failure.status, self._error(failure, raw_path), {}, False
        return reply.status, reply.body, {}, self._gate.lose_response(method)

    def _route(self, request: httpx.Request, method: str, path: str | None, query: str) -> Reply:
        segments = [unquote(part) for part in (path or "").strip("/").split("/")]
        matched = ROUTES.match(method, segments) if path is not None else None
        if matched is None:
            raise ApiFailure(404, f"Cannot {method} {request.url.path}", "NOT_FOUND")
        route, params = matched
        if route.auth:
            self._authenticate(request)
            self.timeline.check_request(method, segments, dict(request.headers))
        ctx = Ctx(
            store=self.store,
            timing=self.timing,
            query=parse_qs(query, keep_blank_values=True),
            body=_json_body(request) if route.auth else {},
            origin=f"{request.url.scheme}://{request.url.netloc.decode('ascii')}",
            raw=request.content,
        )
        self.timeline.tick(self.store, self.timing)
        return route.handler(ctx, params)

    def _authenticate(self, request: httpx.Request) -> None:
        key = request.headers.get("x-api-key")
        authorization = request.headers.get("authorization", "")
        if not key and authorization.lower().startswith("bearer "):
            key = authorization[7:].strip()
        if not key or (self.api_key is not None and key != self.api_key):
            # Recorded (R5): 400 and no tag, not the documented 401.
            raise ApiFailure(400, "x-api-key header is invalid", None)

    def _error(self, failure: ApiFailure, raw_path: str) -> JSON:
        """The error body. A 404 has the recorded NestJS shape (R6), the rest the documented
        ``{requestId, error, tag}`` (requestId added by ``handle``), without tag when none."""
        if failure.status == 404:
            path = raw_path.removeprefix("/websets")
            return {
                "statusCode": 404,
                "timestamp": self.store.now_iso(),
                "message": failure.message,
                "error": "Not Found",
                "path": path,
            }
        if failure.tag is None:
            return {"error": failure.message}
        return {"error": failure.message, "tag": failure.tag}

    # test helpers
    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Logged requests with this method and a raw path (after /websets/v0) starting so."""
        with self._lock:
            return sum(
                1
                for entry in self.request_log
                if (method is None or entry.method == method.upper())
                and (path is None or entry.path.startswith(path))
            )

    def clear_log(self) -> None:
        with self._lock:
            self.request_log.clear()

    def seed(self, kind: str, data: JSON) -> JSON:
        """Insert a stored object as if made elsewhere (e.g. in the dashboard); returns it.

        ``kind`` is one of KINDS. Missing fields get defaults (a seeded search or enrichment is
        completed); children need ``websetId`` (items also ``sourceId`` and ``properties``).
        """
        _check_kind(kind)
        with self._lock:
            obj = self.store.insert(kind, complete(kind, data))
            if kind in ("search", "enrichment", "import"):
                self.store.watch(kind, obj)  # time moves it on if it is still running
            events.skip_seen(self.store, self.timeline.watch, obj)
            self.timeline.changed()
            self.store.save()
            return public(obj)

    def edit(self, kind: str, ident: str, changes: JSON) -> JSON:
        """Change stored fields directly, as a dashboard edit would (no request is logged)."""
        _check_kind(kind)
        with self._lock:
            obj = self.store.find(kind, ident)
            if obj is None:
                raise KeyError(f"no {kind} {ident}")
            self.store.unindex(kind, obj)
            obj.update(copy.deepcopy(changes))
            self.store.index(kind, obj)
            if "updatedAt" not in changes:
                self.store.touch(obj)
            self.store.dirty = True
            self.timeline.changed()
            self.store.save()
            return public(obj)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")


def _json_body(request: httpx.Request) -> JSON:
    if not request.content.strip():
        return {}
    try:
        body = json.loads(request.content)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body
