"""Monitors (scheduled searches of one webset) and their runs."""

from __future__ import annotations

from websets_sync.emulator import monitor_runs, validate, views
from websets_sync.emulator.failures import not_found
from websets_sync.emulator.router import (
    ROUTES,
    Ctx,
    Reply,
    find,
    find_webset,
    listing,
    page,
    page_kept,
)
from websets_sync.emulator.store import JSON, Store

MAX_PAGE = 200


@ROUTES.add("POST", "/monitors")
def _create(ctx: Ctx, params: list[str]) -> Reply:
    fields = validate.monitor_create(ctx.body)
    webset = find_webset(ctx.store, fields["websetId"])
    monitor: JSON = {
        "object": "monitor",
        "status": "enabled",
        "websetId": webset["id"],
        "cadence": fields["cadence"],
        "behavior": _with_last_search(ctx.store, webset["id"], fields["behavior"]),
        "lastRun": None,
        "metadata": fields["metadata"],
    }
    ctx.store.insert("monitor", monitor)
    view = views.monitor(ctx.store, monitor)
    ctx.store.emit("monitor.created", view)
    return Reply(201, view)


def _with_last_search(store: Store, webset_id: str, behavior: JSON) -> JSON:
    """The spec (CreateMonitorParameters): a config's omitted query, criteria and entity are
    those of the webset's last search, so a live monitor shows values its creator never sent."""
    searches = store.children("search", webset_id)
    if not searches:
        return behavior
    last = searches[-1]
    criteria: list[JSON] = last.get("_criteria") or last["criteria"]
    filled = {
        "query": last["query"],
        "criteria": [{"description": c["description"]} for c in criteria],
        "entity": last["entity"],
    }
    config = {**filled, **behavior["config"]}
    return {**behavior, "config": config}


@ROUTES.add("GET", "/monitors")
def _list(ctx: Ctx, params: list[str]) -> Reply:
    monitors = ctx.store.ordered("monitor")
    webset_id = ctx.arg("websetId")
    if webset_id is not None:
        webset = ctx.store.find("webset", webset_id) or ctx.store.find_external(webset_id)
        monitors = ctx.store.children("monitor", webset["id"] if webset else webset_id)
    chunk, paging = page(ctx, "monitor", monitors, maximum=MAX_PAGE)
    return listing([views.monitor(ctx.store, m) for m in chunk], paging)


@ROUTES.add("GET", "/monitors/*")
def _get(ctx: Ctx, params: list[str]) -> Reply:
    return Reply(200, views.monitor(ctx.store, find(ctx.store, "monitor", params[0], "Monitor")))


@ROUTES.add("PATCH", "/monitors/*")
def _update(ctx: Ctx, params: list[str]) -> Reply:
    """Every given field replaces the stored one (metadata too: replaced, not merged)."""
    monitor = find(ctx.store, "monitor", params[0], "Monitor")
    fields = validate.monitor_update(ctx.body)
    monitor.update(fields)
    ctx.store.touch(monitor)
    view = views.monitor(ctx.store, monitor)
    ctx.store.emit("monitor.updated", view)
    return Reply(200, view)


@ROUTES.add("DELETE", "/monitors/*")
def _delete(ctx: Ctx, params: list[str]) -> Reply:
    monitor = find(ctx.store, "monitor", params[0], "Monitor")
    view = views.monitor(ctx.store, monitor)
    ctx.store.remove("monitor", monitor["id"])
    ctx.store.emit("monitor.deleted", view)
    return Reply(200, view)


@ROUTES.add("GET", "/monitors/*/runs")
def _runs(ctx: Ctx, params: list[str]) -> Reply:
    """The runs a monitor made when due (monitor_runs.py)."""
    runs = monitor_runs.runs(find(ctx.store, "monitor", params[0], "Monitor"))
    chunk, paging = page_kept(ctx, runs, maximum=MAX_PAGE)
    return listing([monitor_runs.run_view(run) for run in chunk], paging)


@ROUTES.add("GET", "/monitors/*/runs/*")
def _run(ctx: Ctx, params: list[str]) -> Reply:
    monitor = find(ctx.store, "monitor", params[0], "Monitor")
    for run in monitor_runs.runs(monitor):
        if run["id"] == params[1]:
            return Reply(200, monitor_runs.run_view(run))
    raise not_found("Monitor run", params[1])
