"""Helpers for the conformance tests: fake clock, response recorder, OpenAPI spec checker."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from websets_sync.emulator import Emulator

# Vendored (tests/openapi/README.md), so a fresh clone and CI check against it too.
SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi" / "exa-websets-spec.yaml"
API_KEY = "test"
#: Not part of the spec: the emulator's stand-in for the signed upload URL of an import.
UPLOAD_SUFFIX = "/upload"
#: Where the recorded real API (API-NOTES §9 R1) answers another code than the spec documents:
#: the body is checked against the documented success schema.
RECORDED_STATUS = {
    ("POST", "/v0/websets/{webset}/searches"): ("201", "200"),
    ("POST", "/v0/websets/{webset}/enrichments"): ("201", "200"),
}
#: Where the spec documents an empty body but the real API was recorded answering one (R2).
RECORDED_BODY = {("PATCH", "/v0/websets/{webset}/enrichments/{id}"): "WebsetEnrichment"}
#: Error bodies: the documented one, and the two the real API was recorded answering (R5, R6).
ERROR_SHAPES = (
    {"requestId", "error", "tag"},
    {"requestId", "error"},
    {"statusCode", "timestamp", "message", "error", "path"},
)
#: Not part of the spec either: the test-harness endpoints (DESIGN §13).
HARNESS_PREFIX = "/__emulator/"


@dataclass
class FakeClock:
    now: float = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Exchange:
    method: str
    path: str  # raw path, e.g. /websets/v0/websets/abc
    status: int
    body: Any  # decoded JSON, or None for an empty body


@dataclass
class Recorder:
    """Every request/response the served emulator answered, in order."""

    exchanges: list[Exchange] = field(default_factory=list)

    def take(self) -> list[Exchange]:
        taken, self.exchanges = self.exchanges, []
        return taken


class SpecChecker:
    """Validates answers against the operation's response schema in the official OpenAPI spec."""

    def __init__(self, spec: dict[str, Any] | None) -> None:
        """``spec`` None (the spec file is absent): only the error body shape is checked."""
        self.spec = spec
        self.templates = [
            (path, method.upper(), op)
            for path, methods in (spec or {}).get("paths", {}).items()
            for method, op in methods.items()
        ]
        self.checked: set[tuple[str, str]] = set()

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        segments = path.removeprefix("/websets").strip("/").split("/")
        best: tuple[int, str, dict[str, Any]] | None = None
        for template, op_method, op in self.templates:
            parts = template.strip("/").split("/")
            if op_method != method or len(parts) != len(segments):
                continue
            pairs = list(zip(parts, segments, strict=True))
            if all(p.startswith("{") or p == s for p, s in pairs):
                literal = sum(1 for p, _ in pairs if not p.startswith("{"))
                if best is None or literal > best[0]:
                    best = (literal, template, op)
        assert best is not None, f"{method} {path} is not an operation of the spec"
        return best[1], best[2]

    def schema_for(self, ref_or_schema: dict[str, Any]) -> dict[str, Any]:
        assert self.spec is not None
        return {**ref_or_schema, "components": self.spec["components"]}

    def check(self, exchange: Exchange) -> None:
        if exchange.status >= 400:
            assert set(exchange.body) in ERROR_SHAPES, exchange.body
        if self.spec is None:
            return
        template, op = self.operation(exchange.method, exchange.path)
        responses = op["responses"]
        if exchange.status >= 400:
            return
        status = str(exchange.status)
        recorded, documented = RECORDED_STATUS.get((exchange.method, template), (None, None))
        if status == recorded:
            status = str(documented)
        assert status in responses, (
            f"{exchange.method} {template} answered {exchange.status}; "
            f"the spec documents {sorted(responses)}"
        )
        content = responses[status].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if (exchange.method, template) in RECORDED_BODY:
            schema = {"$ref": f"#/components/schemas/{RECORDED_BODY[exchange.method, template]}"}
        if schema is None:
            assert exchange.body is None, f"{exchange.method} {template} must have an empty body"
        else:
            jsonschema.validate(exchange.body, self.schema_for(schema))
        self.checked.add((exchange.method, template))

    def check_all(self, exchanges: list[Exchange]) -> int:
        count = 0
        for exchange in exchanges:
            if exchange.method == "PUT" and exchange.path.endswith(UPLOAD_SUFFIX):
                continue
            if exchange.path.startswith(HARNESS_PREFIX):
                continue
            self.check(exchange)
            count += 1
        return count


@dataclass
class Served:
    emulator: Emulator
    base_url: str
    clock: FakeClock
    recorder: Recorder
