"""The exclusive lock that keeps two applies from writing the same state file.

The lock is a file beside the state file (``state.json.lock``) created exclusively (a hard link
that fails when the lock exists, the ``O_EXCL`` of complete files), so it works wherever the
state file lives, and it holds who took it (pid, host, start time) so that a
refused apply can name the holder.

A lock left behind by a process that no longer exists on this host (kill -9, power loss) is
*taken over automatically*, and the takeover is reported: a dead process cannot be writing, and
making every crash need a manual unlock would turn CI retries into a chore. A lock held from
another host cannot be checked from here, so it is never taken over; the error says how to
remove it once you are sure that apply is gone.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from websets_sync.errors import StateError, StateLockedError

LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    started_at: str  # ISO 8601, UTC

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host}, started {self.started_at}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class StateLock:
    """``acquire`` fails at once (StateLockedError) when a live process holds the lock."""

    def __init__(
        self,
        state_path: Path,
        *,
        pid: int | None = None,
        host: str | None = None,
        clock: Callable[[], float] = time.time,
        pid_alive: Callable[[int], bool] = _pid_alive,
    ) -> None:
        self.path = state_path.with_name(state_path.name + LOCK_SUFFIX)
        self.holder = LockHolder(
            pid=os.getpid() if pid is None else pid,
            host=host or socket.gethostname(),
            started_at=datetime.fromtimestamp(clock(), timezone.utc).isoformat(timespec="seconds"),
        )
        self._pid_alive = pid_alive
        self._held = False
        #: Set when acquire took over a stale lock, so the CLI can explain what happened.
        self.took_over: LockHolder | None = None

    @property
    def held(self) -> bool:
        return self._held

    def acquire(self) -> None:
        if self._held:
            return
        if self._try_create():
            return
        other = self._read_holder()
        if other is not None and self._is_stale(other):
            self._remove_stale(other)
            if self._try_create():
                self.took_over = other
                return
            other = self._read_holder()
        raise self._locked_error(other)

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        # Only remove our own lock: never one that someone took over after deciding ours was stale.
        if self._read_holder() == self.holder:
            self.path.unlink(missing_ok=True)

    def _try_create(self) -> bool:
        """Publish a complete lock file or nothing: write a private file, then hard-link it.

        ``link`` fails when the lock exists, exactly like ``O_EXCL``, and a reader can never see
        a half-written lock even if this process is killed mid-way.
        """
        staging = self.path.with_name(f"{self.path.name}.{self.holder.pid}.tmp")
        try:
            fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(
                    {
                        "pid": self.holder.pid,
                        "host": self.holder.host,
                        "started_at": self.holder.started_at,
                    },
                    handle,
                )
                handle.flush()
                os.fsync(handle.fileno())
            os.link(staging, self.path)
        except FileExistsError:
            return False
        except OSError as exc:
            raise StateError(
                f"cannot take the state lock {self.path}: {exc.strerror or exc}",
                detail="Nothing was changed. Free space or fix the folder's permissions, or "
                "pass --state PATH for a writable place.",
            ) from None
        finally:
            staging.unlink(missing_ok=True)
        self._held = True
        return True

    def _read_holder(self) -> LockHolder | None:
        """The holder written in the lock file; None when it is gone or unreadable."""
        return _read_holder_at(self.path)

    def _is_stale(self, other: LockHolder) -> bool:
        return other.host == self.holder.host and not self._pid_alive(other.pid)

    def _remove_stale(self, other: LockHolder) -> None:
        """Remove the lock only if it is still the stale one we judged (not a fresh taker's)."""
        aside = self.path.with_name(f"{self.path.name}.stale-{self.holder.pid}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        moved = _read_holder_at(aside)
        if moved is not None and moved != other:
            os.replace(aside, self.path)  # someone else's live lock: put it back
            return
        aside.unlink(missing_ok=True)

    def _locked_error(self, other: LockHolder | None) -> StateLockedError:
        if other is None:
            return StateLockedError(
                f"the state file is locked ({self.path} exists but cannot be read)",
                detail=f"If no apply is running, delete {self.path}.",
            )
        hint = (
            f"Wait for it to finish. If you are sure it is no longer running on {other.host}, "
            f"delete {self.path}."
        )
        return StateLockedError(
            f"the state file is locked by another apply ({other.describe()})", detail=hint
        )


def _read_holder_at(path: Path) -> LockHolder | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(pid=int(raw["pid"]), host=str(raw["host"]), started_at=raw["started_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
