"""State file safety (issue 10, findings 3, 5 and 6): no secret lost to a failed write, no
traceback for any state-file fault, symlinks, leftovers, permissions and contents checked."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from websets_sync.errors import StateError
from websets_sync.state.lock import StateLock
from websets_sync.state.store import (
    ResourceState,
    State,
    StateSaveError,
    StateStore,
    load_state,
    write_state_atomically,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write(path: Path, raw: object) -> None:
    path.write_text(json.dumps(raw))


def _state_json(**overrides: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "version": 1,
        "serial": 1,
        "lineage": "l",
        "project": "p",
        "resources": {},
    }
    raw.update(overrides)
    return raw


# --- finding 6: every fault is a StateError, never a traceback ---------------------------------


def test_state_file_that_is_not_utf8_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b'{"version": 1, "project": "\xff\xfe"}')
    with pytest.raises(StateError, match="not UTF-8"):
        load_state(path)


def test_deeply_nested_state_json_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(StateError, match="nested too deeply"):
        load_state(path)


def test_read_only_state_folder_is_a_state_error_on_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    real_mkstemp = __import__("tempfile").mkstemp

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("websets_sync.state.files.tempfile.mkstemp", read_only)
    with pytest.raises(StateError, match="cannot write the state file .*Read-only file system"):
        write_state_atomically(path, State(lineage="l", project="p"))
    monkeypatch.setattr("websets_sync.state.files.tempfile.mkstemp", real_mkstemp)


def test_read_only_folder_fails_the_writability_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(tmp_path / "state.json", "p")
    with store:

        def read_only(*args: object, **kwargs: object) -> int:
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr("websets_sync.state.files.os.open", read_only)
        with pytest.raises(StateError, match="cannot be written.*Read-only file system"):
            store.check_writable()


def test_disk_full_while_taking_the_lock_is_clear_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("websets_sync.state.lock.os.fsync", full)
    lock = StateLock(tmp_path / "state.json")
    with pytest.raises(StateError, match="cannot take the state lock.*No space left"):
        lock.acquire()
    assert list(tmp_path.iterdir()) == []
    assert not lock.held


# --- finding 5: contents validated ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_state_json(project=None), "project"),
        (_state_json(project=""), "project"),
        (_state_json(project="no spaces allowed"), "project"),
        (_state_json(resources={"../../etc/passwd": {"id": "x"}}), "not an address"),
        (_state_json(resources={"webset/a/b/c": {"id": "x"}}), "not an address"),
        (_state_json(resources={"webhook/ok": {"id": ""}}), "invalid"),
        (_state_json(resources={"webhook/ok": {"id": "x", "prevent_destroy": "yes"}}), "invalid"),
        (_state_json(lineage=7), "lineage"),
    ],
)
def test_invalid_contents_are_rejected(tmp_path: Path, raw: object, message: str) -> None:
    path = tmp_path / "state.json"
    _write(path, raw)
    with pytest.raises(StateError, match=message):
        load_state(path)


# --- finding 5: symlinks, leftovers, permissions -------------------------------------------------


def test_symlinked_state_file_is_written_through_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "secrets" / "state.json"
    real.parent.mkdir()
    write_state_atomically(real, State(serial=1, lineage="l", project="p"))
    link = tmp_path / "state.json"
    link.symlink_to(real)
    with StateStore(link, "p") as store:
        store.record("webhook/h", ResourceState(id="wh_1", secret="whsec_new"))
    assert link.is_symlink()
    assert load_state(real).get("webhook/h") == ResourceState(id="wh_1", secret="whsec_new")


def test_temp_files_left_by_a_killed_apply_are_removed_when_the_state_is_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    write_state_atomically(path, State(serial=1, lineage="l", project="p"))
    leftovers = [
        tmp_path / ".state.json.abc123.tmp",
        tmp_path / ".state.json.backup.4242.tmp",
        tmp_path / "state.json.lock.999999.tmp",
    ]
    for leftover in leftovers:
        leftover.write_text('{"secret": "whsec_left"}')
    unrelated = tmp_path / ".other.json.x.tmp"
    unrelated.write_text("{}")
    with StateStore(path, "p"):
        pass
    assert not any(p.exists() for p in leftovers)
    assert unrelated.exists()


def test_state_file_readable_by_others_is_reported_and_tightened(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_state_atomically(path, State(serial=1, lineage="l", project="p"))
    path.chmod(0o644)
    with StateStore(path, "p") as store:
        assert any("readable by others" in notice for notice in store.notices)
    assert _mode(path) == 0o600


def test_a_custom_state_folder_holding_only_state_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "ci-state"
    folder.mkdir()
    folder.chmod(0o755)
    with StateStore(folder / "state.json", "p") as store:
        store.record("webset/a", ResourceState(id="ws_1"))
    assert _mode(folder) == 0o700


def test_a_shared_folder_is_not_chmodded_but_reported(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    folder.chmod(0o755)
    (folder / "README.md").write_text("hi")
    with StateStore(folder / "state.json", "p") as store:
        store.record("webset/a", ResourceState(id="ws_1"))
        assert any("accessible by others" in notice for notice in store.notices)
    assert _mode(folder) == 0o755
    assert _mode(folder / "state.json") == 0o600


# --- finding 3: no secret lost to a failed write -------------------------------------------------


def test_a_save_that_fails_puts_the_state_in_a_private_rescue_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "st"
    rescue_dir = tmp_path / "rescue"
    rescue_dir.mkdir()
    path = folder / "state.json"
    store = StateStore(path, "p", rescue_dirs=(rescue_dir,))
    with store:
        store.record("webhook/a", ResourceState(id="wh_a", secret="whsec_AAA"))

        def full(*args: object, **kwargs: object) -> tuple[int, str]:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("websets_sync.state.files.tempfile.mkstemp", full)
        monkeypatch.setattr("websets_sync.state.journal.os.write", full)  # the journal too
        with pytest.raises(StateSaveError) as caught:
            store.record("webhook/b", ResourceState(id="wh_b", secret="whsec_BBB"))
        with pytest.raises(StateSaveError) as again:
            store.record("webhook/c", ResourceState(id="wh_c", secret="whsec_CCC"))
    error = caught.value
    assert error.resource_id == "wh_b"
    assert error.rescue_file is not None and error.rescue_file.parent == rescue_dir
    assert again.value.rescue_file == error.rescue_file
    text = f"{error.message}\n{error.detail}"
    assert "whsec_" not in text and str(error.rescue_file) in text
    assert _mode(error.rescue_file) == 0o600
    rescued = load_state(error.rescue_file)
    assert {k: v.secret for k, v in rescued.resources.items()} == {
        "webhook/a": "whsec_AAA",
        "webhook/b": "whsec_BBB",
        "webhook/c": "whsec_CCC",
    }
    # The state file on disk is still the last good one.
    assert set(load_state(path).resources) == {"webhook/a"}


def test_failed_save_keeps_its_temp_file_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    write_state_atomically(path, State(serial=1, lineage="l", project="p"))

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("websets_sync.state.files.os.fsync", failing_fsync)
    with pytest.raises(StateError):
        write_state_atomically(path, State(serial=2, lineage="l", project="p"))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert os.stat(path).st_size > 0
