"""Imports and references end to end against the emulator (issue 12, DESIGN §10): the CSVs
become imports with the right counts and uploads, every reference reaches the API as the right
id, and a second plan has nothing to do; a changed CSV replaces its import and runs no search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from apply_support import API_KEY, World, write

from websets_sync.model import TAG_FILE_SHA256, Address
from websets_sync.plan import Action

MANIFEST = """\
version: 1
project: proj
imports:
  - externalId: targets
    file: data/targets.csv
    entity: {type: company}
    title: Target accounts
    csv: {identifier: 0}
  - externalId: customers-csv
    file: data/customers.csv
    entity: {type: company}
websets:
  - externalId: customers
    import: [{source: import, externalId: customers-csv}]
  - externalId: lookalikes
    import: [{source: import, externalId: targets}]
    exclude: [{source: webset, externalId: customers}]
    searches:
      - externalId: similar
        query: Companies similar to our customers
        count: 5
        exclude: [{source: webset, externalId: customers}]
      - externalId: investors
        query: Investors of our target accounts
        count: 4
        scope:
          - source: import
            externalId: targets
            relationship: {definition: investors of, limit: 2}
"""
TARGETS = "url,name\nhttps://a.example,A\nhttps://b.example,B\nhttps://c.example,C\n"
CUSTOMERS = 'url,name\nhttps://x.example,"X, Inc."\n\nhttps://y.example,Y\n'


class Recorder:
    """Passes requests to the emulator and keeps each one's method, path, body and key."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seen: list[tuple[str, str, Any, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        raw = request.content
        body: Any = None
        if raw and request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(raw)
        elif raw:
            body = raw.decode()
        path = request.url.path.removeprefix("/websets/v0")
        self.seen.append((request.method, path, body, request.headers.get("x-api-key")))
        return self.world.emulator.handle(request)

    def bodies(self, method: str, path: str) -> list[Any]:
        return [body for m, p, body, _ in self.seen if m == method and p == path]


def setup(tmp_path: Path) -> tuple[World, Recorder, Path]:
    write(tmp_path / "data" / "targets.csv", TARGETS)
    write(tmp_path / "data" / "customers.csv", CUSTOMERS)
    manifest = write(tmp_path / "websets.yaml", MANIFEST)
    world = World(tmp_path)
    recorder = Recorder(world)
    world.intercept = recorder
    return world, recorder, manifest


def test_apply_from_empty_creates_uploads_and_resolves_every_reference(tmp_path: Path) -> None:
    world, recorder, manifest = setup(tmp_path)
    plan, result = world.apply([manifest], parallelism=1)
    assert all(r.outcome.value == "applied" for r in result.results), result.results
    imports = {i["metadata"]["websets-sync/external-id"]: i for i in world.objects("import")}
    targets, customers = imports["targets"], imports["customers-csv"]
    websets = {w["externalId"]: w for w in world.objects("webset")}

    created = recorder.bodies("POST", "/imports")
    assert [(b["count"], b["size"]) for b in created] == [
        (2, len(CUSTOMERS.encode())),
        (3, len(TARGETS.encode())),
    ]
    assert created[1]["csv"] == {"identifier": 0} and created[1]["format"] == "csv"
    assert created[1]["metadata"][TAG_FILE_SHA256] == plan_sha(plan, "targets")
    uploads = [(p, b, key) for m, p, b, key in recorder.seen if m == "PUT"]
    assert uploads == [
        (f"/imports/{customers['id']}/upload", CUSTOMERS, None),
        (f"/imports/{targets['id']}/upload", TARGETS, None),
    ]

    customers_body, lookalikes_body = recorder.bodies("POST", "/websets")
    assert customers_body["import"] == [{"source": "import", "id": customers["id"]}]
    assert lookalikes_body["import"] == [{"source": "import", "id": targets["id"]}]
    customers_ref = [{"source": "webset", "id": websets["customers"]["id"]}]
    assert lookalikes_body["exclude"] == customers_ref
    assert lookalikes_body["search"]["exclude"] == customers_ref
    (scoped,) = recorder.bodies("POST", f"/websets/{websets['lookalikes']['id']}/searches")
    assert scoped["scope"] == [
        {
            "source": "import",
            "id": targets["id"],
            "relationship": {"definition": "investors of", "limit": 2},
        }
    ]
    assert world.mutations() == [
        "POST /imports",
        f"PUT /imports/{customers['id']}/upload",
        "POST /imports",
        f"PUT /imports/{targets['id']}/upload",
        "POST /websets",
        "POST /websets",
        f"POST /websets/{websets['lookalikes']['id']}/searches",
    ]
    assert len(world.requests()) == 10  # 3 listings + 7 mutations

    again = world.plan([manifest])
    assert not again.has_changes, [(str(c.address), c.reason) for c in again.changes]


def plan_sha(plan: Any, name: str) -> str:
    change = next(c for c in plan.changes if c.address == Address.for_import(name))
    return str(change.desired.upload.sha256)


def test_a_changed_csv_replaces_its_import_and_runs_no_search(tmp_path: Path) -> None:
    world, recorder, manifest = setup(tmp_path)
    world.apply([manifest], parallelism=1)
    old = {i["metadata"]["websets-sync/external-id"]: i["id"] for i in world.objects("import")}
    write(tmp_path / "data" / "targets.csv", TARGETS + "https://d.example,D\n")
    world.emulator.clear_log()

    plan = world.plan([manifest])
    changed = {str(c.address): c for c in plan.changes if c.action is not Action.NOOP}
    assert list(changed) == ["import/targets"]
    assert changed["import/targets"].action is Action.REPLACE
    assert changed["import/targets"].fields[0].path == "file"
    investors = next(c for c in plan.changes if c.address.name == "investors")
    assert "keeps its old scope: import/targets is replaced" in investors.reason

    result = world.execute(plan, parallelism=1)
    assert all(r.outcome.value == "applied" for r in result.results)
    new = {i["metadata"]["websets-sync/external-id"]: i for i in world.objects("import")}
    assert new["targets"]["id"] != old["targets"] and new["targets"]["count"] == 4
    assert world.mutations() == [
        f"DELETE /imports/{old['targets']}",
        "POST /imports",
        f"PUT /imports/{new['targets']['id']}/upload",
    ]
    after = world.plan([manifest])
    assert not after.has_changes, [(str(c.address), c.reason) for c in after.changes]


def test_a_failed_upload_leaves_no_half_made_import(tmp_path: Path) -> None:
    world, recorder, manifest = setup(tmp_path)
    failures = {"left": 1}

    def expire_first_upload(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and failures["left"]:
            failures["left"] -= 1
            return httpx.Response(403, text="<Error>Request has expired</Error>")
        return recorder(request)

    world.intercept = expire_first_upload
    plan, result = world.apply([manifest], parallelism=1)
    outcome = {str(r.address): r for r in result.results}
    assert outcome["import/customers-csv"].outcome.value == "applied"
    assert "uploaded again as a fresh import" in (outcome["import/customers-csv"].message or "")
    assert len(world.objects("import")) == 2
    assert world.mutations()[:4] == [
        "POST /imports",
        f"DELETE /imports/{half_made(world)}",
        "POST /imports",
        f"PUT /imports/{outcome['import/customers-csv'].id}/upload",
    ]
    put_keys = [key for method, _, _, key in recorder.seen if method == "PUT"]
    assert put_keys == [None, None]  # presigned URLs: the API key is never sent there
    assert all(key == API_KEY for method, _, _, key in recorder.seen if method != "PUT")


def half_made(world: World) -> str:
    deletes = [e.path for e in world.emulator.request_log if e.method == "DELETE"]
    return deletes[0].rsplit("/", 1)[1]


def test_the_emulator_embeds_imported_rows_and_echoes_references(tmp_path: Path) -> None:
    world, recorder, manifest = setup(tmp_path)
    world.apply([manifest], parallelism=1)
    websets = {w["externalId"]: w["id"] for w in world.objects("webset")}
    items = list(world.client.iter_items(websets["customers"]))
    assert sorted((i["source"], i["properties"]["url"]) for i in items) == [
        ("import", "https://x.example"),
        ("import", "https://y.example"),
    ]
    lookalikes = world.client.get_webset(websets["lookalikes"])
    assert lookalikes["excludes"] == [{"source": "webset", "id": websets["customers"]}]
    scoped = [s for s in lookalikes["searches"] if s["scope"]]
    assert [s["scope"][0]["relationship"]["definition"] for s in scoped] == ["investors of"]


def test_raw_ids_still_work_and_any_webset_is_named_by_externalid(tmp_path: Path) -> None:
    world, recorder, manifest = setup(tmp_path)
    world.apply([manifest], parallelism=1)
    targets = next(i["id"] for i in world.objects("import") if i["title"] == "Target accounts")
    outside = world.client.create_webset({"externalId": "made-elsewhere"})
    second = write(
        tmp_path / "more" / "more.yaml",
        f"""\
        version: 1
        project: proj
        websets:
          - externalId: more
            import: [{{source: import, id: {targets}}}]
            exclude: [{{source: webset, externalId: made-elsewhere}}]
        """,
    )
    plan = world.plan([manifest, second])
    (created,) = [c for c in plan.changes if c.action is Action.CREATE]
    shown = {f.path: f.after for f in created.fields}
    assert shown["import"] == [{"ref": "import/targets"}]  # by address, not by raw id
    assert shown["exclude"] == [{"ref": "webset/made-elsewhere"}]
    world.execute(plan, parallelism=1)
    body = recorder.bodies("POST", "/websets")[-1]
    assert body["import"] == [{"source": "import", "id": targets}]
    assert body["exclude"] == [{"source": "webset", "id": outside["id"]}]
    assert not world.plan([manifest, second]).has_changes
