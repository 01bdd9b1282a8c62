"""exa-py through the endpoints that need time to pass: monitor runs, webhook attempts, events,
preview with items, imports that fail, and the priority header.

Emulated time moves through the harness endpoint (``POST /__emulator/clock``), as a user's test
against ``emulator serve`` would move it.
"""

from __future__ import annotations

import httpx
from exa_conformance import API_KEY, Served, SpecChecker
from exa_py import Exa
from exa_py.websets.types import (
    CreateImportParameters,
    CreateMonitorParameters,
    CreateWebhookParameters,
    CreateWebsetParameters,
    CreateWebsetSearchParameters,
    PreviewWebsetParameters,
)

from websets_sync.testing import WebhookReceiver, verify_signature


def _exa(served: Served) -> Exa:
    return Exa(api_key=API_KEY, base_url=served.base_url)


def _advance(served: Served, seconds: float) -> None:
    response = httpx.post(f"{served.base_url}/__emulator/clock", json={"advance": seconds})
    assert response.status_code == 200


def test_monitor_runs_list_and_get(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    webset = exa.websets.create(
        CreateWebsetParameters.model_validate({"search": {"query": "Drone makers", "count": 2}})
    )
    monitor = exa.websets.monitors.create(
        CreateMonitorParameters.model_validate(
            {
                "websetId": webset.id,
                "cadence": {"cron": "0 9 * * *"},
                "behavior": {"type": "search", "config": {"count": 1}},
            }
        )
    )
    _advance(served, 24 * 3600)
    _advance(served, 60)
    runs = exa.websets.monitors.runs.list(monitor.id).data
    assert [(r.status, r.type) for r in runs] == [("completed", "search")]
    run = exa.websets.monitors.runs.get(monitor.id, runs[0].id)
    assert run.id == runs[0].id and run.completed_at is not None
    again = exa.websets.monitors.get(monitor.id)
    assert again.last_run is not None and again.last_run.id == run.id
    assert again.next_run_at is not None and again.next_run_at > run.created_at
    assert spec_checker.check_all(served.recorder.take()) == 5


def test_webhook_attempts_and_events(
    served: Served, spec_checker: SpecChecker, webhook_receiver: WebhookReceiver
) -> None:
    exa = _exa(served)
    webhook_receiver.statuses = [500]
    hook = exa.websets.webhooks.create(
        CreateWebhookParameters(
            events=["webset.created", "webset.search.completed"], url=webhook_receiver.url
        )
    )
    assert hook.secret
    webset = exa.websets.create(
        CreateWebsetParameters.model_validate({"search": {"query": "Fintechs", "count": 1}}),
        options={"priority": "high"},
    )
    _advance(served, 60)  # the search completes; the failed first delivery is retried
    delivered = [d for d in webhook_receiver.deliveries if d.event["type"] == "webset.created"]
    assert len(delivered) == 2
    assert all(verify_signature(hook.secret, d.headers["Exa-Signature"], d.body) for d in delivered)
    attempts = exa.websets.webhooks.attempts.list(hook.id, event_type="webset.created").data
    assert sorted((a.attempt, a.successful) for a in attempts) == [(1, False), (2, True)]
    assert len(exa.websets.webhooks.attempts.list(hook.id, successful=False).data) == 1
    events = exa.websets.events.list(types=["webset.search.completed", "webset.idle"]).data
    assert sorted(e.type for e in events) == ["webset.idle", "webset.search.completed"]
    assert exa.websets.events.get(events[0].id).id == events[0].id
    items = exa.websets.events.list(types=["webset.item.created"]).data
    assert [e.data.webset_id for e in items] == [webset.id]
    search = exa.websets.searches.create(
        webset.id,
        CreateWebsetSearchParameters(query="Neobanks", count=1),
        options={"priority": "low"},
    )
    assert search.webset_id == webset.id
    assert spec_checker.check_all(served.recorder.take()) == 8


def test_preview_with_items(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    preview = exa.websets.preview(
        PreviewWebsetParameters.model_validate({"search": {"query": "Robotics startups"}}),
        search=True,
    )
    assert preview.items and all(i.id and i.created_at for i in preview.items)
    assert preview.search.entity.type == "company"
    assert spec_checker.check_all(served.recorder.take()) == 1


def test_an_import_of_a_file_that_is_not_csv_fails(
    served: Served, spec_checker: SpecChecker
) -> None:
    exa = _exa(served)
    created = exa.websets.imports.create(
        CreateImportParameters.model_validate(
            {"format": "csv", "entity": {"type": "company"}, "size": 4, "count": 1}
        )
    )
    upload = httpx.put(str(created.upload_url), content=b"\xff\xfe\x00\x01")
    assert upload.status_code == 200
    _advance(served, 5)
    failed = exa.websets.imports.get(created.id)
    assert (failed.status, failed.failed_reason) == ("failed", "invalid_format")
    assert spec_checker.check_all(served.recorder.take()) == 2


def test_items_delete(served: Served, spec_checker: SpecChecker) -> None:
    exa = _exa(served)
    webset = exa.websets.create(
        CreateWebsetParameters.model_validate({"search": {"query": "Drone makers", "count": 2}})
    )
    _advance(served, 30)
    items = exa.websets.items.list(webset.id).data
    deleted = exa.websets.items.delete(webset.id, items[0].id)
    assert deleted.id == items[0].id
    assert [i.id for i in exa.websets.items.list(webset.id).data] == [items[1].id]
    assert spec_checker.check_all(served.recorder.take()) == 4
