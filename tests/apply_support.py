"""Shared helpers for the apply and reliability tests: manifests, an emulator world, plan+apply."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from websets_sync.apply.runner import ApplyResult, apply_plan
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator, Faults, Timing
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT, LiveState
from websets_sync.plan import Plan, PlanOptions, build_plan
from websets_sync.plan.imports import needs_imports
from websets_sync.state.store import StateStore, load_state

API_URL = "http://emulator.local/websets/v0"
API_KEY = "test-key-3f9a1c"
MUTATING = ("POST", "PATCH", "DELETE", "PUT")


def manifest(
    project: str = "proj",
    *,
    websets: int = 2,
    searches: int = 2,
    enrichments: int = 2,
    monitors: int = 1,
    webhooks: int = 1,
    title_suffix: str = "",
) -> str:
    """A manifest with ``websets`` websets (each with the given children) and webhooks."""
    lines = ["version: 1", f"project: {project}", "websets:" if websets else "websets: []"]
    for w in range(websets):
        lines += [f"  - externalId: ws-{w}", f"    title: Webset {w}{title_suffix}"]
        lines.append("    searches:" if searches else "    searches: []")
        for s in range(searches):
            lines += [
                f"      - externalId: s{s}",
                f"        query: companies number {w}-{s}",
                "        count: 5",
            ]
        if enrichments:
            lines.append("    enrichments:")
        for e in range(enrichments):
            lines += [f"      - externalId: e{e}", f"        description: Fact {e} of {w}"]
        if monitors:
            lines.append("    monitors:")
        for m in range(monitors):
            lines += [
                f"      - externalId: m{m}",
                "        cadence: {cron: '0 9 * * 1'}",
                "        behavior: {type: search, config: {query: new ones, count: 3}}",
            ]
    if webhooks:
        lines.append("webhooks:")
    for h in range(webhooks):
        lines += [
            f"  - externalId: hook-{h}",
            f"    url: https://hooks.example.com/{h}",
            "    events: [webset.idle]",
        ]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def fetch_live(client: WebsetsClient) -> LiveState:
    return fetch_live_state(client)


class LoseResponses:
    """A transport that commits matching requests in the emulator, then loses the answer.

    ``rules`` maps ``"METHOD regex"`` to how many matching answers to lose.
    """

    def __init__(self, emulator: Emulator, rules: dict[str, int]) -> None:
        self.emulator = emulator
        self.rules = dict(rules)
        self.lost: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.emulator.handle(request)
        for rule, left in self.rules.items():
            method, _, pattern = rule.partition(" ")
            if left > 0 and request.method == method and re.search(pattern, request.url.path):
                self.rules[rule] = left - 1
                self.lost.append(f"{request.method} {request.url.path}")
                raise httpx.RemoteProtocolError("connection lost (test)", request=request)
        return response


@dataclass
class World:
    """An emulator, a client talking to it in-process, and a state file."""

    tmp: Path
    emulator: Emulator = field(
        default_factory=lambda: Emulator(
            api_key=API_KEY, timing=Timing(search_seconds=0.0, generate_seconds=0.0)
        )
    )
    rate_limit: float | None = None
    #: Replaces the emulator as the network when set (wrappers that lose or fail requests).
    intercept: Callable[[httpx.Request], httpx.Response] | None = None

    def __post_init__(self) -> None:
        self.state_path = self.tmp / ".websets-sync" / "state.json"
        self.client = WebsetsClient(
            httpx.Client(transport=httpx.MockTransport(self._handle)),
            api_key=API_KEY,
            api_url=API_URL,
            rate_limit=self.rate_limit,
            sleep=lambda seconds: None,  # retries and throttling take no wall time in tests
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.intercept is not None:
            return self.intercept(request)
        return self.emulator.handle(request)

    def set_faults(self, faults: Faults) -> None:
        self.emulator.faults = faults

    def plan(self, paths: Sequence[Path], options: PlanOptions | None = None) -> Plan:
        desired, _ = load_desired_state(paths, {})
        state = load_state(self.state_path, project=desired.project)
        live = fetch_live_state(self.client, imports=needs_imports(desired, state))
        return build_plan(desired, live, state, options or PlanOptions())

    def apply(
        self, paths: Sequence[Path], options: PlanOptions | None = None, **kwargs: Any
    ) -> tuple[Plan, ApplyResult]:
        plan = self.plan(paths, options)
        return plan, self.execute(plan, **kwargs)

    def execute(self, plan: Plan, **kwargs: Any) -> ApplyResult:
        with StateStore(self.state_path, plan.project) as store:
            return apply_plan(plan, self.client, store, **kwargs)

    def requests(self) -> list[str]:
        return [f"{e.method} {e.path}" for e in self.emulator.request_log]

    def mutations(self) -> list[str]:
        return [f"{e.method} {e.path}" for e in self.emulator.request_log if e.method in MUTATING]

    def objects(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.emulator.store.all(kind)]


def tag_counts(objects: Iterable[dict[str, Any]], project: str) -> dict[tuple[str, str], int]:
    """How many objects carry each (webset id, externalId tag) of ``project``."""
    counts: dict[tuple[str, str], int] = {}
    for obj in objects:
        metadata = obj.get("metadata") or {}
        if metadata.get(TAG_PROJECT) == project and TAG_EXTERNAL_ID in metadata:
            key = (str(obj.get("websetId", "")), str(metadata[TAG_EXTERNAL_ID]))
            counts[key] = counts.get(key, 0) + 1
    return counts


#: What a webhook secret looks like (the emulator's and Exa's format).
SECRET_PATTERN = re.compile(r"whsec_[0-9A-Za-z]{8,}")


def assert_no_secrets(*texts: str, extra: Iterable[str] = ()) -> None:
    """No webhook secret (by shape, or any known one) and no API key in any of ``texts``."""
    forbidden = [API_KEY, *[s for s in extra if s]]
    for text in texts:
        assert not SECRET_PATTERN.search(text), "a webhook secret leaked into output"
        for secret in forbidden:
            assert secret not in text, "a secret leaked into output"
