"""The pytest plugin users get (websets_sync.testing): the README's example runs as they run it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
# The example drives the emulator with exa-py, which `make test-lowest` does not install.
pytest.importorskip("exa_py")


def _readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("### Testing your own code", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block.group(1)


def test_the_readme_example_passes_in_a_fresh_pytest_run(tmp_path: Path) -> None:
    """Only the installed entry point provides the fixtures: no conftest, no pytest_plugins."""
    (tmp_path / "test_receiver.py").write_text(_readme_example(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


def test_a_failing_receiver_sees_the_retry(tmp_path: Path) -> None:
    original = _readme_example()
    example = original.replace(
        "    hook = exa.websets.webhooks.create(",
        "    webhook_receiver.statuses = [500]\n    hook = exa.websets.webhooks.create(",
    )
    example = example.replace(
        '["webset.created", "webset.idle"]\n    delivery',
        '["webset.created", "webset.created", "webset.idle"]\n    delivery',
    )
    assert (
        example.count("statuses = [500]") == 1
        and example.count('"webset.created", "webset.created"') == 1
    )
    (tmp_path / "test_retry.py").write_text(example, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
