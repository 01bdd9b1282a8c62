"""Schemathesis generates requests for every operation of the vendored OpenAPI spec and checks
that `emulator serve` answers them with the documented response schema and never a 5xx.

Bounded: a fixed number of examples per operation, derandomized (the project's hypothesis
profile), so the run is reproducible and takes seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from exa_conformance import API_KEY, SPEC_PATH
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from websets_sync.emulator import Emulator, serve
from websets_sync.testing import START

EXAMPLES_PER_OPERATION = 12
SCHEMA = schemathesis.openapi.from_path(SPEC_PATH)
#: Generated monitor bodies never carry a cron the API accepts (at most once a day), so every
#: case is a 400; the spec documents no error body, so there is nothing to judge.
NEVER_2XX = {"POST /v0/monitors"}


class World:
    """Live objects of every kind, so generated requests also reach existing ones (a random id
    only ever meets a 404). Rebuilt through the API whenever a generated DELETE removed a part.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.api = httpx.Client(
            transport=emulator.transport(),
            base_url="http://emulator.local/websets/v0",
            headers={"x-api-key": API_KEY},
        )
        self.ids: dict[str, str] = {}

    def ensure(self) -> dict[str, str]:
        store = self.emulator.store
        kinds = ("webset", "search", "enrichment", "item", "monitor", "webhook", "import", "event")
        if self.ids and all(store.find(kind, self.ids[kind]) for kind in kinds):
            runs = store.find("monitor", self.ids["monitor"])["_runs"]
            if any(run["id"] == self.ids["run"] for run in runs):
                return self.ids
        # Start from an empty account: the world's clock moves would otherwise let every search
        # generated so far (up to 1000 items each) run to completion, slowly.
        self.emulator.reset()
        self._build()
        return self.ids

    def _build(self) -> None:
        api = self.api
        # Port 9 on loopback refuses at once: the attempt is recorded as failed, nothing waits.
        hook = api.post(
            "/webhooks", json={"url": "http://127.0.0.1:9/", "events": ["monitor.created"]}
        )
        webset = api.post(
            "/websets",
            json={
                "search": {"query": "Fintech startups in London", "count": 2},
                "enrichments": [{"description": "CEO name"}],
            },
        ).json()
        self.emulator.advance_clock(30)
        monitor = api.post(
            "/monitors",
            json={
                "websetId": webset["id"],
                "cadence": {"cron": "0 9 * * *"},
                "behavior": {"type": "search", "config": {"count": 1}},
            },
        ).json()
        self.emulator.advance_clock(24 * 3600)
        imported = api.post(
            "/imports", json={"format": "csv", "entity": {"type": "company"}, "size": 9, "count": 1}
        ).json()
        items = api.get(f"/websets/{webset['id']}/items").json()["data"]
        runs = api.get(f"/monitors/{monitor['id']}/runs").json()["data"]
        events = api.get("/events", params={"limit": 1}).json()["data"]
        self.ids = {
            "webset": webset["id"],
            "search": webset["searches"][0]["id"],
            "enrichment": webset["enrichments"][0]["id"],
            "item": items[0]["id"],
            "monitor": monitor["id"],
            "run": runs[0]["id"],
            "webhook": hook.json()["id"],
            "import": imported["id"],
            "event": events[0]["id"],
        }

    def path_parameters(self, path: str) -> dict[str, str]:
        """Real ids for the path parameters of an operation of the spec."""
        ids = self.ensure()
        parts = path.strip("/").split("/")[1:]  # drop "v0"
        resource = {
            "websets": "webset",
            "webhooks": "webhook",
            "events": "event",
            "monitors": "monitor",
            "imports": "import",
        }[parts[0]]
        child = (
            {"items": "item", "enrichments": "enrichment", "searches": "search", "runs": "run"}.get(
                parts[2]
            )
            if len(parts) > 2
            else None
        )
        params = {}
        for name in ("id", "webset", "monitor"):
            if "{" + name + "}" not in path:
                continue
            is_child = (
                name == "id" and child is not None and path.index("{id}") > path.index(parts[2])
            )
            params[name] = ids[child if is_child and child else resource]
        return params


@pytest.fixture(scope="module")
def served_world() -> Iterator[tuple[str, World]]:
    emulator = Emulator(api_key=API_KEY, clock=lambda: START, seed=3)
    server, base_url = serve(emulator)
    try:
        # The spec's server is …/websets; its paths start with /v0/.
        world = World(emulator)
        yield f"{base_url}/websets", world
        world.api.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[dict[str, int]]:
    """Cases of one operation (one test item, however many examples hypothesis runs in it);
    afterwards: it was not vacuous, the emulator answered 2xx to some, whose bodies were judged.
    Per item, so it holds whichever xdist worker runs it."""
    counts = {"answered": 0, "ok": 0}
    yield counts
    label = request.node.name.partition("[")[2].rstrip("]")
    assert counts["answered"] > 0
    if label not in NEVER_2XX:
        assert counts["ok"] > 0, f"{label}: no generated case was answered 2xx"


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_answers_conform_to_the_spec(
    case: schemathesis.Case, served_world: tuple[str, World], tally: dict[str, int]
) -> None:
    api_base, world = served_world
    tally["answered"] += 1
    # Every other case of an operation targets live objects (deletes: every fourth).
    share = 4 if case.operation.method.upper() == "DELETE" else 2
    if case.path_parameters and tally["answered"] % share == 0:
        case.path_parameters = {
            **case.path_parameters,
            **world.path_parameters(case.operation.path),
        }
    response = case.call_and_validate(
        base_url=api_base,
        headers={"x-api-key": API_KEY},
        checks=[response_schema_conformance, not_a_server_error],
        timeout=10,
    )
    if response.status_code < 300:
        tally["ok"] += 1
