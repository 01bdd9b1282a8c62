"""``state mv`` and ``state rm``: state surgery under the lock, with a backup (DESIGN §6, §11)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from websets_sync.cli.root import cli
from websets_sync.state.lock import LOCK_SUFFIX, StateLock
from websets_sync.state.store import (
    BACKUP_SUFFIX,
    ResourceState,
    State,
    load_state,
    write_state_atomically,
)

RESOURCES = {
    "webset/leads": ResourceState(id="webset_1", prevent_destroy=True),
    "webset/leads/search/first": ResourceState(id="wsearch_1"),
    "webset/leads/enrichment/ceo": ResourceState(id="wenrich_1"),
    "webset/leads-archive": ResourceState(id="webset_2"),
    "webhook/crm": ResourceState(id="webhook_1", secret="whsec_abcdefghijkl"),
}


def state_file(tmp_path: Path) -> Path:
    path = tmp_path / ".websets-sync" / "state.json"
    write_state_atomically(path, State(serial=3, lineage="l", project="p", resources=RESOURCES))
    return path


def run(path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-color", "--state", str(path), "state", *args])


def test_mv_of_a_webset_moves_its_children_and_keeps_a_backup(tmp_path: Path) -> None:
    path = state_file(tmp_path)
    result = run(path, "mv", "webset/leads", "webset/prospects")
    assert result.exit_code == 0, result.output
    state = load_state(path)
    assert sorted(state.resources) == [
        "webhook/crm",
        "webset/leads-archive",  # a name that merely starts alike is not a child
        "webset/prospects",
        "webset/prospects/enrichment/ceo",
        "webset/prospects/search/first",
    ]
    assert state.resources["webset/prospects"] == RESOURCES["webset/leads"]
    assert state.serial == 4
    backup = json.loads(Path(f"{path}{BACKUP_SUFFIX}").read_text())
    assert "webset/leads" in backup["resources"] and backup["serial"] == 3
    assert "Moved webset/leads/search/first to webset/prospects/search/first" in result.output


def test_mv_of_a_webhook_keeps_its_secret_and_never_prints_it(tmp_path: Path) -> None:
    path = state_file(tmp_path)
    result = run(path, "mv", "webhook/crm", "webhook/crm-sync")
    assert result.exit_code == 0, result.output
    assert load_state(path).resources["webhook/crm-sync"].secret == "whsec_abcdefghijkl"
    assert "whsec_" not in result.output


def test_mv_refuses_an_existing_target_a_missing_source_and_other_kinds(tmp_path: Path) -> None:
    path = state_file(tmp_path)
    taken = run(path, "mv", "webset/leads", "webset/leads-archive")
    assert taken.exit_code == 1
    assert "webset/leads-archive is already in the state file" in taken.output
    missing = run(path, "mv", "webhook/nope", "webhook/other")
    assert missing.exit_code == 1 and "webhook/nope is not in the state file" in missing.output
    kinds = run(path, "mv", "webhook/crm", "webset/crm")
    assert kinds.exit_code == 1 and "different kinds" in kinds.output
    across = run(path, "mv", "webset/leads/enrichment/ceo", "webset/x/enrichment/ceo")
    assert across.exit_code == 1 and "another webset" in across.output
    assert load_state(path).serial == 3  # nothing was written


def test_rm_forgets_a_webset_with_its_children(tmp_path: Path) -> None:
    path = state_file(tmp_path)
    result = run(path, "rm", "webset/leads")
    assert result.exit_code == 0, result.output
    assert sorted(load_state(path).resources) == ["webhook/crm", "webset/leads-archive"]
    assert Path(f"{path}{BACKUP_SUFFIX}").exists()
    assert run(path, "rm", "webset/leads").exit_code == 1


def test_surgery_waits_for_nobody_while_an_apply_holds_the_lock(tmp_path: Path) -> None:
    path = state_file(tmp_path)
    lock = StateLock(path)
    lock.acquire()
    try:
        result = run(path, "rm", "webhook/crm")
    finally:
        lock.release()
    assert result.exit_code == 1
    assert "lock" in result.output.lower()
    assert "webhook/crm" in load_state(path).resources
    assert not Path(f"{path}{LOCK_SUFFIX}").exists()


def test_surgery_without_a_state_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "none.json", "rm", "webhook/crm")
    assert result.exit_code == 1 and "no state file at" in result.output
