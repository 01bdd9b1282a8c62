"""Creates whose answer was lost are found in live state, never sent twice (issue 5 §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from apply_support import LoseResponses, World, manifest, tag_counts, write

from websets_sync.apply.runner import Outcome
from websets_sync.model import TAG_EXTERNAL_ID, TAG_INITIAL_SEARCH, TAG_PROJECT, Kind
from websets_sync.model.kinds import same_definition
from websets_sync.state.store import load_state


def _lossy(tmp_path: Path, rules: dict[str, int]) -> tuple[World, LoseResponses]:
    world = World(tmp_path)
    lossy = LoseResponses(world.emulator, rules)
    world.intercept = lossy.handle
    return world, lossy


def _assert_converged_without_duplicates(world: World, path: Path) -> None:
    counts = tag_counts(
        world.objects("enrichment") + world.objects("monitor") + world.objects("webhook"), "proj"
    )
    assert counts and set(counts.values()) == {1}
    searches = tag_counts(world.objects("search"), "proj")
    assert set(searches.values()) <= {1}
    assert len({ws["externalId"] for ws in world.objects("webset")}) == len(world.objects("webset"))
    world.emulator.clear_log()
    assert not world.plan([path]).has_changes


def test_lost_webset_create_is_found_by_external_id(tmp_path: Path) -> None:
    world, lossy = _lossy(tmp_path, {r"POST /websets$": 1})
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=0))
    plan = world.plan([path])

    result = world.execute(plan)

    assert lossy.lost == ["POST /websets/v0/websets"]
    assert world.emulator.count("POST", "/websets") == 2  # the webset once, then search s1
    assert "GET /websets/ws-0" in world.requests()
    assert result.ok
    [webset] = [r for r in result.results if str(r.address) == "webset/ws-0"]
    assert "answer lost" in (webset.message or "")
    state = load_state(world.state_path)
    assert state.get("webset/ws-0/search/s0") is not None  # inline children recorded too
    assert state.get("webset/ws-0/enrichment/e1") is not None
    _assert_converged_without_duplicates(world, path)


def test_409_without_this_applys_nonce_is_never_taken_for_its_own_create(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(
        tmp_path / "m.yaml", manifest(websets=1, searches=1, enrichments=0, monitors=0, webhooks=0)
    )
    plan = world.plan([path])
    world.emulator.clear_log()
    # A webset of this project landed meanwhile: another apply's (issue 10, finding 1) or an
    # earlier run's. Nothing proves it is this apply's own create, so its children are not sent.
    world.emulator.seed(
        "webset",
        {
            "externalId": "ws-0",
            "title": "Webset 0",
            "metadata": {TAG_PROJECT: "proj", TAG_INITIAL_SEARCH: "s0"},
        },
    )

    result = world.execute(plan)

    assert [(e.method, e.path, e.status) for e in world.emulator.request_log] == [
        ("POST", "/websets", 409),
        ("GET", "/websets/ws-0", 200),
    ]
    [webset] = [r for r in result.results if str(r.address) == "webset/ws-0"]
    assert webset.outcome is Outcome.FAILED
    assert "created by another apply" in (webset.message or "")
    # A fresh plan sees the webset as it is and completes it: one search, no duplicates.
    world.apply([path])
    assert len(world.objects("webset")) == 1 and len(world.objects("search")) == 1
    assert not world.plan([path]).has_changes


def test_409_for_someone_elses_webset_fails_that_webset_only(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(
        tmp_path / "m.yaml", manifest(websets=2, searches=1, enrichments=0, monitors=0, webhooks=0)
    )
    plan = world.plan([path])
    world.emulator.seed("webset", {"externalId": "ws-0", "metadata": {TAG_PROJECT: "other"}})

    result = world.execute(plan)

    outcomes = {str(r.address): r.outcome for r in result.results}
    assert outcomes["webset/ws-0"] is Outcome.FAILED
    assert outcomes["webset/ws-0/search/s0"] is Outcome.NOT_ATTEMPTED
    assert outcomes["webset/ws-1"] is Outcome.APPLIED
    [failed] = [r for r in result.results if r.outcome is Outcome.FAILED]
    assert "not managed by project 'proj'" in (failed.message or "")


@pytest.mark.parametrize(
    ("rule", "manifest_kwargs", "kind"),
    [
        (r"POST /websets/v0/websets/[^/]+/searches$", {}, "search"),
        (r"POST /websets/v0/monitors$", {}, "monitor"),
    ],
)
def test_lost_child_create_is_found_by_its_tags(
    tmp_path: Path, rule: str, manifest_kwargs: dict[str, int], kind: str
) -> None:
    world, lossy = _lossy(tmp_path, {rule: 1})
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=0, **manifest_kwargs))

    _, result = world.apply([path])

    assert len(lossy.lost) == 1 and result.ok
    if kind == "search":
        # The real API keeps no search metadata (API-NOTES §9 R12): the lost run is found by
        # its definition, and nothing runs twice (the inline search and this one).
        assert len(world.objects("search")) == 2
    else:
        tagged = tag_counts(world.objects(kind), "proj")
        assert list(tagged.values()) == [1]
    _assert_converged_without_duplicates(world, path)


def test_lost_enrichment_create_on_existing_webset_is_found(tmp_path: Path) -> None:
    world, lossy = _lossy(tmp_path, {})
    path = write(tmp_path / "m.yaml", manifest(websets=1, enrichments=1, webhooks=0))
    world.apply([path])
    write(path, manifest(websets=1, enrichments=2, webhooks=0))
    lossy.rules = {r"POST /websets/v0/websets/[^/]+/enrichments$": 1}
    world.emulator.clear_log()

    _, result = world.apply([path])

    assert len(lossy.lost) == 1 and result.ok
    assert world.emulator.count("POST") == 1
    assert len(world.objects("enrichment")) == 2
    _assert_converged_without_duplicates(world, path)


def test_lost_webhook_create_is_found_and_flagged_secret_unknown(tmp_path: Path) -> None:
    world, lossy = _lossy(tmp_path, {r"POST /websets/v0/webhooks$": 1})
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=1))

    _, result = world.apply([path])

    assert lossy.lost and result.ok
    assert world.emulator.count("POST", "/webhooks") == 1
    entry = load_state(world.state_path).get("webhook/hook-0")
    assert entry is not None and entry.secret is None and entry.secret_unknown
    assert "--replace webhook/hook-0" in (result.results[0].message or "")
    plan = world.plan([path])
    assert not plan.has_changes
    assert any("no known signing secret" in w for w in map(str, plan.warnings))


def test_create_that_did_not_happen_is_sent_again_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    failed: list[str] = []

    def fail_first_monitor(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/monitors") and not failed:
            failed.append("503")
            return httpx.Response(503, json={"error": "unavailable"})
        return world.emulator.handle(request)

    world.intercept = fail_first_monitor
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=0))

    _, result = world.apply([path])

    assert failed == ["503"] and result.ok
    assert world.emulator.count("POST", "/monitors") == 1  # the 503 never reached it
    assert len(world.objects("monitor")) == 1
    # The lookup that found nothing came before the second create.
    requests = world.requests()
    assert requests.index(f"GET /websets/{world.objects('webset')[0]['id']}") < requests.index(
        "POST /monitors"
    )


def test_unknown_outcome_every_time_gives_up_without_duplicates(tmp_path: Path) -> None:
    world = World(tmp_path)

    def always_503(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/webhooks"):
            return httpx.Response(503, json={"error": "unavailable"})
        return world.emulator.handle(request)

    world.intercept = always_503
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=1))

    _, result = world.apply([path])

    [only] = result.results
    assert only.outcome is Outcome.FAILED and "outcome unknown after 5 attempts" in (
        only.message or ""
    )
    assert world.objects("webhook") == []
    assert TAG_EXTERNAL_ID  # the tag the lookups search for


def same_search_definition(body: dict[str, Any], live: dict[str, Any]) -> bool:
    # Reconciliation asks the one "same object" rule of model/kinds.py, as the planner does.
    return same_definition(Kind.SEARCH, body, live)


def test_search_lookup_matches_the_definition_sent_and_ignores_server_extras() -> None:
    body = {
        "query": "q",
        "count": 5,
        "criteria": [{"description": "c"}],
        "entity": {"type": "company"},
        "behavior": "append",
        "metadata": {"websets-sync/external-id": "s"},
    }
    live = {
        "query": "q",
        "count": 5,
        "criteria": [{"description": "c", "successRate": 40}],
        "entity": {"type": "company"},
        "behavior": "append",
        "progress": {"found": 3},
    }
    assert same_search_definition(body, live)
    assert not same_search_definition(body, {**live, "query": "other"})
    assert not same_search_definition(body, {**live, "count": 6})
    assert not same_search_definition(body, {**live, "criteria": [{"description": "d"}]})
    assert not same_search_definition(body, {**live, "entity": {"type": "person"}})


def test_a_create_that_may_have_happened_is_looked_for_before_a_429_is_reported() -> None:
    from websets_sync.apply.reconcile import create_once
    from websets_sync.errors import RateLimitedError, UnknownOutcomeError

    attempts: list[str] = []
    finds = iter([None, {"id": "wh_1"}])

    def create() -> dict[str, str]:
        attempts.append("create")
        if len(attempts) == 1:
            raise UnknownOutcomeError("POST /webhooks: 500", method="POST", path="/webhooks")
        raise RateLimitedError(method="POST", path="/webhooks", status=429)

    # The first create happened (answer lost), the retry met 429s: found, not "failed".
    assert create_once(create, lambda: next(finds)) == ({"id": "wh_1"}, True)
    assert attempts == ["create", "create"]


def test_a_read_that_fails_during_reconciliation_is_tried_again() -> None:
    from websets_sync.apply.reconcile import create_once
    from websets_sync.errors import TransportError, UnknownOutcomeError

    reads: list[str] = []

    def create() -> dict[str, str]:
        raise UnknownOutcomeError("POST /webhooks: 500", method="POST", path="/webhooks")

    def find() -> dict[str, str] | None:
        reads.append("find")
        if len(reads) < 3:
            raise TransportError("GET /webhooks failed after 6 attempts")
        return {"id": "wh_1"}

    assert create_once(create, find) == ({"id": "wh_1"}, True)
    assert reads == ["find", "find", "find"]


def test_a_429_on_the_first_create_is_a_plain_failure_without_a_lookup() -> None:
    from websets_sync.apply.reconcile import create_once
    from websets_sync.errors import RateLimitedError

    def create() -> dict[str, str]:
        raise RateLimitedError(method="POST", path="/webhooks", status=429)

    def find() -> None:
        raise AssertionError("a create that was never let through needs no lookup")

    with pytest.raises(RateLimitedError):
        create_once(create, find)
