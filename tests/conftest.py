"""Test-wide settings."""

import os
import signal
from collections.abc import Iterator

import pytest
from hypothesis import settings

import websets_sync.cli.wiring
import websets_sync.manifest.files

# The same examples on every run: a red CI then always means a real regression and can be
# reproduced. Explore new examples locally with HYPOTHESIS_PROFILE=explore.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config: pytest.Config) -> None:
    """Tests send Ctrl-C (SIGINT) to apply and to `emulator serve`, and to themselves. A suite
    started as a background job of a non-interactive shell inherits SIGINT *ignored*, and so
    would every process it starts (Python keeps an ignored SIGINT ignored): the signal would do
    nothing and a test wait forever. Take the usual Ctrl-C handling back (runs in every worker)."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (``slow``: they mostly wait on processes) go first, so the workers share
    out the short ones around them instead of one worker finishing a long one alone at the end.
    The sort is stable: everything else keeps its order (module-scoped fixtures stay shared)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def no_real_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """CLI runs in this process retry at once: the retry *policy* is tested with an injected
    clock (test_client_retry.py); everywhere else waiting for real only slows the suite."""
    monkeypatch.setattr(websets_sync.cli.wiring, "RETRY_BACKOFF", (0.0, 0.0))
    yield


@pytest.fixture(scope="module", params=["libyaml", "pure-python"])
def yaml_composer(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests with libyaml's composer and again with the pure-Python one (what a
    PyYAML without libyaml uses): both must give the same data, locations and messages.

    Module-scoped (set and restored by hand) so hypothesis tests can use it too."""
    files = websets_sync.manifest.files
    if request.param == "libyaml" and files.C_LOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    saved = files.C_LOADER
    if request.param == "pure-python":
        files.C_LOADER = None
    try:
        yield request.param
    finally:
        files.C_LOADER = saved
