"""The state journal: every change an apply makes, appended and fsynced before it is acknowledged.

Rewriting the whole state file after each change made an apply quadratic (a file of n entries
written n times). Instead each change is one JSON line appended to ``<state file>.journal`` and
made durable (O(1)); the state file is rewritten (compacted) when the store closes and whenever
the journal has grown as long as the state itself, so compaction costs O(1) per change amortized.

Each line carries the state's lineage and the serial the change produces. Reading a state (with
or without the lock) replays the lines that follow the file's serial in its lineage, so a crash at
any point loses nothing acknowledged: a line torn by the crash was never acknowledged and ends the
replay. A crash between compaction and truncation leaves lines the file already holds (their
serials are not newer), which replay skips. Only the holder of the state lock writes the journal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from websets_sync.state.descendants import Descendants
from websets_sync.state.files import fsync_folder

JOURNAL_SUFFIX = ".journal"

_sync = getattr(os, "fdatasync", os.fsync)


def journal_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + JOURNAL_SUFFIX)


def record_entry(
    lineage: str, serial: int, address: str, resource: Mapping[str, Any], api_url: str | None
) -> str:
    entry = {"lineage": lineage, "serial": serial, "record": address, "resource": resource}
    return _line(entry, api_url)


def forget_entry(
    lineage: str, serial: int, address: str, children: bool, api_url: str | None
) -> str:
    entry = {"lineage": lineage, "serial": serial, "forget": address, "children": children}
    return _line(entry, api_url)


def _line(entry: dict[str, Any], api_url: str | None) -> str:
    if api_url is not None:
        entry["api_url"] = api_url  # the API the state is bound to (binding.py)
    return json.dumps(entry, separators=(",", ":")) + "\n"


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """What changes when the state file is replaced (compacted)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def with_journal(state_path: Path, raw: Any) -> Any:
    """The state file's JSON ``raw`` with the journal's acknowledged changes applied."""
    if not isinstance(raw, dict):
        return raw  # invalid: the caller says how
    resources, lineage, serial = raw.get("resources", {}), raw.get("lineage"), raw.get("serial")
    if not isinstance(resources, dict) or not isinstance(lineage, str):
        return raw
    if not isinstance(serial, int) or isinstance(serial, bool):
        return raw
    resources = dict(resources)
    lineage, reached, api_url = replay(state_path, lineage, serial, resources)
    if reached == serial:
        return raw
    changed = {**raw, "lineage": lineage, "serial": reached, "resources": resources}
    if api_url is not None:
        changed["api_url"] = api_url
    return changed


class JournalWriter:
    """The open journal of a locked state file: ``append`` returns once the line is on disk."""

    def __init__(self, state_path: Path) -> None:
        self.path = journal_path(state_path)
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(self._fd, 0o600)
        if created:
            fsync_folder(self.path.parent)  # the new file's name must survive a crash too
        self.entries = 0

    def append(self, line: str) -> None:
        os.write(self._fd, line.encode("utf-8"))
        _sync(self._fd)
        self.entries += 1

    def truncate(self) -> None:
        """Empty the journal (after its lines were compacted into the state file)."""
        os.ftruncate(self._fd, 0)
        _sync(self._fd)
        self.entries = 0

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)

    def remove(self) -> None:
        """Close and delete the journal (the state file holds everything)."""
        self.close()
        self.path.unlink(missing_ok=True)
        fsync_folder(self.path.parent)


def replay(
    state_path: Path,
    lineage: str,
    serial: int,
    resources: MutableMapping[str, Any],
) -> tuple[str, int, str | None]:
    """Apply the journal's lines that follow ``serial`` in ``lineage`` (any lineage when the
    state file had none yet) to ``resources`` (address → the resource's JSON form).

    Returns the lineage, the serial reached and the API URL the last applied line names.
    """
    api_url: str | None = None
    try:
        raw = journal_path(state_path).read_bytes()
    except FileNotFoundError:
        return lineage, serial, api_url
    descendants: Descendants | None = None  # filed on the first forget of a webset's children
    for chunk in raw.split(b"\n")[:-1]:  # the part after the last newline is torn or empty
        try:
            entry = json.loads(chunk)
        except ValueError:
            break  # torn by a crash: never acknowledged, and nothing after it was written
        if not isinstance(entry, dict) or not isinstance(entry.get("serial"), int):
            break
        if lineage and entry.get("lineage") != lineage:
            continue  # an older state's journal left behind: not this file's history
        if entry["serial"] <= serial:
            continue  # already compacted into the file
        if entry["serial"] != serial + 1:
            break
        lineage = str(entry.get("lineage") or lineage)
        if "record" in entry:
            address = str(entry["record"])
            resources[address] = entry.get("resource")
            if descendants is not None:
                descendants.add(address)
        else:
            address = str(entry.get("forget"))
            gone = [address]
            if entry.get("children") is True:
                if descendants is None:
                    descendants = Descendants(resources)
                gone += descendants.below(address)
            for key in gone:
                resources.pop(key, None)
                if descendants is not None:
                    descendants.discard(key)
        if isinstance(entry.get("api_url"), str):
            api_url = entry["api_url"]
        serial += 1
    return lineage, serial, api_url
