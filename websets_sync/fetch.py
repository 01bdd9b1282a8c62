"""Read the live state a plan needs with the fewest requests.

Two listings and nothing more: the websets listing embeds every webset's searches, enrichments
and monitors, and the webhooks listing holds the webhooks. A plan over W websets and H webhooks
costs max(1, ceil(W/100)) + max(1, ceil(H/200)) requests.
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


def fetch_live_state(client: LiveReader) -> LiveState:
    # A project lease is a webset only as a lock: never drift, never exported, never deleted.
    websets = tuple(live_webset(data) for data in client.iter_websets() if not is_lease(data))
    webhooks = tuple(_objects(Kind.WEBHOOK, client.iter_webhooks()))
    return LiveState(websets=websets, webhooks=webhooks)


def live_webset(data: Mapping[str, Any]) -> LiveWebset:
    """A webset from its listing entry, children included (searches oldest first)."""
    searches = sorted(_embedded(data, "searches"), key=lambda s: str(s.get("createdAt") or ""))
    return LiveWebset(
        webset=LiveObject(Kind.WEBSET, str(data["id"]), data),
        searches=tuple(_objects(Kind.SEARCH, searches)),
        enrichments=tuple(_objects(Kind.ENRICHMENT, _embedded(data, "enrichments"))),
        monitors=tuple(_objects(Kind.MONITOR, _embedded(data, "monitors"))),
    )


def _embedded(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping) and "id" in item]


def _objects(kind: Kind, items: Iterable[Mapping[str, Any]]) -> list[LiveObject]:
    return [LiveObject(kind, str(item["id"]), item) for item in items]
