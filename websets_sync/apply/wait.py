"""``apply --wait``: poll the websets an apply touched until they are idle.

Searches and enrichments run on Exa's side after apply returns; waiting is only watching, so
stopping it (Ctrl-C) changes nothing. One GET per still-running webset per poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from websets_sync.apply.result import TouchedWebset
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import NotFoundError
from websets_sync.model import Address

DEFAULT_POLL_INTERVAL = 5.0
IDLE = "idle"
GONE = "deleted"  # a webset deleted while we waited has nothing left to wait for


@dataclass(frozen=True)
class WebsetProgress:
    """One webset's activity: its status, mean search completion (0–100) and items found
    (in all, and per search id: what ``apply --wait`` reports next to the estimates)."""

    address: Address
    id: str
    status: str
    completion: int
    found: int
    found_by_search: tuple[tuple[str, int], ...] = ()

    @property
    def idle(self) -> bool:
        return self.status in (IDLE, GONE)


def webset_progress(address: Address, data: Mapping[str, Any]) -> WebsetProgress:
    searches = [s for s in data.get("searches") or [] if isinstance(s, Mapping)]
    progresses = [s.get("progress") or {} for s in searches if s.get("status") != "canceled"]
    completions = [float(p.get("completion") or 0) for p in progresses]
    completion = round(sum(completions) / len(completions)) if completions else 100
    found = sum(int(p.get("found") or 0) for p in progresses)
    status = str(data.get("status") or "unknown")
    by_search = tuple(
        (str(s.get("id")), int((s.get("progress") or {}).get("found") or 0)) for s in searches
    )
    return WebsetProgress(
        address, str(data.get("id", "")), status, completion, found, found_by_search=by_search
    )


def wait_until_idle(
    client: WebsetsClient,
    websets: Sequence[TouchedWebset],
    *,
    on_progress: Callable[[Sequence[WebsetProgress]], None],
    interval: float = DEFAULT_POLL_INTERVAL,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[WebsetProgress, ...]:
    """Poll until every webset is idle (or gone); report each round to ``on_progress``.

    A KeyboardInterrupt (Ctrl-C) raised in ``sleep`` or a request ends the wait; nothing needs
    undoing. A webset deleted meanwhile counts as done.
    """
    latest: dict[Address, WebsetProgress] = {}
    while True:
        for webset in websets:
            known = latest.get(webset.address)
            if known is None or not known.idle:
                latest[webset.address] = _poll(client, webset)
        current = tuple(latest[w.address] for w in websets)
        on_progress(current)
        if all(p.idle for p in current):
            return current
        sleep(interval)


def _poll(client: WebsetsClient, webset: TouchedWebset) -> WebsetProgress:
    try:
        data = client.get_webset(webset.id)
    except NotFoundError:
        return WebsetProgress(webset.address, webset.id, GONE, 100, 0)
    return webset_progress(webset.address, data)
