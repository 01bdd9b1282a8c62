"""The local state file (DESIGN §7): ids, webhook secrets, remembered preventDestroy.

Live metadata is the source of identity; the state file only keeps what the API cannot tell us
again (webhook secrets) and what must outlive a manifest edit (preventDestroy).

The file is versioned (``version``, ``serial``, ``lineage``), written atomically after every
successful mutation (temp file, fsync, rename, fsync of the folder) with the previous version kept
as ``<file>.backup``, mode 0600 in a 0700 folder, and guarded by an exclusive lock while applying
(state_lock.py).
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from websets_sync.errors import StateError, StateSaveError
from websets_sync.state.contents import (
    STATE_VERSION,
    ResourceState,
    State,
    load_state,
    state_text,
    state_to_json,
    write_state_atomically,
)
from websets_sync.state.files import (
    BACKUP_SUFFIX,
    TOOL_FOLDER,
    check_writable,
    ensure_private_folder,
    real_path,
    remove_leftovers,
    tighten_file,
    write_private_atomically,
    write_rescue,
)
from websets_sync.state.lock import StateLock

__all__ = [
    "BACKUP_SUFFIX",
    "STATE_VERSION",
    "TOOL_FOLDER",
    "ResourceState",
    "State",
    "StateSaveError",
    "StateStore",
    "load_state",
    "state_to_json",
    "write_state_atomically",
]


class StateStore:
    """The state file while an apply runs: locked, and saved after every recorded change.

    Use as a context manager (``with StateStore(path, project) as store:``). ``record`` and
    ``forget`` are thread-safe; each one that changes something writes a new serial to disk
    before returning, so a crash never loses a mutation that already succeeded. A save that
    fails raises :class:`StateSaveError` after putting the whole state (the new secret included)
    in a private rescue file in the first of ``rescue_dirs`` that takes it. ``notices`` collects
    what the user should hear about (permissions tightened, leftovers removed).
    """

    def __init__(
        self,
        path: Path,
        project: str,
        *,
        lock: StateLock | None = None,
        rescue_dirs: Sequence[Path] | None = None,
        api_url: str | None = None,
    ) -> None:
        self.path = real_path(path)
        self.api_url = api_url
        self.project = project
        self.lock = lock or StateLock(self.path)
        self.rescue_dirs = tuple(rescue_dirs or (self.path.parent, Path(tempfile.gettempdir())))
        self.rescue_file: Path | None = None
        self.notices: list[str] = []
        self._mutex = threading.Lock()
        self._state = State(project=project)

    def __enter__(self) -> StateStore:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> None:
        """Take the lock, then read the file (so nobody can change it between the two)."""
        self._notice(ensure_private_folder(self.path.parent, family=self.path.name))
        self.lock.acquire()
        try:
            removed = remove_leftovers(self.path)
            if removed:
                self._notice(
                    f"removed {len(removed)} temporary file(s) left beside {self.path} by an "
                    "apply that was killed"
                )
            self._notice(tighten_file(self.path))
            state = load_state(self.path, project=self.project)
        except BaseException:
            self.lock.release()
            raise
        lineage = state.lineage or str(uuid.uuid4())
        self._state = replace(state, project=self.project, lineage=lineage)

    def bind(self) -> None:
        """Record the API this state belongs to from the next save on (checked by the caller:
        state/binding.py)."""
        if self.api_url is not None:
            with self._mutex:
                self._state = replace(self._state, api_url=self.api_url)

    def close(self) -> None:
        self.lock.release()

    def check_writable(self) -> None:
        """Raise StateError unless the state file can be saved (call before the first change)."""
        check_writable(self.path)

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
            self._save(resources, resource.id)

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
                self._save(resources, None)

    def _notice(self, notice: str | None) -> None:
        if notice is not None:
            self.notices.append(notice)

    def rewrite(
        self, change: Callable[[Mapping[str, ResourceState]], dict[str, ResourceState]]
    ) -> None:
        """Save ``change(resources)`` (state surgery: state/surgery.py), atomically with respect
        to the other threads recording changes; a no-op when nothing changes."""
        with self._mutex:
            resources = change(self._state.resources)
            if resources != dict(self._state.resources):
                self._save(resources, None)

    def _save(self, resources: dict[str, ResourceState], resource_id: str | None) -> None:
        state = replace(self._state, serial=self._state.serial + 1, resources=resources)
        try:
            write_private_atomically(self.path, state_text(state))
        except StateError as exc:
            # The change is live already: keep it in memory and get it onto disk somewhere.
            self._state = state
            raise self._rescue(state, exc, resource_id) from None
        self._state = state

    def _rescue(self, state: State, failure: StateError, resource_id: str | None) -> StateSaveError:
        try:
            self.rescue_file = write_rescue(
                self.path, state_text(state), self.rescue_dirs, self.rescue_file
            )
        except StateError as exc:
            return StateSaveError(
                f"{failure.message}; {exc.message}",
                detail="Webhook secrets created in this run may be lost: get new ones with "
                "apply --replace webhook/NAME once the state file can be written.",
                resource_id=resource_id,
            )
        return StateSaveError(
            f"{failure.message}; the state, secrets included, is saved in {self.rescue_file}",
            detail=f"Once the problem is fixed, move it into place: mv {self.rescue_file} "
            f"{self.path} (it is private, mode 0600).",
            rescue_file=self.rescue_file,
            resource_id=resource_id,
        )
