"""The test-harness endpoints under ``/__emulator/`` (DESIGN §13): no API key, no faults, no log.

``GET requests``, ``POST reset``, ``POST clock {"advance": SECONDS}`` (``GET clock`` reads it),
``GET deliveries`` and ``POST export {"websetId"}`` (a dashboard export, the only way the API's
export events happen). Each calls the same method of the Emulator that in-process tests use.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from websets_sync.emulator.failures import ApiFailure

if TYPE_CHECKING:
    from websets_sync.emulator.app import Emulator

PREFIX = "/__emulator/"
#: A single clock move longer than this is refused (a year of monitor runs is a typo).
MAX_ADVANCE_SECONDS = 366 * 24 * 3600


def answer(emulator: Emulator, request: httpx.Request, raw_path: str) -> httpx.Response:
    action = raw_path[len(PREFIX) :].strip("/")
    method = request.method.upper()
    try:
        status, body = _dispatch(emulator, method, action, request.content)
    except ApiFailure as failure:
        status, body = failure.status, {"error": failure.message, "tag": failure.tag}
    return httpx.Response(status, json=body, request=request)


def _dispatch(emulator: Emulator, method: str, action: str, content: bytes) -> tuple[int, Any]:
    if (method, action) == ("GET", "requests"):
        log = emulator.requests()
        return 200, {"count": len(log), "log": log}
    if (method, action) == ("POST", "reset"):
        emulator.reset()
        return 200, {"reset": True, "now": emulator.now_iso()}
    if (method, action) == ("GET", "clock"):
        return 200, {"now": emulator.now_iso(), "offset": emulator.clock_offset}
    if (method, action) == ("POST", "clock"):
        seconds = _body(content).get("advance")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ApiFailure(400, 'expected {"advance": SECONDS}', "INVALID_REQUEST_BODY")
        if not 0 <= seconds <= MAX_ADVANCE_SECONDS:
            raise ApiFailure(
                400, f"advance: must be 0..{MAX_ADVANCE_SECONDS} seconds", "INVALID_REQUEST_BODY"
            )
        emulator.advance_clock(float(seconds))
        return 200, {"now": emulator.now_iso(), "offset": emulator.clock_offset}
    if (method, action) == ("GET", "deliveries"):
        deliveries = emulator.deliveries()
        return 200, {"count": len(deliveries), "deliveries": deliveries}
    if (method, action) == ("POST", "export"):
        webset_id = _body(content).get("websetId")
        if not isinstance(webset_id, str):
            raise ApiFailure(400, 'expected {"websetId": ID}', "INVALID_REQUEST_BODY")
        try:
            return 200, emulator.export(webset_id)
        except KeyError:
            raise ApiFailure(404, f"Webset {webset_id} not found", "NOT_FOUND") from None
    raise ApiFailure(404, f"no harness endpoint {method} {PREFIX}{action}", "NOT_FOUND")


def _body(content: bytes) -> dict[str, Any]:
    try:
        body = json.loads(content or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiFailure(400, "body is not valid JSON", "INVALID_REQUEST_BODY") from None
    if not isinstance(body, dict):
        raise ApiFailure(400, "body must be a JSON object", "INVALID_REQUEST_BODY")
    return body
