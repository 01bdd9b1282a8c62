"""Partial failure, --fail-fast and interruption: exact results, and a re-run finishes the job."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import httpx
import pytest
from apply_support import World, manifest, write

from websets_sync.apply.runner import Outcome
from websets_sync.emulator import Faults
from websets_sync.errors import StateError
from websets_sync.state.store import load_state


def _fail_webset(world: World, external_id: str) -> None:
    """Answer 400 to the create of one webset (by its externalId in the body)."""

    def handle(request: httpx.Request) -> httpx.Response:
        creates = request.method == "POST" and request.url.path.endswith("/websets")
        if creates and json.loads(request.content).get("externalId") == external_id:
            return httpx.Response(400, json={"error": "bad title", "tag": "INVALID"})
        return world.emulator.handle(request)

    world.intercept = handle


def _outcomes(result: object) -> dict[str, Outcome]:
    return {str(r.address): r.outcome for r in result.results}  # type: ignore[attr-defined]


def test_a_failed_webset_does_not_stop_the_others(tmp_path: Path) -> None:
    world = World(tmp_path)
    _fail_webset(world, "ws-0")
    path = write(tmp_path / "m.yaml", manifest(websets=2))

    _, result = world.apply([path])

    outcomes = _outcomes(result)
    assert outcomes["webset/ws-0"] is Outcome.FAILED
    for child in ("search/s0", "search/s1", "enrichment/e0", "enrichment/e1", "monitor/m0"):
        assert outcomes[f"webset/ws-0/{child}"] is Outcome.NOT_ATTEMPTED
        assert outcomes[f"webset/ws-1/{child}"] is Outcome.APPLIED
    assert outcomes["webhook/hook-0"] is Outcome.APPLIED
    [failed] = [r for r in result.results if r.outcome is Outcome.FAILED]
    assert "HTTP 400" in (failed.message or "") and "bad title" in (failed.message or "")
    skipped = [r for r in result.results if r.outcome is Outcome.NOT_ATTEMPTED]
    assert {r.message for r in skipped} == {"webset/ws-0 could not be created"}
    assert not result.ok

    world.intercept = None
    world.emulator.clear_log()
    _, rerun = world.apply([path])
    assert rerun.ok and set(_outcomes(rerun)) == {
        a for a, o in outcomes.items() if o is not Outcome.APPLIED
    }
    assert world.emulator.count("POST", "/webhooks") == 0
    assert not world.plan([path]).has_changes


def test_fail_fast_starts_nothing_after_the_first_failure(tmp_path: Path) -> None:
    world = World(tmp_path)
    _fail_webset(world, "ws-0")
    path = write(tmp_path / "m.yaml", manifest(websets=2))

    _, result = world.apply([path], fail_fast=True, parallelism=1)

    outcomes = _outcomes(result)
    assert outcomes["webset/ws-0"] is Outcome.FAILED
    assert set(outcomes.values()) == {Outcome.FAILED, Outcome.NOT_ATTEMPTED}
    assert "--fail-fast" in (result.results[-1].message or "")
    assert world.objects("webset") == [] and world.objects("webhook") == []


def test_child_failures_are_reported_per_address_and_others_proceed(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.set_faults(Faults(path_failures={"POST ^/monitors$": 422}))
    path = write(tmp_path / "m.yaml", manifest(websets=2))

    _, result = world.apply([path])

    failed = sorted(str(r.address) for r in result.results if r.outcome is Outcome.FAILED)
    assert failed == ["webset/ws-0/monitor/m0", "webset/ws-1/monitor/m0"]
    assert result.count(Outcome.APPLIED) == 11 and result.count(Outcome.NOT_ATTEMPTED) == 0

    world.set_faults(Faults())
    _, rerun = world.apply([path])
    assert [str(r.address) for r in rerun.results] == failed and rerun.ok


def test_interrupt_starts_nothing_new_and_saves_what_was_done(tmp_path: Path) -> None:
    world = World(tmp_path)
    cancel = threading.Event()

    def interrupt_after_first_create(request: httpx.Request) -> httpx.Response:
        response = world.emulator.handle(request)
        if request.method == "POST":
            cancel.set()  # as Ctrl-C would, while this request is in flight
        return response

    world.intercept = interrupt_after_first_create
    path = write(tmp_path / "m.yaml", manifest(websets=2))

    _, result = world.apply([path], cancel=cancel, parallelism=1)

    assert result.interrupted and not result.ok
    applied = [str(r.address) for r in result.results if r.outcome is Outcome.APPLIED]
    # The in-flight webset create finished (and carried its inline children); nothing else began.
    assert applied == [
        "webset/ws-0",
        "webset/ws-0/search/s0",
        "webset/ws-0/enrichment/e0",
        "webset/ws-0/enrichment/e1",
    ]
    assert world.emulator.count("POST") == 1
    assert {r.message for r in result.results if r.outcome is Outcome.NOT_ATTEMPTED} == {
        "apply was interrupted"
    }
    assert set(load_state(world.state_path).resources) == set(applied)

    world.intercept = None
    _, rerun = world.apply([path])
    assert rerun.ok and not world.plan([path]).has_changes


def test_a_real_ctrl_c_in_the_main_thread_lets_in_flight_work_finish(tmp_path: Path) -> None:
    """SIGINT delivered while apply_plan waits on its workers: the same as the cancel event."""
    world = World(tmp_path)
    sent: list[int] = []

    def ctrl_c_during_first_create(request: httpx.Request) -> httpx.Response:
        response = world.emulator.handle(request)
        if request.method == "POST" and not sent:
            sent.append(1)
            os.kill(os.getpid(), signal.SIGINT)  # arrives in the main thread, as Ctrl-C does
        return response

    world.intercept = ctrl_c_during_first_create
    path = write(tmp_path / "m.yaml", manifest(websets=2))

    _, result = world.apply([path], parallelism=1)

    assert result.interrupted
    assert world.emulator.count("POST") == 1
    assert result.count(Outcome.APPLIED) == 4  # the webset and what its create carried
    assert set(load_state(world.state_path).resources) == {
        str(r.address) for r in result.results if r.outcome is Outcome.APPLIED
    }


def test_an_unexpected_answer_fails_only_its_change(tmp_path: Path) -> None:
    world = World(tmp_path)

    def webhook_without_id(request: httpx.Request) -> httpx.Response:
        response = world.emulator.handle(request)
        if request.method == "POST" and request.url.path.endswith("/webhooks"):
            return httpx.Response(200, json={"object": "webhook"})
        return response

    world.intercept = webhook_without_id
    path = write(tmp_path / "m.yaml", manifest(websets=1))

    _, result = world.apply([path])

    outcomes = _outcomes(result)
    assert outcomes.pop("webhook/hook-0") is Outcome.FAILED
    assert set(outcomes.values()) == {Outcome.APPLIED}
    [failed] = [r for r in result.results if r.outcome is Outcome.FAILED]
    assert failed.message == "unexpected KeyError: 'id'"


def test_a_state_file_that_cannot_be_saved_stops_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=2))
    plan = world.plan([path])

    def disk_full(*args: object) -> None:
        raise StateError("cannot write the state file: No space left on device")

    monkeypatch.setattr("websets_sync.state.store.write_private_atomically", disk_full)
    result = world.execute(plan, parallelism=1)

    assert world.emulator.count("POST") == 1  # nothing after the change it could not record
    # The webset was created: it is applied, not "failed", and where its record went is said.
    [done] = [r for r in result.results if r.outcome is Outcome.APPLIED]
    assert "not saved in the state file" in (done.message or "")
    assert result.count(Outcome.FAILED) == 0
    assert result.state_unsaved is not None and not result.ok
    assert result.rescue_file is not None and str(result.rescue_file) in (done.message or "")


def test_created_webhooks_whose_save_fails_keep_their_secret_in_a_rescue_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=3))
    plan = world.plan([path])

    def disk_full(*args: object) -> None:
        raise StateError("cannot write the state file: No space left on device")

    monkeypatch.setattr("websets_sync.state.store.write_private_atomically", disk_full)
    result = world.execute(plan, parallelism=3)

    assert result.count(Outcome.FAILED) == 0
    applied = [r for r in result.results if r.outcome is Outcome.APPLIED]
    assert applied and result.rescue_file is not None
    rescued = load_state(result.rescue_file)
    assert {str(r.address) for r in applied} <= set(rescued.resources)
    assert all(rescued.resources[str(r.address)].secret for r in applied)
    assert all("whsec" not in (r.message or "") for r in result.results)


def test_an_unwritable_state_folder_stops_apply_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=2))
    plan = world.plan([path])
    before = world.emulator.count("POST")

    def read_only(*args: object, **kwargs: object) -> int:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("websets_sync.state.files.os.open", read_only)
    with pytest.raises(StateError, match="Read-only file system"):
        world.execute(plan)
    assert world.emulator.count("POST") == before
