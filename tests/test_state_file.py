"""The state file: format, validation, atomic saves, backups and permissions (DESIGN §7)."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest

from websets_sync.errors import StateError
from websets_sync.state.store import (
    ResourceState,
    State,
    StateStore,
    load_state,
    write_state_atomically,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_file_is_an_empty_state(tmp_path: Path) -> None:
    state = load_state(tmp_path / "state.json", project="p")
    assert state.resources == {} and state.serial == 0 and state.project == "p"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('{"version": 2, "serial": 1, "lineage": "x", "resources": {}}', "version 2"),
        ('{"version": 1, "serial": -1, "lineage": "x", "resources": {}}', "invalid serial"),
        ('{"version": 1, "serial": 1, "lineage": "x", "resources": {"webset/a": {}}}', "invalid"),
        ('{"version": 1, "serial": 1, "lineage": "x", "resources": []}', "resources must be"),
    ],
)
def test_corrupt_or_unknown_files_are_clear_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StateError, match=message):
        load_state(path)


def test_state_of_another_project_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_state_atomically(path, State(serial=1, lineage="l", project="other"))
    with pytest.raises(StateError, match="belongs to project 'other', not 'mine'"):
        load_state(path, project="mine")


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    resources = {
        "webhook/h": ResourceState(id="wh_1", secret="whsec_x"),
        "webhook/g": ResourceState(id="wh_2", secret_unknown=True),
        "webset/a": ResourceState(id="ws_1", prevent_destroy=True),
    }
    write_state_atomically(path, State(serial=3, lineage="lin", project="p", resources=resources))
    loaded = load_state(path, project="p")
    assert loaded == State(serial=3, lineage="lin", project="p", resources=resources)
    raw = json.loads(path.read_text())
    assert raw["resources"]["webset/a"] == {"id": "ws_1", "prevent_destroy": True}


def test_reprs_never_show_secrets() -> None:
    state = State(resources={"webhook/h": ResourceState(id="wh_1", secret="whsec_hidden")})
    assert "whsec_hidden" not in repr(state)


def test_store_journals_every_mutation_and_compacts_with_serial_lineage_and_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / ".websets-sync" / "state.json"
    journal = tmp_path / ".websets-sync" / "state.json.journal"
    with StateStore(path, "p") as store:
        store.record("webset/a", ResourceState(id="ws_1"))
        # Acknowledged = in the journal (one fsynced line), which every reader replays.
        first = load_state(path)
        # The file is only the base the journal continues (written with the first change).
        assert json.loads(path.read_text())["serial"] == 0
        assert len(journal.read_text().splitlines()) == 1
        store.record("webset/b", ResourceState(id="ws_2"))
        store.forget("webset/a")
    final = json.loads(path.read_text())
    assert not journal.exists()  # compacted into the file when the store closed
    assert (first.serial, final["serial"]) == (1, 3)
    assert final["lineage"] == first.lineage != ""
    assert final["resources"] == {"webset/b": {"id": "ws_2"}}
    with StateStore(path, "p") as store:
        store.record("webset/c", ResourceState(id="ws_3"))
    backup = json.loads((tmp_path / ".websets-sync" / "state.json.backup").read_text())
    assert backup["serial"] == 3 and set(backup["resources"]) == {"webset/b"}
    assert json.loads(path.read_text())["lineage"] == first.lineage


def test_a_crash_loses_no_journaled_change(tmp_path: Path) -> None:
    path = tmp_path / ".websets-sync" / "state.json"
    with StateStore(path, "p") as store:
        store.record("webset/a", ResourceState(id="ws_1"))
    lineage = load_state(path).lineage
    store = StateStore(path, "p")
    store.open()
    store.record("webhook/h", ResourceState(id="wh_1", secret="whsec_kept"))
    store.forget("webset/a")
    store.lock.release()  # the process dies here: no compaction
    journal = tmp_path / ".websets-sync" / "state.json.journal"
    with journal.open("a") as handle:
        handle.write('{"lineage": "torn by the cra')  # a write the crash cut short
    seen = load_state(path)
    assert (seen.serial, seen.lineage) == (3, lineage)
    assert set(seen.resources) == {"webhook/h"}
    assert seen.resources["webhook/h"].secret == "whsec_kept"
    with StateStore(path, "p") as store:  # the next apply folds the journal into the file
        assert store.state.serial == 3
        store.record("webset/b", ResourceState(id="ws_2"))
    assert not journal.exists()
    assert json.loads(path.read_text())["serial"] == 4
    assert set(load_state(path).resources) == {"webhook/h", "webset/b"}


def test_a_long_journal_is_compacted_during_the_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StateStore, "COMPACT_AFTER", 3)
    path = tmp_path / "state.json"
    journal = tmp_path / "state.json.journal"
    with StateStore(path, "p") as store:
        for i in range(4):
            store.record(f"webset/w{i}", ResourceState(id=f"ws_{i}"))
        assert json.loads(path.read_text())["serial"] == 3
        assert len(journal.read_text().splitlines()) == 1
        assert load_state(path).serial == 4
    assert json.loads(path.read_text())["serial"] == 4


def test_an_old_journal_of_another_lineage_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_state_atomically(path, State(serial=1, lineage="mine", project="p"))
    (tmp_path / "state.json.journal").write_text(
        '{"lineage":"other","serial":2,"record":"webset/x","resource":{"id":"ws_x"}}\n'
    )
    assert load_state(path).resources == {} and load_state(path).serial == 1


def test_unchanged_record_does_not_write(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with StateStore(path, "p") as store:
        store.record("webset/a", ResourceState(id="ws_1"))
        store.record("webset/a", ResourceState(id="ws_1"))
        store.forget("webset/missing")
        assert store.state.serial == 1


def test_permissions_are_private(tmp_path: Path) -> None:
    folder = tmp_path / ".websets-sync"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "state.json"
    with StateStore(path, "p") as store:
        store.record("webset/a", ResourceState(id="ws_1"))
        assert _mode(folder / "state.json.journal") == 0o600
    with StateStore(path, "p") as store:  # the second compaction keeps the first as backup
        store.record("webset/b", ResourceState(id="ws_2"))
    assert _mode(folder) == 0o700
    assert _mode(path) == 0o600
    assert _mode(folder / "state.json.backup") == 0o600
    nested = tmp_path / "new" / "deeper" / "state.json"
    write_state_atomically(nested, State(lineage="l", project="p"))
    assert _mode(nested.parent) == 0o700 and _mode(nested) == 0o600


def test_failed_write_leaves_previous_file_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    write_state_atomically(path, State(serial=1, lineage="l", project="p"))

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("websets_sync.state.files.os.replace", broken_replace)
    with pytest.raises(StateError, match="disk full"):
        write_state_atomically(path, State(serial=2, lineage="l", project="p"))
    monkeypatch.undo()
    assert load_state(path).serial == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_concurrent_records_are_all_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with StateStore(path, "p") as store:

        def worker(n: int) -> None:
            for i in range(10):
                store.record(f"webset/w{n}-{i}", ResourceState(id=f"ws_{n}_{i}"))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    state = load_state(path)
    assert len(state.resources) == 40 and state.serial == 40


def test_forgetting_a_webset_with_children_drops_its_tree_in_one_save(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with StateStore(path, "p") as store:
        for address in ("webset/a", "webset/a/search/s", "webset/ab", "webhook/a"):
            store.record(address, ResourceState(id=address))
        store.forget("webset/a", children=True)
        assert set(store.state.resources) == {"webset/ab", "webhook/a"}
        assert store.state.serial == 5
