"""The state lock: one apply at a time, holder named, dead holders' stale locks taken over."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from websets_sync.errors import StateLockedError
from websets_sync.state.lock import StateLock
from websets_sync.state.store import StateStore


def test_second_holder_fails_at_once_naming_pid_host_and_start(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = StateLock(path, pid=os.getpid(), host="ci-runner", clock=lambda: 0.0)
    first.acquire()
    second = StateLock(path, host="ci-runner")
    with pytest.raises(StateLockedError) as caught:
        second.acquire()
    assert f"pid {os.getpid()} on host ci-runner" in str(caught.value)
    assert "1970-01-01T00:00:00+00:00" in str(caught.value)
    first.release()
    second.acquire()
    second.release()
    assert not (tmp_path / "state.json.lock").exists()


def test_store_holds_the_lock_while_open(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with StateStore(path, "p"), pytest.raises(StateLockedError), StateStore(path, "p"):
        pass
    with StateStore(path, "p"):
        pass


def test_stale_lock_of_dead_process_on_this_host_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    lock_file = tmp_path / "state.json.lock"
    lock_file.write_text(json.dumps({"pid": 999999, "host": "me", "started_at": "then"}))
    lock = StateLock(path, host="me", pid_alive=lambda pid: False)
    lock.acquire()
    assert lock.took_over is not None and lock.took_over.pid == 999999
    assert json.loads(lock_file.read_text())["pid"] == os.getpid()
    lock.release()


def test_lock_from_another_host_is_never_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    (tmp_path / "state.json.lock").write_text(
        json.dumps({"pid": 999999, "host": "elsewhere", "started_at": "then"})
    )
    with pytest.raises(StateLockedError, match="pid 999999 on host elsewhere") as caught:
        StateLock(path, host="me", pid_alive=lambda pid: False).acquire()
    assert "delete" in (caught.value.detail or "")


def test_live_holder_on_this_host_is_respected(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    (tmp_path / "state.json.lock").write_text(
        json.dumps({"pid": 4242, "host": "me", "started_at": "then"})
    )
    with pytest.raises(StateLockedError, match="pid 4242"):
        StateLock(path, host="me", pid_alive=lambda pid: True).acquire()


def test_release_never_removes_a_lock_someone_else_took_over(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    mine = StateLock(path, host="me")
    mine.acquire()
    (tmp_path / "state.json.lock").write_text(
        json.dumps({"pid": 1, "host": "me", "started_at": "later"})
    )
    mine.release()
    assert (tmp_path / "state.json.lock").exists()
