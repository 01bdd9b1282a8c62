"""The state file's place on disk: private folders and files, atomic writes, leftovers, rescue.

Every OS failure here becomes a :class:`StateError` with the path and the reason (read-only file
system, disk full, permission denied), never a traceback. Nothing here knows the file's format:
callers hand in the text.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from websets_sync.errors import StateError

#: The tool's own folder; tightened to 0700 even when something else created it first.
TOOL_FOLDER = ".websets-sync"
BACKUP_SUFFIX = ".backup"
LOCK_SUFFIX = ".lock"
RESCUE_INFIX = ".rescue-"


def reason(exc: OSError) -> str:
    """The OS's own words for a failure (``Read-only file system``), without a traceback."""
    return exc.strerror or str(exc) or type(exc).__name__


def real_path(path: Path) -> Path:
    """Where a (possibly symlinked) state file really lives: writes go through to the target,
    so the link stays a link and the target never keeps a stale secret."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def ensure_private_folder(folder: Path, *, family: str | None = None) -> str | None:
    """Make the state folder 0700 when it is the state's own; a notice when it cannot be.

    A folder created here, the tool's own folder, or a folder holding nothing but this state
    file's family (``family`` = the state file's name) is tightened. A shared folder (a
    repository root, say) is never chmodded: that would lock others out of it; the notice says
    the file itself is private.
    """
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
            return None
        mode = stat.S_IMODE(folder.stat().st_mode)
        if not mode & 0o077:
            return None
        if folder.name == TOOL_FOLDER or (family is not None and _only_family(folder, family)):
            os.chmod(folder, 0o700)
            return None
    except OSError as exc:
        raise StateError(f"cannot prepare the state folder {folder}: {reason(exc)}") from None
    return (
        f"the state folder {folder} is accessible by others (mode {mode:04o}); the state file "
        "itself is 0600, but a private folder (0700) keeps its backups and locks private too"
    )


def _only_family(folder: Path, name: str) -> bool:
    return all(entry.name.startswith((name, f".{name}")) for entry in folder.iterdir())


def tighten_file(path: Path) -> str | None:
    """A state file readable by others is tightened to 0600; the notice says it was."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & 0o077:
            return None
        os.chmod(path, 0o600)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(f"cannot make the state file {path} private: {reason(exc)}") from None
    return (
        f"the state file {path} was readable by others (mode {mode:04o}); it is now 0600. "
        "If others could read it, rotate its webhook secrets (apply --replace webhook/NAME)."
    )


def remove_leftovers(path: Path) -> list[Path]:
    """Remove what a killed writer of ``path`` left behind (temp files that may hold secrets).

    Call only while holding the state lock: nobody else writes these then. Lock staging files
    of processes still alive are theirs to remove.
    """
    removed: list[Path] = []
    folder, name = path.parent, path.name
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if _is_leftover(entry.name, name):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed.append(entry)
    return removed


def _is_leftover(entry: str, name: str) -> bool:
    if entry.startswith(f".{name}.") and entry.endswith(".tmp"):
        return True  # a data temp file or a backup staging file
    lock_staging = f"{name}{LOCK_SUFFIX}."
    if entry.startswith(lock_staging) and entry.endswith(".tmp"):
        pid = entry[len(lock_staging) : -len(".tmp")]
        return pid.isdigit() and not pid_alive(int(pid))
    return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def write_private_atomically(path: Path, data: str) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file.

    The previous file becomes ``<path>.backup`` (also replaced atomically) before the new one
    lands. The temp file is removed on every failure; the error is a StateError.
    """
    folder = path.parent
    temp_name: str | None = None
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder
        )
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            _keep_backup(path)
        os.replace(temp_name, path)
        temp_name = None
        fsync_folder(folder)
    except OSError as exc:
        raise StateError(f"cannot write the state file {path}: {reason(exc)}") from None
    finally:
        if temp_name is not None:
            Path(temp_name).unlink(missing_ok=True)


def _keep_backup(path: Path) -> None:
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    staging = path.with_name(f".{backup.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    try:
        # A hard link is instant and atomic; the old inode survives the rename that follows.
        try:
            os.link(path, staging)
        except OSError:
            import shutil

            shutil.copy2(path, staging)
        os.chmod(staging, 0o600)
        os.replace(staging, backup)
    finally:
        staging.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_writable(path: Path) -> None:
    """Prove that a file can be created, written and synced beside ``path`` (and removed).

    Called before the first change of an apply: a webhook's secret is shown only once, so the
    state must be known to be saveable before any webhook is created.
    """
    probe = path.with_name(f".{path.name}.{os.getpid()}.probe.tmp")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"x" * 4096)  # about a state file's size: a full disk shows here
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StateError(
            f"the state file {path} cannot be written: {reason(exc)}",
            detail="Nothing was changed. Webhook secrets are shown only once and must be saved: "
            "free space or fix permissions, or pass --state PATH for a writable place.",
        ) from None
    finally:
        probe.unlink(missing_ok=True)


def write_rescue(path: Path, data: str, folders: Iterable[Path], previous: Path | None) -> Path:
    """Save ``data`` (a state that could not be saved at ``path``) in a private rescue file.

    The same rescue file is rewritten for later failures of the same run (it always holds the
    whole state); otherwise the first of ``folders`` that takes it. Raises StateError when none
    does.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    candidates = [previous] if previous is not None else []
    candidates += [f / f"{path.name}{RESCUE_INFIX}{stamp}-{os.getpid()}.json" for f in folders]
    problems: list[str] = []
    for candidate in candidates:
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            problems.append(f"{candidate}: {reason(exc)}")
            if candidate != previous:
                with contextlib.suppress(OSError):
                    candidate.unlink()  # a half-written rescue file is no rescue
            continue
        return candidate
    raise StateError("no rescue file could be written either: " + "; ".join(problems))
