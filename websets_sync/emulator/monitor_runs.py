"""Monitors that run when due: each run starts a search on the monitor's webset.

A run's search takes the monitor's ``behavior.config``; ``query``, ``criteria`` and ``entity``
left out there come from the webset's last search (the spec's rule). The run is ``running`` while
its search is, then ``completed`` (or ``canceled``/``failed``). Runs live inside their monitor
(private ``_runs``), so deleting a monitor deletes its runs, as the API's cascade does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from websets_sync.emulator.store import JSON, Store, public
from websets_sync.model.cron import next_run

#: A clock jump of months would otherwise start hundreds of runs at once (memory guard).
MAX_CATCH_UP_RUNS = 31
_MAX_RUNS_KEPT = 200

#: (store, webset, search fields) → the created search; routes_jobs.create_search bound to timing.
StartSearch = Callable[[Store, JSON, JSON], JSON]


def _next_due(cadence: JSON, after: float) -> float:
    moment = datetime.fromtimestamp(after, tz=timezone.utc)
    return next_run(cadence["cron"], cadence.get("timezone") or "Etc/UTC", moment).timestamp()


def schedule_key(monitor: JSON) -> str:
    cadence = monitor["cadence"]
    return f"{cadence['cron']}|{cadence.get('timezone') or 'Etc/UTC'}"


@dataclass
class Schedule:
    """When the next monitor falls due, and the runs still going, so a tick with nothing due
    looks at no monitor. ``stale``: monitors changed (an event said so): look again."""

    next_due: float | None = None
    stale: bool = True
    event_mark: int = 0
    running: dict[str, str] = field(default_factory=dict)  # run id → monitor id


def resume(store: Store, schedule: Schedule) -> None:
    """After loading a data file: time passes only while an emulator runs, so slots missed
    while none did are skipped (no burst of runs for the months a file sat on disk)."""
    schedule.event_mark = store.counter
    monitors = store.all("monitor")
    now = store.now() if monitors else 0.0  # an injected clock is read only when needed
    for monitor in monitors:
        if monitor.get("_due") is not None and float(monitor["_due"]) <= now:
            monitor["_due"] = _next_due(monitor["cadence"], now)
        elif "_dueKey" not in monitor:
            monitor["_dueKey"] = schedule_key(monitor)
            monitor["_due"] = _next_due(monitor["cadence"], now)
        for run in monitor.get("_runs", []):
            if run["status"] == "running":
                schedule.running[run["id"]] = monitor["id"]


def tick(store: Store, schedule: Schedule, start_search: StartSearch) -> None:
    """Start every run that is due; (re)schedule monitors enabled or re-timed since last time."""
    changed = _notice_changes(store, schedule)
    now = store.now()
    if not schedule.stale and changed:
        _reschedule(store, schedule, changed, now)
    if not schedule.stale and (schedule.next_due is None or schedule.next_due > now):
        return
    schedule.next_due = None
    for monitor in store.all("monitor"):
        if monitor.get("status") != "enabled":
            monitor.pop("_due", None)
            continue
        _ensure_due(store, monitor, now)
        started = 0
        while float(monitor["_due"]) <= now and started < MAX_CATCH_UP_RUNS:
            _start_run(store, schedule, monitor, start_search)
            monitor["_due"] = _next_due(monitor["cadence"], float(monitor["_due"]))
            started += 1
        if float(monitor["_due"]) <= now:  # skipped slots beyond the catch-up limit
            monitor["_due"] = _next_due(monitor["cadence"], now)
        due = float(monitor["_due"])
        schedule.next_due = due if schedule.next_due is None else min(schedule.next_due, due)
    schedule.stale = False


def _notice_changes(store: Store, schedule: Schedule) -> set[str]:
    """The monitors created, updated or deleted since the last tick (their events say so)."""
    changed: set[str] = set()
    events = store.objects["event"]
    for event in reversed(events.values()):
        if int(event["_seq"]) <= schedule.event_mark:
            break
        if event["type"] in ("monitor.created", "monitor.updated", "monitor.deleted"):
            ident = (event.get("data") or {}).get("id")
            if isinstance(ident, str):
                changed.add(ident)
            else:
                schedule.stale = True
    schedule.event_mark = store.counter
    return changed


def _reschedule(store: Store, schedule: Schedule, changed: set[str], now: float) -> None:
    """Schedule just the changed monitors (a walk over every monitor per created one made an
    apply of many monitors quadratic). One already due, or any doubt, means a full look."""
    for ident in changed:
        monitor = store.find("monitor", ident)
        if monitor is None or monitor.get("status") != "enabled":
            continue  # gone or paused: a next_due it held only costs one look at that time
        _ensure_due(store, monitor, now)
        due = float(monitor["_due"])
        if due <= now:
            schedule.stale = True  # runs to start: the full look starts them in order
            return
        schedule.next_due = due if schedule.next_due is None else min(schedule.next_due, due)


def _ensure_due(store: Store, monitor: JSON, now: float) -> None:
    """Give an enabled monitor its next slot when it has none or its schedule changed. New: the
    first slot after its creation (the clock may have jumped since). Re-enabled or given a new
    cadence: the next slot after now."""
    key = schedule_key(monitor)
    if monitor.get("_due") is None or monitor.get("_dueKey") != key:
        fresh = "_dueKey" not in monitor
        monitor["_due"] = _next_due(monitor["cadence"], float(monitor["_t"]) if fresh else now)
        monitor["_dueKey"] = key
        store.dirty = True


def settle(store: Store, schedule: Schedule) -> None:
    """Runs whose search ended become completed/canceled; ``lastRun`` follows."""
    for run_id, monitor_id in list(schedule.running.items()):
        monitor = store.find("monitor", monitor_id)
        run = next((r for r in (monitor or {}).get("_runs", []) if r["id"] == run_id), None)
        if monitor is None or run is None or run["status"] != "running":
            del schedule.running[run_id]
            continue
        search = store.find("search", str(run.get("_searchId")))
        status = "canceled" if search is None else search["status"]
        if status == "completed":
            run["status"] = "completed"
            run["completedAt"] = store.now_iso()
        elif status == "canceled":
            run["status"] = "canceled"
            run["canceledAt"] = store.now_iso()
        else:
            continue
        del schedule.running[run_id]
        run["updatedAt"] = store.now_iso()
        _set_last_run(store, monitor, run)
        if run["status"] == "completed":
            store.emit("monitor.run.completed", run)


def runs(monitor: JSON) -> list[JSON]:
    return list(monitor.get("_runs", []))


def run_view(run: JSON) -> JSON:
    return public(run)


def _start_run(store: Store, schedule: Schedule, monitor: JSON, start_search: StartSearch) -> None:
    store.counter += 1
    now = store.now_iso()
    run: JSON = {
        "id": f"mrun_{store.counter:08d}{monitor['id'][-8:]}",
        "object": "monitor_run",
        "status": "created",
        "monitorId": monitor["id"],
        "type": "search",
        "completedAt": None,
        "failedAt": None,
        "failedReason": None,
        "canceledAt": None,
        "createdAt": now,
        "updatedAt": now,
        "_seq": store.counter,
    }
    kept = monitor.setdefault("_runs", [])
    kept.append(run)
    del kept[:-_MAX_RUNS_KEPT]
    store.emit("monitor.run.created", run)
    webset = store.find("webset", monitor["websetId"])
    fields = None if webset is None else search_fields(store, monitor)
    if webset is None or fields is None:
        run["status"] = "failed"
        run["failedAt"] = now
        run["failedReason"] = (
            "The webset no longer exists"
            if webset is None
            else "No query to search for: the monitor has none and the webset has no search"
        )
    else:
        search = start_search(store, webset, fields)
        run["status"] = "running"
        run["_searchId"] = search["id"]
        schedule.running[run["id"]] = monitor["id"]
    _set_last_run(store, monitor, run)


def search_fields(store: Store, monitor: JSON) -> JSON | None:
    """The run's search: the monitor's config, gaps filled from the webset's last search."""
    config = dict(monitor["behavior"].get("config") or {})
    searches = store.children("search", monitor["websetId"])
    last = searches[-1] if searches else None
    for key in ("query", "criteria", "entity"):
        if config.get(key) in (None, []) and last is not None and last.get(key):
            config[key] = last[key]
    if not config.get("query"):
        return None
    fields: JSON = {
        "query": config["query"],
        "count": config.get("count", 10),
        "behavior": config.get("behavior") or "append",
    }
    if config.get("entity"):
        fields["entity"] = config["entity"]
    if config.get("criteria"):
        fields["criteria"] = [{"description": c["description"]} for c in config["criteria"]]
    return fields


def _set_last_run(store: Store, monitor: JSON, run: JSON) -> None:
    monitor["lastRun"] = public(run)
    store.touch(monitor)
