"""Real processes for the crash and concurrency tests: `emulator serve` and the CLI itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from apply_support import API_KEY

#: Trials that each have their own account (emulator process) and folder run this many at once:
#: they mostly wait on processes, so the suite's wall time is not the sum of their sleeps.
CONCURRENT_TRIALS = 4

T = TypeVar("T")

CLI = [sys.executable, "-m", "websets_sync"]
_URL = re.compile(r"emulator on (http://127\.0\.0\.1:\d+/websets/v0)")


@contextmanager
def served_emulator(data: Path, *extra: str) -> Iterator[str]:
    """`websets-sync emulator serve --data FILE --port 0` in a subprocess; yields its API URL."""
    process = subprocess.Popen(
        [
            *CLI,
            "emulator",
            "serve",
            "--port",
            "0",
            "--data",
            str(data),
            "--api-key",
            API_KEY,
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = _URL.search(line)
        assert match, (
            f"emulator did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
        yield match.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reaps it and closes the pipes


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def cli_env(api_key: str = API_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WEBSETS_SYNC_API_URL", "NO_COLOR")}
    env.update({"EXA_API_KEY": api_key, "NO_COLOR": "1"})
    return env


def start_cli(
    url: str, state: Path, args: Sequence[str], cwd: Path, *, api_key: str = API_KEY
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "--api-url", url, "--state", str(state), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=cli_env(api_key),
    )


def run_cli(
    url: str, state: Path, args: Sequence[str], cwd: Path, *, api_key: str = API_KEY
) -> Finished:
    process = start_cli(url, state, args, cwd, api_key=api_key)
    stdout, stderr = process.communicate(timeout=120)
    return Finished(process.returncode, stdout, stderr)


def run_trials(trial: Callable[[int], T], count: int) -> list[T]:
    """``trial(0..count-1)``, CONCURRENT_TRIALS at a time; results in trial order. The first
    failure is raised (with its trial's own assertion message) once all have finished."""
    with ThreadPoolExecutor(max_workers=CONCURRENT_TRIALS) as pool:
        futures = [pool.submit(trial, number) for number in range(count)]
        return [future.result() for future in futures]
