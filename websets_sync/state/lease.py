"""The project lease in the live account (DESIGN §9): one apply per project, any state file.

The state lock covers one state file; two CI runners (or a laptop and CI) each have their own. So
apply also holds a lease *in the account*, built on the API's only atomic primitive: creating a
webset whose ``externalId`` exists answers 409. The lease is a search-less webset (free) with
externalId ``websets-sync.lease.<project>`` whose metadata names the holder (host, pid, since), an
expiry the holder renews while it works, and a random token that proves which apply created it —
so a create whose answer was lost is recognised as our own, never guessed.

An expired lease (its holder died without releasing it) is taken over with a warning: it is
deleted *by id*, so two takers cannot delete each other's fresh lease, and the create that follows
decides between them. ``force-unlock`` deletes a lease on request. Plans, exports and deletes
never see the lease webset (fetch leaves it out).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from websets_sync.errors import (
    ConflictError,
    NotFoundError,
    StateError,
    StateLockedError,
    UnknownOutcomeError,
)
from websets_sync.model.address import RESERVED_PREFIX
from websets_sync.state.files import pid_alive as _pid_alive

JSON = dict[str, Any]

LEASE_PREFIX = "websets-sync.lease."
TAG_LEASE = RESERVED_PREFIX + "lease"
TAG_HOST = RESERVED_PREFIX + "lease-host"
TAG_PID = RESERVED_PREFIX + "lease-pid"
TAG_SINCE = RESERVED_PREFIX + "lease-since"
TAG_EXPIRES = RESERVED_PREFIX + "lease-expires"
TAG_TOKEN = RESERVED_PREFIX + "lease-token"

#: A lease not renewed for this long is expired (its holder is gone).
DEFAULT_TTL = 300.0
#: Seconds between checks while waiting for a lease (--lock-timeout).
POLL_INTERVAL = 2.0
#: Creates of the lease whose outcome stayed unknown before giving up.
MAX_ATTEMPTS = 5


class LeaseApi(Protocol):
    """The client methods the lease uses (WebsetsClient has them)."""

    def create_webset(self, body: JSON) -> JSON: ...

    def get_webset(self, id_or_external_id: str) -> JSON: ...

    def update_webset(self, webset_id: str, body: JSON) -> JSON: ...

    def delete_webset(self, webset_id: str) -> JSON: ...


def lease_external_id(project: str) -> str:
    return LEASE_PREFIX + project


def is_lease(webset: Mapping[str, Any]) -> bool:
    """Whether a live webset is a project lease (never shown, exported or deleted as data)."""
    external_id = webset.get("externalId")
    metadata = webset.get("metadata")
    tagged = isinstance(metadata, Mapping) and TAG_LEASE in metadata
    return tagged or (isinstance(external_id, str) and external_id.startswith(LEASE_PREFIX))


@dataclass(frozen=True)
class LeaseHolder:
    host: str
    pid: str
    since: str
    expires: float  # Unix seconds

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host}, since {self.since}"

    @classmethod
    def of(cls, webset: Mapping[str, Any]) -> LeaseHolder:
        metadata = webset.get("metadata")
        tags: Mapping[str, Any] = metadata if isinstance(metadata, Mapping) else {}
        try:
            expires = float(tags.get(TAG_EXPIRES, "0"))
        except ValueError:
            expires = 0.0
        return cls(
            host=str(tags.get(TAG_HOST, "?")),
            pid=str(tags.get(TAG_PID, "?")),
            since=str(tags.get(TAG_SINCE, "?")),
            expires=expires,
        )


class ProjectLease:
    """Hold the lease of ``project`` for the duration of a ``with`` block.

    ``acquire`` waits up to ``timeout`` seconds for another holder (0: fail at once) and raises
    StateLockedError naming the holder. While held, a daemon thread renews the expiry every
    ``ttl / 4`` seconds (``renew=False`` in tests that drive time themselves).
    """

    def __init__(
        self,
        api: LeaseApi,
        project: str,
        *,
        timeout: float = 0.0,
        ttl: float = DEFAULT_TTL,
        renew: bool = True,
        host: str | None = None,
        pid: int | None = None,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        on_warning: Callable[[str], None] | None = None,
        pid_alive: Callable[[int], bool] = _pid_alive,
    ) -> None:
        self.api = api
        self.project = project
        self.external_id = lease_external_id(project)
        self.timeout = timeout
        self.ttl = ttl
        self.renew = renew
        self.host = host or socket.gethostname()
        self.pid = str(os.getpid() if pid is None else pid)
        self.token = secrets.token_hex(16)
        self._now = now
        self._sleep = sleep
        self._warn = on_warning or (lambda message: None)
        self._pid_alive = pid_alive
        self._since = _iso(now())
        self.lease_id: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def __enter__(self) -> ProjectLease:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    # --- taking it ------------------------------------------------------------------------------

    def acquire(self) -> None:
        deadline = self._now() + self.timeout
        while True:
            holder = self._try_acquire()
            if holder is None:
                break
            remaining = deadline - self._now()
            if remaining <= 0:
                raise self._held_by(holder)
            self._sleep(min(POLL_INTERVAL, remaining))
        if self.renew:
            self._renewer = threading.Thread(
                target=self._renew_loop, name="lease-renewer", daemon=True
            )
            self._renewer.start()

    def _try_acquire(self) -> LeaseHolder | None:
        """None when the lease is now ours; else the live holder."""
        for _ in range(MAX_ATTEMPTS):
            try:
                self.lease_id = str(self.api.create_webset(self._body())["id"])
                return None
            except UnknownOutcomeError:
                pass  # maybe created: the token in the live lease says whether it is ours
            except ConflictError:
                pass
            current = self._read()
            if current is None:
                continue  # released meanwhile: try again
            if self._is_ours(current):
                self.lease_id = str(current["id"])
                return None
            holder = LeaseHolder.of(current)
            why = self._stale(holder)
            if why is None:
                return holder
            self._warn(
                f"took over the lease of project {self.project!r} left by {holder.describe()}: "
                f"{why}"
            )
            self._delete_by_id(str(current["id"]))
        raise StateError(f"could not take the lease of project {self.project!r}: no clear answer")

    def _stale(self, holder: LeaseHolder) -> str | None:
        """Why ``holder``'s lease may be taken over (None: it is live)."""
        if holder.expires <= self._now():
            return f"it expired at {_iso(holder.expires)} (not renewed)"
        # As with the state lock: a process gone from this very host cannot be applying.
        same_host = holder.host == self.host and holder.pid.isdigit()
        if same_host and not self._pid_alive(int(holder.pid)):
            return "that process is no longer running"
        return None

    def _held_by(self, holder: LeaseHolder) -> StateLockedError:
        waited = f" (waited {self.timeout:g} s)" if self.timeout > 0 else ""
        return StateLockedError(
            f"project {self.project!r} is being applied by another apply: {holder.describe()}, "
            f"lease expires {_iso(holder.expires)}{waited}",
            detail="Wait for it to finish (or pass --lock-timeout SECONDS to wait). If you are "
            f"sure it is gone, run: websets-sync force-unlock --project {self.project}",
        )

    # --- while held -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Push the expiry forward (the renewer thread calls this)."""
        if self.lease_id is not None:
            self.api.update_webset(self.lease_id, {"metadata": self._tags()})

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            try:
                self.refresh()
            except Exception as exc:  # a missed renewal is retried; the TTL leaves room
                self._warn(f"could not renew the project lease: {exc}")

    # --- giving it back -------------------------------------------------------------------------

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5.0)
        if self.lease_id is None:
            return
        lease_id, self.lease_id = self.lease_id, None
        current = self._read()
        # Only our own lease: never one someone took over after ours expired.
        if current is not None and str(current.get("id")) == lease_id and self._is_ours(current):
            self._delete_by_id(lease_id)

    # --- helpers --------------------------------------------------------------------------------

    def _body(self) -> JSON:
        return {
            "externalId": self.external_id,
            "title": f"websets-sync lease of project {self.project}",
            "metadata": self._tags(),
        }

    def _tags(self) -> dict[str, str]:
        return {
            TAG_LEASE: self.project,
            TAG_HOST: self.host,
            TAG_PID: self.pid,
            TAG_SINCE: self._since,
            TAG_EXPIRES: f"{self._now() + self.ttl:.0f}",
            TAG_TOKEN: self.token,
        }

    def _read(self) -> JSON | None:
        try:
            return self.api.get_webset(self.external_id)
        except NotFoundError:
            return None

    def _is_ours(self, webset: Mapping[str, Any]) -> bool:
        metadata = webset.get("metadata")
        return isinstance(metadata, Mapping) and metadata.get(TAG_TOKEN) == self.token

    def _delete_by_id(self, lease_id: str) -> None:
        with contextlib.suppress(NotFoundError):  # someone else removed it first
            self.api.delete_webset(lease_id)


def force_unlock(api: LeaseApi, project: str) -> LeaseHolder | None:
    """Delete the lease of ``project``; the holder it named, or None when there was none."""
    external_id = lease_external_id(project)
    try:
        current = api.get_webset(external_id)
    except NotFoundError:
        return None
    if not is_lease(current):
        raise StateError(f"the webset {external_id!r} is not a websets-sync lease: not deleting it")
    holder = LeaseHolder.of(current)
    try:
        api.delete_webset(str(current["id"]))
    except NotFoundError:
        return None
    return holder


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix, timezone.utc).isoformat(timespec="seconds")
