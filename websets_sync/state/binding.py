"""A state file is bound to its target (DESIGN §7): apply never writes one of another account.

Recognised by evidence, not by the API key (keys get rotated): the API URL recorded in the file
differs from this run's, or not one of the objects the file records exists in the live account.
Either way apply stops before its first change, saying what it saw and how to go on.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from websets_sync.errors import StateError
from websets_sync.model import LiveState
from websets_sync.state.store import State


def public_api_url(url: str) -> str:
    """``url`` without userinfo, query or fragment: what a state file may record."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def check_state_target(state: State, path: Path, api_url: str, live_ids: Collection[str]) -> None:
    """Raise StateError when the state at ``path`` belongs to another account than this run's."""
    url = public_api_url(api_url)
    if state.api_url is not None and state.api_url != url:
        raise StateError(
            f"the state file {path} belongs to {state.api_url}, not to {url}",
            detail="Nothing was changed. Pass --state PATH with the state file of this API "
            "(--emulator FILE keeps its own state beside FILE).",
        )
    recorded = {entry.id for entry in state.resources.values()}
    if recorded and not recorded & set(live_ids):
        raise StateError(
            f"none of the {len(recorded)} objects the state file {path} records exists in "
            f"this account ({url}): it belongs to another account",
            detail="Nothing was changed. Pass --state PATH with this account's state file; if "
            "those objects were all deleted, move the file away (it holds their webhook "
            "secrets) and apply again.",
        )


def live_ids(live: LiveState) -> set[str]:
    """Every live id: websets, their searches, enrichments and monitors, webhooks and imports
    (when read)."""
    ids = {webhook.id for webhook in live.webhooks} | {i.id for i in live.imports}
    for webset in live.websets:
        ids.add(webset.webset.id)
        ids.update(child.id for child in (*webset.searches, *webset.enrichments, *webset.monitors))
    return ids
