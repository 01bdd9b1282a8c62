"""The project lease in the live account (issue 10, finding 1; DESIGN §9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apply_support import World, manifest, write
from client_support import FakeTime, emulator_client

from websets_sync.emulator import Emulator, Faults
from websets_sync.errors import StateLockedError
from websets_sync.fetch import fetch_live_state
from websets_sync.state.lease import (
    LEASE_PREFIX,
    TAG_TOKEN,
    ProjectLease,
    force_unlock,
    lease_external_id,
)


def _lease(emulator: Emulator, time: FakeTime, **options: object) -> ProjectLease:
    client = emulator_client(emulator, time)
    options.setdefault("renew", False)
    return ProjectLease(client, "proj", now=time.clock, sleep=time.sleep, **options)  # type: ignore[arg-type]


def _leases(emulator: Emulator) -> list[dict[str, object]]:
    websets = emulator.store.all("webset")
    return [w for w in websets if str(w.get("externalId")).startswith(LEASE_PREFIX)]


def test_a_second_holder_fails_at_once_naming_the_first() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock)
    first = _lease(emulator, time, host="runner-a", pid=111)
    first.acquire()
    second = _lease(emulator, time, host="runner-b", pid=222)
    with pytest.raises(StateLockedError, match="pid 111 on host runner-a, since 2026-") as caught:
        second.acquire()
    assert "force-unlock --project proj" in (caught.value.detail or "")
    first.release()
    second.acquire()
    assert [w["metadata"][TAG_TOKEN] for w in _leases(emulator)] == [second.token]  # type: ignore[index]
    second.release()
    assert _leases(emulator) == []


def test_lock_timeout_waits_for_the_holder() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock)
    first = _lease(emulator, time, host="a", pid=1)
    first.acquire()
    waiting = _lease(emulator, time, host="b", pid=2, timeout=5.0)
    with pytest.raises(StateLockedError, match=r"waited 5 s"):
        waiting.acquire()
    assert time.sleeps == [2.0, 2.0, 1.0]


def test_an_expired_lease_is_taken_over_with_a_warning() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock)
    dead = _lease(emulator, time, host="gone", pid=9, ttl=60.0)
    dead.acquire()  # and never released: its holder was killed
    time.sleep(61.0)
    warnings: list[str] = []
    taker = _lease(emulator, time, host="b", pid=2, on_warning=warnings.append)
    taker.acquire()
    assert len(warnings) == 1 and "took over the lease" in warnings[0]
    assert "expired" in warnings[0]
    assert "pid 9 on host gone" in warnings[0]
    assert [w["metadata"][TAG_TOKEN] for w in _leases(emulator)] == [taker.token]  # type: ignore[index]
    dead.release()  # the old holder coming back never removes the new lease
    assert len(_leases(emulator)) == 1


def test_a_lost_answer_to_the_lease_create_is_recognised_by_its_token() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock, faults=Faults(lost_response_rate=1.0))
    lease = _lease(emulator, time)
    lease.acquire()
    assert lease.lease_id is not None
    assert emulator.count("POST", "/websets") == 1  # the 409-free proof was a read, not a retry


def test_renewal_pushes_the_expiry_forward() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock)
    lease = _lease(emulator, time, ttl=60.0)
    lease.acquire()
    time.sleep(50.0)
    lease.refresh()
    time.sleep(50.0)  # 100 s after taking it, but renewed at 50 s
    other = _lease(emulator, time, host="b", pid=2)
    with pytest.raises(StateLockedError):
        other.acquire()


def test_force_unlock_deletes_the_lease_and_names_its_holder() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock)
    _lease(emulator, time, host="stuck", pid=5).acquire()
    holder = force_unlock(emulator_client(emulator, time), "proj")
    assert holder is not None and holder.host == "stuck"
    assert _leases(emulator) == []
    assert force_unlock(emulator_client(emulator, time), "proj") is None


def test_the_lease_is_never_drift_never_exported_never_deleted(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=0))
    world.apply([path])
    client = world.client
    lease = ProjectLease(client, "proj", renew=False)
    lease.acquire()
    assert all(
        w.webset.data.get("externalId") != lease_external_id("proj")
        for w in fetch_live_state(client).websets
    )
    from websets_sync.plan import PlanOptions

    plan = world.plan([path], PlanOptions(allow_delete=True))
    assert not plan.has_changes
    lease.release()


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_at_once() -> None:
    time = FakeTime(start=1_790_000_000.0)
    emulator = Emulator(clock=time.clock)
    _lease(emulator, time, host="vm", pid=4242).acquire()  # then killed with -9
    warnings: list[str] = []
    taker = _lease(
        emulator, time, host="vm", pid=7, on_warning=warnings.append, pid_alive=lambda pid: False
    )
    taker.acquire()
    assert warnings and "no longer running" in warnings[0]
    alive = _lease(emulator, time, host="vm", pid=8, pid_alive=lambda pid: True)
    with pytest.raises(StateLockedError, match="pid 7 on host vm"):
        alive.acquire()


def test_a_manifest_may_not_declare_a_lease_name(tmp_path: Path) -> None:
    from websets_sync.errors import ManifestError
    from websets_sync.manifest import load_desired_state

    path = write(
        tmp_path / "m.yaml",
        "version: 1\nproject: proj\nwebsets:\n  - externalId: websets-sync.lease.proj\n",
    )
    with pytest.raises(ManifestError) as caught:
        load_desired_state([path], {})
    assert "reserved for project leases" in str(caught.value.detail)
