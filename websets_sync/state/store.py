"""The local state file (DESIGN §7): ids, webhook secrets, remembered preventDestroy.

Live metadata is the source of identity; the state file only keeps what the API cannot tell us
again (webhook secrets) and what must outlive a manifest edit (preventDestroy).

The file is versioned (``version``, ``serial``, ``lineage``), written atomically after every
successful mutation (temp file, fsync, rename, fsync of the folder) with the previous version kept
as ``<file>.backup``, mode 0600 in a 0700 folder, and guarded by an exclusive lock while applying
(state_lock.py).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from websets_sync.errors import StateError
from websets_sync.state.lock import StateLock

STATE_VERSION = 1
BACKUP_SUFFIX = ".backup"
#: The tool's own folder; tightened to 0700 even when something else created it first.
TOOL_FOLDER = ".websets-sync"


@dataclass(frozen=True)
class ResourceState:
    """What the state file remembers of one address.

    ``secret`` is a webhook's signing secret; ``secret_unknown`` marks a webhook whose create
    response was lost, so its secret can never be known (plan suggests ``--replace``).
    """

    id: str
    secret: str | None = field(default=None, repr=False)
    secret_unknown: bool = False
    prevent_destroy: bool = False


@dataclass(frozen=True)
class State:
    version: int = STATE_VERSION
    serial: int = 0
    lineage: str = ""
    project: str | None = None
    resources: Mapping[str, ResourceState] = field(default_factory=dict)  # by str(Address)

    def get(self, address: str) -> ResourceState | None:
        return self.resources.get(address)


# --- reading ------------------------------------------------------------------------------------


def load_state(path: Path, *, project: str | None = None) -> State:
    """Read the state file. A missing file is an empty state.

    Raises StateError for a file that is not valid JSON, has an unknown version or shape, or
    (when ``project`` is given) belongs to another project.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State(project=project)
    except OSError as exc:
        raise StateError(f"cannot read state file {path}: {exc.strerror}") from exc
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise StateError(
            f"state file {path} is not valid JSON ({exc})",
            detail=f"The previous version may be in {path}{BACKUP_SUFFIX}.",
        ) from exc
    state = _state_from_json(raw, path)
    if project is not None and state.project is not None and state.project != project:
        raise StateError(
            f"state file {path} belongs to project {state.project!r}, not {project!r}",
            detail="Use --state to point at this project's state file.",
        )
    return state


def _state_from_json(raw: Any, path: Path) -> State:
    if not isinstance(raw, dict):
        raise StateError(f"state file {path} is not a JSON object")
    version = raw.get("version")
    if version != STATE_VERSION:
        raise StateError(
            f"state file {path} has version {version!r}; this websets-sync reads version "
            f"{STATE_VERSION}",
            detail="It was probably written by a newer websets-sync; upgrade to use it.",
        )
    serial, lineage, project = raw.get("serial"), raw.get("lineage"), raw.get("project")
    resources = raw.get("resources", {})
    if not isinstance(serial, int) or serial < 0 or not isinstance(lineage, str):
        raise StateError(f"state file {path} has an invalid serial or lineage")
    if project is not None and not isinstance(project, str):
        raise StateError(f"state file {path} has an invalid project")
    if not isinstance(resources, dict):
        raise StateError(f"state file {path}: resources must be an object")
    return State(
        version=STATE_VERSION,
        serial=serial,
        lineage=lineage,
        project=project,
        resources={
            address: _resource_from_json(address, entry, path)
            for address, entry in resources.items()
        },
    )


def _resource_from_json(address: str, raw: Any, path: Path) -> ResourceState:
    problem = f"state file {path}: resource {address!r} is invalid"
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise StateError(problem, detail="Each resource needs a string id.")
    secret = raw.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise StateError(problem, detail="secret must be a string.")
    return ResourceState(
        id=raw["id"],
        secret=secret,
        secret_unknown=raw.get("secret_unknown") is True,
        prevent_destroy=raw.get("prevent_destroy") is True,
    )


# --- writing ------------------------------------------------------------------------------------


def state_to_json(state: State) -> dict[str, Any]:
    """The file's JSON form. Optional flags are written only when set, to keep diffs small."""
    resources: dict[str, Any] = {}
    for address in sorted(state.resources):
        entry = state.resources[address]
        item: dict[str, Any] = {"id": entry.id}
        if entry.secret is not None:
            item["secret"] = entry.secret
        if entry.secret_unknown:
            item["secret_unknown"] = True
        if entry.prevent_destroy:
            item["prevent_destroy"] = True
        resources[address] = item
    return {
        "version": state.version,
        "serial": state.serial,
        "lineage": state.lineage,
        "project": state.project,
        "resources": resources,
    }


def write_state_atomically(path: Path, state: State) -> None:
    """Replace ``path`` with ``state`` so that a crash leaves either the old or the new file.

    The previous file becomes ``<path>.backup`` (also replaced atomically) before the new one
    lands, so at every instant both a complete state file and a complete backup exist.
    """
    folder = path.parent
    ensure_private_folder(folder)
    data = json.dumps(state_to_json(state), indent=2, sort_keys=False) + "\n"
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            _keep_backup(path)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _keep_backup(path: Path) -> None:
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    staging = path.with_name(f".{backup.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    try:
        # A hard link is instant and atomic; the old inode survives the rename that follows.
        os.link(path, staging)
    except OSError:
        shutil.copy2(path, staging)
    try:
        os.chmod(staging, 0o600)
        os.replace(staging, backup)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def ensure_private_folder(folder: Path) -> None:
    """Create the folder 0700; tighten the tool's own folder if something made it looser."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    elif folder.name == TOOL_FOLDER and folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StateStore:
    """The state file while an apply runs: locked, and saved after every recorded change.

    Use as a context manager (``with StateStore(path, project) as store:``). ``record`` and
    ``forget`` are thread-safe; each one that changes something writes a new serial to disk
    before returning, so a crash never loses a mutation that already succeeded.
    """

    def __init__(self, path: Path, project: str, *, lock: StateLock | None = None) -> None:
        self.path = path
        self.project = project
        self.lock = lock or StateLock(path)
        self._mutex = threading.Lock()
        self._state = State(project=project)

    def __enter__(self) -> StateStore:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> None:
        """Take the lock, then read the file (so nobody can change it between the two)."""
        ensure_private_folder(self.path.parent)
        self.lock.acquire()
        try:
            state = load_state(self.path, project=self.project)
        except BaseException:
            self.lock.release()
            raise
        lineage = state.lineage or str(uuid.uuid4())
        self._state = replace(state, project=self.project, lineage=lineage)

    def close(self) -> None:
        self.lock.release()

    @property
    def state(self) -> State:
        with self._mutex:
            return self._state

    def record(self, address: str, resource: ResourceState) -> None:
        """Remember ``resource`` at ``address`` and save; a no-op when nothing changes."""
        with self._mutex:
            if self._state.resources.get(address) == resource:
                return
            resources = dict(self._state.resources)
            resources[address] = resource
            self._save(resources)

    def forget(self, address: str, *, children: bool = False) -> None:
        """Drop ``address`` (and with ``children``, every address below it) and save."""
        with self._mutex:
            below = address + "/"
            resources = {
                key: entry
                for key, entry in self._state.resources.items()
                if key != address and not (children and key.startswith(below))
            }
            if len(resources) != len(self._state.resources):
                self._save(resources)

    def _save(self, resources: dict[str, ResourceState]) -> None:
        state = replace(self._state, serial=self._state.serial + 1, resources=resources)
        write_state_atomically(self.path, state)
        self._state = state
