"""Emulator fault injection, request log, seeding/editing and persistence."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest

from websets_sync.emulator import Emulator, Faults, serve

API = "http://emulator.local/websets/v0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def _client(emulator: Emulator) -> httpx.Client:
    return httpx.Client(transport=emulator.transport(), base_url=API, headers={"x-api-key": "k"})


def test_qps_limit_answers_429_with_retry_after_in_a_sliding_window() -> None:
    clock = Clock()
    emulator = Emulator(clock=clock, faults=Faults(qps_limit=2))
    with _client(emulator) as api:
        assert [api.get("/websets").status_code for _ in range(3)] == [200, 200, 429]
        limited = api.get("/websets")
        assert limited.headers["Retry-After"] == "1"
        assert limited.json()["tag"] == "RATE_LIMITED"
        clock.now += 0.5
        assert api.get("/websets").status_code == 429  # both earlier requests still in window
        clock.now += 0.6
        assert api.get("/websets").status_code == 200
    assert emulator.count("GET", "/websets") == 6  # rate-limited requests are logged too


def test_error_rate_answers_500_before_doing_anything() -> None:
    emulator = Emulator(faults=Faults(error_rate=1.0))
    with _client(emulator) as api:
        response = api.post("/websets", json={"externalId": "x"})
        assert (response.status_code, response.json()["tag"]) == (500, "INTERNAL_ERROR")
        emulator.faults.error_rate = 0.0  # faults are mutable at runtime
        assert api.get("/websets").json()["data"] == []
        assert api.post("/websets", json={"externalId": "x"}).status_code == 201


def test_error_rate_is_reproducible_for_a_seed() -> None:
    runs = []
    for _ in range(2):
        emulator = Emulator(faults=Faults(error_rate=0.5), seed=5)
        with _client(emulator) as api:
            runs.append([api.get("/websets").status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}


def test_lost_response_commits_the_write_then_raises() -> None:
    emulator = Emulator(faults=Faults(lost_response_rate=1.0))
    with _client(emulator) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/websets", json={"externalId": "lost"})
        assert api.get("/websets/lost").status_code == 200  # GETs are never lost
    assert [(e.method, e.lost) for e in emulator.request_log] == [("POST", True), ("GET", False)]


def test_lost_response_over_http_closes_the_connection() -> None:
    emulator = Emulator(faults=Faults(lost_response_rate=1.0))
    server, base_url = serve(emulator)
    try:
        with httpx.Client(base_url=base_url, headers={"x-api-key": "k"}) as api:
            with pytest.raises(httpx.RemoteProtocolError):
                api.post("/websets/v0/websets", json={"externalId": "lost"})
            assert api.get("/websets/v0/websets/lost").status_code == 200
    finally:
        server.shutdown()
        server.server_close()


def test_path_failures_answer_before_doing_anything() -> None:
    emulator = Emulator(faults=Faults(path_failures={"POST ^/websets$": 503, "* ^/monitors": 502}))
    with _client(emulator) as api:
        assert api.post("/websets", json={}).status_code == 503
        assert api.get("/monitors").status_code == 502
        assert api.get("/websets").json()["data"] == []
        assert api.get("/websets").status_code == 200


def test_request_log_counts_by_method_and_path_prefix() -> None:
    emulator = Emulator()
    with _client(emulator) as api:
        webset = api.post("/websets", json={}).json()
        api.get(f"/websets/{webset['id']}")
        api.get("/websets", params={"limit": 5})
        api.get("/monitors")
    assert emulator.count() == 4
    assert emulator.count("GET") == 3
    assert emulator.count("GET", "/websets") == 2
    assert emulator.count(path=f"/websets/{webset['id']}") == 1
    assert emulator.request_log[2].query == "limit=5"
    emulator.clear_log()
    assert emulator.count() == 0


def test_seed_and_edit_change_state_without_logging() -> None:
    emulator = Emulator()
    seeded = emulator.seed("webset", {"externalId": "dash", "metadata": {"a": "1"}})
    edited = emulator.edit("webset", seeded["id"], {"title": "Edited in the dashboard"})
    assert edited["title"] == "Edited in the dashboard"
    with _client(emulator) as api:
        webset = api.get("/websets/dash").json()
    assert (webset["title"], webset["metadata"], webset["status"]) == (
        "Edited in the dashboard",
        {"a": "1"},
        "idle",
    )
    assert emulator.count() == 1
    with pytest.raises(ValueError, match="unknown kind"):
        emulator.seed("gizmo", {})
    with pytest.raises(KeyError):
        emulator.edit("webset", "missing", {})


def test_persistence_round_trip(tmp_path: Path) -> None:
    data_file = tmp_path / "state" / "emulator.json"
    first = Emulator(data_file=data_file)
    with _client(first) as api:
        created = api.post("/websets", json={"externalId": "kept", "metadata": {"k": "v"}}).json()
        hook = api.post("/webhooks", json={"events": ["webset.idle"], "url": "https://h.io/x"})
    assert json.loads(data_file.read_text())["version"] == 1
    assert not list(data_file.parent.glob(".emulator-*.tmp"))  # atomic: no temp file left over
    second = Emulator(data_file=data_file)
    with _client(second) as api:
        assert api.get("/websets/kept").json()["metadata"] == {"k": "v"}
        assert api.get(f"/webhooks/{hook.json()['id']}").json()["secret"] is None
        another = api.post("/websets", json={}).json()
        assert api.post("/websets", json={"externalId": "kept"}).status_code == 409
    assert another["id"] != created["id"]
    assert created["id"] < another["id"]  # ids keep sorting in creation order across restarts


def test_concurrent_requests_are_serialized_safely() -> None:
    emulator = Emulator()

    def create(n: int) -> None:
        with _client(emulator) as api:
            for i in range(10):
                assert api.post("/websets", json={"externalId": f"t{n}-{i}"}).status_code == 201

    threads = [threading.Thread(target=create, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with _client(emulator) as api:
        assert len(api.get("/websets", params={"limit": 100}).json()["data"]) == 50
    assert emulator.count("POST") == 50
