"""The local state file (DESIGN §7): ids, webhook secrets, remembered preventDestroy.

Live metadata is the source of identity; the state file only keeps what the API cannot tell us
again (webhook secrets) and what must outlive a manifest edit (preventDestroy).

The file is versioned (``version``, ``serial``, ``lineage``), written atomically (temp file,
fsync, rename, fsync of the folder) with the previous version kept as ``<file>.backup``, mode 0600
in a 0700 folder, and guarded by an exclusive lock while applying (state_lock.py). While an apply
runs, each change is appended to the journal beside it (journal.py) and the file is rewritten
from it at the end and whenever the journal has grown as long as the state.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from websets_sync.errors import StateError, StateSaveError
from websets_sync.state import journal
from websets_sync.state.contents import (
    STATE_VERSION,
    ResourceState,
    State,
    load_state,
    resource_json,
    state_text,
    state_to_json,
    write_state_atomically,
)
from websets_sync.state.descendants import Descendants
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
    """The state file while an apply runs: locked, and every recorded change journaled.

    Use as a context manager (``with StateStore(path, project) as store:``). ``record`` and
    ``forget`` are thread-safe; each one that changes something appends it to the journal (one
    fsynced line) before returning, so a crash never loses a mutation that already succeeded;
    closing the store compacts the journal into the state file. A save that
    fails raises :class:`StateSaveError` after putting the whole state (the new secret included)
    in a private rescue file in the first of ``rescue_dirs`` that takes it. ``notices`` collects
    what the user should hear about (permissions tightened, leftovers removed).
    """

    #: Compact no more often than this many journaled changes (and at least as many as the state
    #: holds), so rewriting the file costs O(1) per change amortized.
    COMPACT_AFTER = 1000

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
        #: The resources, changed in place (a copy per change made applies quadratic); the
        #: state's ``resources`` is a read-only view of this.
        self._resources: dict[str, ResourceState] = {}
        self._descendants = Descendants()
        self._journal: journal.JournalWriter | None = None

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
            lineage = state.lineage or str(uuid.uuid4())
            self._resources = dict(state.resources)
            self._descendants = Descendants(self._resources)
            self._state = replace(
                state,
                project=self.project,
                lineage=lineage,
                resources=MappingProxyType(self._resources),
            )
            self._open_journal()
        except BaseException:
            self.lock.release()
            raise

    def _open_journal(self) -> None:
        leftover = journal.journal_path(self.path)
        if leftover.exists() and leftover.stat().st_size > 0:
            # A killed apply's journal (already replayed by load_state): into the file first.
            write_private_atomically(self.path, state_text(self._snapshot()))
        self._journal = journal.JournalWriter(self.path)
        self._journal.truncate()

    def bind(self) -> None:
        """Record the API this state belongs to from the next save on (checked by the caller:
        state/binding.py)."""
        if self.api_url is not None:
            with self._mutex:
                self._state = replace(self._state, api_url=self.api_url)

    def close(self) -> None:
        """Compact the journal into the state file, then release the lock."""
        try:
            with self._mutex:
                writer, self._journal = self._journal, None
                if writer is not None:
                    self._compact_and_remove(writer)
        finally:
            self.lock.release()

    def _compact_and_remove(self, writer: journal.JournalWriter) -> None:
        try:
            if writer.entries:
                write_private_atomically(self.path, state_text(self._snapshot()))
            writer.remove()
        except (StateError, OSError) as exc:
            # Nothing is lost: the journal stays beside the file and every reader replays it.
            detail = exc.message if isinstance(exc, StateError) else str(exc.strerror)
            with contextlib.suppress(OSError):
                writer.close()
            self._notice(f"the state journal {writer.path} stays for the next apply ({detail})")

    def check_writable(self) -> None:
        """Raise StateError unless the state file can be saved (call before the first change)."""
        check_writable(self.path)

    @property
    def state(self) -> State:
        with self._mutex:
            return self._state

    def record(self, address: str, resource: ResourceState) -> None:
        """Remember ``resource`` at ``address`` and journal it; a no-op when nothing changes."""
        with self._mutex:
            if self._resources.get(address) == resource:
                return
            serial = self._state.serial + 1
            line = journal.record_entry(
                self._state.lineage, serial, address, resource_json(resource), self._state.api_url
            )
            self._resources[address] = resource
            self._descendants.add(address)
            self._journaled(line, serial, resource.id)

    def forget(self, address: str, *, children: bool = False) -> None:
        """Drop ``address`` (and with ``children``, every address below it) and journal it."""
        with self._mutex:
            gone = [address] if address in self._resources else []
            if children:
                gone += self._descendants.below(address)
            if not gone:
                return
            serial = self._state.serial + 1
            line = journal.forget_entry(
                self._state.lineage, serial, address, children, self._state.api_url
            )
            for key in gone:
                del self._resources[key]
                self._descendants.discard(key)
            self._journaled(line, serial, None)

    def _journaled(self, line: str, serial: int, resource_id: str | None) -> None:
        """Make the change just made in memory durable (one journal line) before returning;
        compact when the journal has grown as long as the state."""
        writer = self._journal
        if writer is None:
            raise StateError(f"state file {self.path} is not open for changes")
        self._state = replace(self._state, serial=serial)
        try:
            if not self.path.exists():
                # The journal continues a file: the first change of a new state writes its base.
                base = replace(self._snapshot(), serial=serial - 1)
                write_private_atomically(self.path, state_text(base))
                writer.truncate()
            writer.append(line)
        except OSError as exc:
            failure = StateError(f"cannot write the state journal {writer.path}: {exc.strerror}")
            raise self._rescue(self._snapshot(), failure, resource_id) from None
        except StateError as exc:
            raise self._rescue(self._snapshot(), exc, resource_id) from None
        if writer.entries >= max(self.COMPACT_AFTER, len(self._resources)):
            try:
                write_private_atomically(self.path, state_text(self._snapshot()))
            except StateError:
                return  # the journal holds every change: compact at the next chance
            writer.truncate()

    def _snapshot(self) -> State:
        return replace(self._state, resources=dict(self._resources))

    def _notice(self, notice: str | None) -> None:
        if notice is not None:
            self.notices.append(notice)

    def rewrite(
        self, change: Callable[[Mapping[str, ResourceState]], dict[str, ResourceState]]
    ) -> None:
        """Save ``change(resources)`` (state surgery: state/surgery.py), atomically with respect
        to the other threads recording changes; a no-op when nothing changes. A rare bulk
        change: the whole file is written (which holds the journal's changes too)."""
        with self._mutex:
            resources = change(MappingProxyType(dict(self._resources)))
            if resources == self._resources:
                return
            self._resources.clear()
            self._resources.update(resources)
            self._descendants = Descendants(self._resources)
            self._state = replace(self._state, serial=self._state.serial + 1)
            try:
                write_private_atomically(self.path, state_text(self._snapshot()))
            except StateError as exc:
                # The change is live already: keep it in memory and get it onto disk somewhere.
                raise self._rescue(self._snapshot(), exc, None) from None
            if self._journal is not None:
                self._journal.truncate()

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
