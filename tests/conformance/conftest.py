"""Fixtures for the conformance tests: a served emulator (fake clock) and the spec checker."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml
from exa_conformance import (
    API_KEY,
    SPEC_PATH,
    Exchange,
    FakeClock,
    Recorder,
    Served,
    SpecChecker,
)

from websets_sync.emulator import Emulator, serve


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    """The vendored spec; without it the SDK checks still run and the route test skips."""
    if not SPEC_PATH.exists():
        return SpecChecker(None)
    return SpecChecker(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))


@pytest.fixture
def served() -> Iterator[Served]:
    clock = FakeClock()
    emulator = Emulator(api_key=API_KEY, clock=clock, seed=7)
    recorder = Recorder()
    answer = emulator.handle

    def recording(request: httpx.Request) -> httpx.Response:
        response = answer(request)
        body = response.json() if response.content else None
        recorder.exchanges.append(
            Exchange(request.method, request.url.path, response.status_code, body)
        )
        return response

    emulator.handle = recording  # type: ignore[method-assign]
    server, base_url = serve(emulator)
    try:
        yield Served(emulator, base_url, clock, recorder)
    finally:
        server.shutdown()
        server.server_close()
