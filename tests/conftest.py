"""Test-wide settings."""

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

import websets_sync.cli.wiring

# The same examples on every run: a red CI then always means a real regression and can be
# reproduced. Explore new examples locally with HYPOTHESIS_PROFILE=explore.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def no_real_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """CLI runs in this process retry at once: the retry *policy* is tested with an injected
    clock (test_client_retry.py); everywhere else waiting for real only slows the suite."""
    monkeypatch.setattr(websets_sync.cli.wiring, "RETRY_BACKOFF", (0.0, 0.0))
    yield
