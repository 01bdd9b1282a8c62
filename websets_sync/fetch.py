"""Read the live state a plan needs with the fewest requests.

Two listings and nothing more: the websets listing embeds every webset's searches, enrichments
and monitors, and the webhooks listing holds the webhooks. A plan over W websets and H webhooks
costs max(1, ceil(W/100)) + max(1, ceil(H/200)) requests.

Every list of the live state is oldest first, whatever order the API answers in: the real API
lists newest first (API-NOTES §9 R7) and orders a webset's enrichments differently from one read
to the next, while "the oldest search", "the newest of duplicates" and export order must not
depend on that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from websets_sync.model import Kind, LiveObject, LiveState, LiveWebset
from websets_sync.state.lease import is_lease


class LiveReader(Protocol):
    """The two client methods fetch uses (WebsetsClient has them)."""

    def iter_websets(self) -> Iterable[dict[str, Any]]: ...

    def iter_webhooks(self) -> Iterable[dict[str, Any]]: ...


def fetch_live_state(client: LiveReader, *, imports: bool = False) -> LiveState:
    """The live state; with ``imports`` (a manifest set that declares or refers to imports, or
    a state file that remembers one) the account's imports too: one listing more."""
    # A project lease is a webset only as a lock: never drift, never exported, never deleted.
    websets = tuple(
        live_webset(data) for data in _oldest_first(client.iter_websets()) if not is_lease(data)
    )
    webhooks = tuple(_objects(Kind.WEBHOOK, _oldest_first(client.iter_webhooks())))
    iter_imports = getattr(client, "iter_imports", None)
    if not imports or iter_imports is None:
        return LiveState(websets=websets, webhooks=webhooks)
    listed = tuple(_objects(Kind.IMPORT, _oldest_first(iter_imports())))
    return LiveState(websets=websets, webhooks=webhooks, imports=listed, imports_read=True)


def live_webset(data: Mapping[str, Any]) -> LiveWebset:
    """A webset from its listing entry, children included (each kind oldest first).

    The searches a monitor's runs started are set apart: they belong to the monitor, so no
    declared search is ever identified with one, exported as one, or compared with one.
    """
    monitors = _embedded(data, "monitors")
    searches, runs = _split_monitor_runs(_embedded(data, "searches"), monitors)
    return LiveWebset(
        webset=LiveObject(Kind.WEBSET, str(data["id"]), data),
        searches=tuple(_objects(Kind.SEARCH, searches)),
        enrichments=tuple(_objects(Kind.ENRICHMENT, _embedded(data, "enrichments"))),
        monitors=tuple(_objects(Kind.MONITOR, monitors)),
        monitor_searches=tuple(_objects(Kind.SEARCH, runs)),
    )


def _split_monitor_runs(
    searches: list[Mapping[str, Any]], monitors: list[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(declared-able searches, searches a monitor run started).

    The API marks neither, so a run is recognised by what a run sends: the monitor's config
    query and count, behavior append, started after the monitor was created.
    """
    signatures = [s for s in (_run_signature(m) for m in monitors) if s is not None]
    if not signatures:
        return searches, []
    kept: list[Mapping[str, Any]] = []
    runs: list[Mapping[str, Any]] = []
    for search in searches:
        started = str(search.get("createdAt") or "")
        is_run = search.get("behavior") == "append" and any(
            search.get("query") == query and search.get("count") == count and started > since
            for query, count, since in signatures
        )
        (runs if is_run else kept).append(search)
    return kept, runs


def _run_signature(monitor: Mapping[str, Any]) -> tuple[str, Any, str] | None:
    behavior = monitor.get("behavior")
    config = behavior.get("config") if isinstance(behavior, Mapping) else None
    if not isinstance(config, Mapping) or not isinstance(config.get("query"), str):
        return None
    if config.get("behavior", "append") != "append":
        return None
    return config["query"], config.get("count"), str(monitor.get("createdAt") or "")


def _oldest_first(items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """By creation time; ties (the same millisecond) by id, which sorts in creation order for
    the API's ULID-like ids."""
    return sorted(items, key=lambda item: (str(item.get("createdAt") or ""), str(item["id"])))


def _embedded(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return _oldest_first(item for item in value if isinstance(item, Mapping) and "id" in item)


def _objects(kind: Kind, items: Iterable[Mapping[str, Any]]) -> list[LiveObject]:
    return [LiveObject(kind, str(item["id"]), item) for item in items]
