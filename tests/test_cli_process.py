"""The command's process-wide settings: the garbage collector runs rarely (issue 16: a third of
a large plan's CPU went to re-scanning the long-lived manifest, live state and plan)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

import websets_sync.cli
from websets_sync.cli.process import GC_THRESHOLDS


@pytest.fixture
def restored_gc() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("restored_gc")
def test_the_entry_point_tunes_the_collector_before_running_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.set_threshold(700, 10, 10)
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(websets_sync.cli.cli, "main", lambda **_: seen.append(gc.get_threshold()))
    websets_sync.cli.main()
    assert seen == [GC_THRESHOLDS]


def test_python_dash_m_runs_the_same_entry_point() -> None:
    script = (
        "import gc, sys; import websets_sync.cli as c; c.cli.main = lambda **_: "
        "print(gc.get_threshold()); sys.argv = ['websets-sync']; "
        "import runpy; runpy.run_module('websets_sync', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(GC_THRESHOLDS)
