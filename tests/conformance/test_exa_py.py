"""The official exa-py SDK drives `serve()` through every endpoint websets-sync uses.

Every answer must parse into exa-py's pydantic models (the SDK validates each response) and match
the response schema the official OpenAPI spec gives for that operation and status code (fields
the spec lacks, such as dashboardUrl or title, are allowed as extras).
"""

from __future__ import annotations

import pytest
from exa_conformance import API_KEY, SPEC_PATH, Served, SpecChecker
from exa_py import Exa
from exa_py.websets.types import (
    CreateEnrichmentParameters,
    CreateImportParameters,
    CreateImportResponse,
    CreateMonitorParameters,
    CreateWebhookParameters,
    CreateWebsetParameters,
    CreateWebsetSearchParameters,
    GetWebsetResponse,
    Import,
    ListWebsetItemResponse,
    PreviewWebsetParameters,
    UpdateEnrichmentParameters,
    UpdateImport,
    UpdateMonitor,
    UpdateWebhookParameters,
    UpdateWebsetRequest,
    Webset,
    WebsetEnrichment,
)

from websets_sync.emulator.router import ROUTES


def test_every_spec_operation_has_an_emulator_route(spec_checker: SpecChecker) -> None:
    """Also says loudly when the schema half of the tests below cannot run."""
    if spec_checker.spec is None:
        pytest.skip(
            f"OpenAPI spec not found at {SPEC_PATH}: the vendored copy is missing, so answers "
            "were checked against exa-py's models only"
        )
    missing = []
    for template, method, _ in spec_checker.templates:
        segments = ["some-id" if p.startswith("{") else p for p in template.split("/")[2:]]
        if ROUTES.match(method, segments) is None:
            missing.append(f"{method} {template}")
    assert missing == []
    assert len(spec_checker.templates) == 38


def _exa(served: Served) -> Exa:
    return Exa(api_key=API_KEY, base_url=served.base_url)


def _create_webset(exa: Exa, external_id: str = "acme-leads") -> Webset:
    params = CreateWebsetParameters.model_validate(
        {
            "externalId": external_id,
            "search": {"query": "AI startups in Berlin that raised a seed round", "count": 4},
            "enrichments": [{"description": "Name of the CEO"}],
            "metadata": {"owner": "growth"},
        }
    )
    return exa.websets.create(params)


def test_websets_create_get_list_update_cancel_delete(
    served: Served, spec_checker: SpecChecker
) -> None:
    exa = _exa(served)
    created = _create_webset(exa)
    assert created.external_id == "acme-leads"
    assert created.status == "running"
    assert created.dashboard_url
    assert created.title is None  # recorded: generated from the search query a moment later
    assert [s.query for s in created.searches] == ["AI startups in Berlin that raised a seed round"]
    assert created.searches[0].metadata == {}
    assert [e.description for e in created.enrichments] == ["Name of the CEO"]

    by_external_id = exa.websets.get("acme-leads")
    assert by_external_id.id == created.id
    served.clock.advance(10)
    expanded = exa.websets.get(created.id, expand=["items"])
    assert expanded.title and expanded.status == "idle"
    assert expanded.items is not None and len(expanded.items) == 4
    assert [w.id for w in exa.websets.list(limit=100).data] == [created.id]

    updated = exa.websets.update(
        created.id, UpdateWebsetRequest(title="Berlin seed", metadata={"team": "sales"})
    )
    assert (updated.title, updated.metadata) == ("Berlin seed", {"team": "sales"})
    assert exa.websets.cancel(created.id).status == "idle"
    assert exa.websets.delete(created.id).id == created.id
    with pytest.raises(ValueError, match="status code 404"):
        exa.websets.get(created.id)

    exchanges = served.recorder.take()
    assert [(e.method, e.status) for e in exchanges[:1]] == [("POST", 201)]
    # Explicit model checks on the raw JSON, beside the SDK's own parsing.
    Webset.model_validate(exchanges[0].body)
    GetWebsetResponse.model_validate(exchanges[2].body)
    assert spec_checker.check_all(exchanges) == 8


def test_searches_progress_and_items(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    webset = _create_webset(exa)
    served.clock.advance(10)
    search = exa.websets.searches.create(
        webset.id,
        CreateWebsetSearchParameters(
            query="Robotics startups in Munich", count=3, behavior="append", metadata={"k": "v"}
        ),
    )
    # Recorded (R4, R12): running at once, and the metadata sent is not kept.
    assert (search.status, search.metadata, search.progress.found) == ("running", {}, 0)
    served.clock.advance(1.1)
    running = exa.websets.searches.get(webset.id, search.id)
    assert running.status == "running"
    assert 0 < running.progress.found < 3
    served.clock.advance(5)
    done = exa.websets.searches.get(webset.id, search.id)
    assert (done.status, done.progress.found, done.progress.completion) == ("completed", 3, 100)
    items = exa.websets.items.list(webset.id, limit=100)
    assert len(items.data) == 4 + 3  # append keeps the first search's items
    assert all(i.enrichments for i in items.data)
    item = exa.websets.items.get(webset.id, items.data[0].id)
    assert item.id == items.data[0].id
    again = exa.websets.searches.create(
        webset.id, CreateWebsetSearchParameters(query="Drone makers", count=2)
    )
    canceled = exa.websets.searches.cancel(webset.id, again.id)
    assert canceled.status == "canceled"

    exchanges = served.recorder.take()
    ListWebsetItemResponse.model_validate(next(e.body for e in exchanges if "/items" in e.path))
    assert spec_checker.check_all(exchanges) == 8


def test_enrichments_create_get_update_delete_cancel(
    served: Served, spec_checker: SpecChecker
) -> None:
    exa = _exa(served)
    webset = _create_webset(exa)
    enrichment = exa.websets.enrichments.create(
        webset.id,
        CreateEnrichmentParameters(
            description="Funding stage", format="options", options=[{"label": "Seed"}]
        ),
    )
    assert (enrichment.format, enrichment.status) == ("options", "pending")
    assert (enrichment.title, enrichment.instructions) == (None, None)  # recorded: filled later
    assert exa.websets.enrichments.get(webset.id, enrichment.id).id == enrichment.id
    # exa-py parses the PATCH answer as a WebsetEnrichment: the recorded API answers one (R2).
    updated = exa.websets.enrichments.update(
        webset.id,
        enrichment.id,
        UpdateEnrichmentParameters(description="Latest funding stage", metadata={"k": "v"}),
    )
    assert (updated.id, updated.description) == (enrichment.id, "Latest funding stage")
    reread = exa.websets.enrichments.get(webset.id, enrichment.id)
    assert (reread.description, reread.metadata) == ("Latest funding stage", {"k": "v"})
    assert exa.websets.enrichments.cancel(webset.id, enrichment.id).status == "canceled"
    deleted = exa.websets.enrichments.delete(webset.id, enrichment.id)
    WebsetEnrichment.model_validate(deleted.model_dump(by_alias=True))
    assert [e.id for e in exa.websets.get(webset.id).enrichments] == [webset.enrichments[0].id]

    assert spec_checker.check_all(served.recorder.take()) == 8


def test_monitors_create_get_list_update_delete(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    webset = _create_webset(exa)
    params = CreateMonitorParameters.model_validate(
        {
            "websetId": webset.id,
            "cadence": {"cron": "0 9 * * 1", "timezone": "Europe/Berlin"},
            "behavior": {"type": "search", "config": {"count": 5}},
            "metadata": {"websets-sync/key": "weekly"},
        }
    )
    monitor = exa.websets.monitors.create(params)
    assert (monitor.status, monitor.last_run) == ("enabled", None)
    assert monitor.next_run_at is not None and monitor.next_run_at.weekday() == 0
    assert exa.websets.monitors.get(monitor.id).metadata == {"websets-sync/key": "weekly"}
    listed = exa.websets.monitors.list(webset_id=webset.id)
    assert [m.id for m in listed.data] == [monitor.id]
    updated = exa.websets.monitors.update(
        monitor.id, UpdateMonitor(status="disabled", metadata={"a": "b"})
    )
    assert (updated.status, updated.metadata, updated.next_run_at) == ("disabled", {"a": "b"}, None)
    assert exa.websets.monitors.runs.list(monitor.id).data == []
    assert exa.websets.monitors.delete(monitor.id).id == monitor.id
    assert exa.websets.monitors.list(webset_id=webset.id).data == []

    assert spec_checker.check_all(served.recorder.take()) == 8


def test_webhooks_create_get_list_update_delete(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    webhook = exa.websets.webhooks.create(
        CreateWebhookParameters(
            events=["webset.created", "webset.idle"], url="https://hooks.example.com/exa"
        )
    )
    assert webhook.secret and webhook.status == "active"
    assert exa.websets.webhooks.get(webhook.id).secret is None
    assert [w.secret for w in exa.websets.webhooks.list().data] == [None]
    updated = exa.websets.webhooks.update(
        webhook.id, UpdateWebhookParameters(url="https://hooks.example.com/v2", metadata={"k": "v"})
    )
    assert (str(updated.url), updated.metadata, updated.secret) == (
        "https://hooks.example.com/v2",
        {"k": "v"},
        None,
    )
    assert exa.websets.webhooks.attempts.list(webhook.id).data == []
    assert exa.websets.webhooks.delete(webhook.id).id == webhook.id

    assert spec_checker.check_all(served.recorder.take()) == 6


def test_imports_create_upload_get_list_update_delete(
    served: Served, spec_checker: SpecChecker
) -> None:
    exa = _exa(served)
    params = {"format": "csv", "entity": {"type": "company"}, "title": "CRM accounts"}
    pending = exa.websets.imports.create(
        CreateImportParameters.model_validate({**params, "size": 10, "count": 1})
    )
    assert isinstance(pending, CreateImportResponse)
    assert pending.status == "pending" and pending.upload_url
    # With csv_data exa-py PUTs the file to uploadUrl itself, then reads the import back.
    uploaded = exa.websets.imports.create(
        CreateImportParameters.model_validate(params),
        csv_data="url\nhttps://a.example.com\nhttps://b.example.com\n",
    )
    assert isinstance(uploaded, Import)
    assert (uploaded.status, uploaded.count) == ("processing", 2)
    served.clock.advance(5)
    assert exa.websets.imports.get(uploaded.id).status == "completed"
    assert [i.id for i in exa.websets.imports.list().data] == [uploaded.id, pending.id]
    renamed = exa.websets.imports.update(uploaded.id, UpdateImport(metadata={"k": "v"}))
    assert renamed.metadata == {"k": "v"}
    assert exa.websets.imports.delete(pending.id).id == pending.id

    assert spec_checker.check_all(served.recorder.take()) == 7  # + 1 upload PUT, not in the spec


def test_events_and_preview(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    webset = _create_webset(exa)
    events = exa.websets.events.list(types=["webset.created"])
    assert [e.data.id for e in events.data] == [webset.id]
    assert exa.websets.events.get(events.data[0].id).type == "webset.created"
    preview = exa.websets.preview(
        PreviewWebsetParameters.model_validate({"search": {"query": "Founders of fintechs"}})
    )
    assert preview.search.entity.type == "person"
    assert spec_checker.check_all(served.recorder.take()) == 4


def test_sdk_errors_carry_status_and_error_body(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    _create_webset(exa)
    with pytest.raises(ValueError, match="status code 409"):
        _create_webset(exa)
    with pytest.raises(ValueError, match="status code 404"):
        exa.websets.get("missing")
    with pytest.raises(ValueError, match="status code 400"):  # recorded (R5), not 401
        Exa(api_key="wrong", base_url=served.base_url).websets.list()
    exchanges = served.recorder.take()
    assert [e.status for e in exchanges] == [201, 409, 404, 400]
    assert exchanges[1].body["error"] == "Webset with this externalId already exists"
    assert spec_checker.check_all(exchanges) == 4


@pytest.mark.parametrize(
    "entity",
    [
        {"type": "company"},
        {"type": "person"},
        {"type": "article"},
        {"type": "research_paper"},
        {"type": "custom", "description": "Open-source repositories"},
    ],
)
def test_items_of_every_entity_type(
    served: Served, spec_checker: SpecChecker, entity: dict[str, str]
) -> None:
    exa = _exa(served)
    webset = exa.websets.create(
        CreateWebsetParameters.model_validate(
            {
                "search": {"query": "Things about robotics", "count": 2, "entity": entity},
                "enrichments": [{"description": "Launch date", "format": "date"}],
            }
        )
    )
    served.clock.advance(10)
    items = exa.websets.items.list(webset.id).data
    assert [i.properties.type for i in items] == [entity["type"]] * 2
    assert [r.format for i in items for r in i.enrichments or []] == ["date", "date"]
    assert spec_checker.check_all(served.recorder.take()) == 2
