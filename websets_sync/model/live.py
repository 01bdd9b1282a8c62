"""The live state: objects exactly as the API returned them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from websets_sync.model.address import TAG_EXTERNAL_ID, TAG_PROJECT, Kind


@dataclass(frozen=True)
class LiveObject:
    """One object as the API returned it. ``data`` is the raw JSON object, unmodified."""

    kind: Kind
    id: str
    data: Mapping[str, Any] = field(repr=False)

    @property
    def metadata(self) -> Mapping[str, str]:
        raw = self.data.get("metadata")
        return raw if isinstance(raw, Mapping) else {}

    @property
    def project(self) -> str | None:
        """The owning project tag, or None when untagged."""
        value = self.metadata.get(TAG_PROJECT)
        return value if isinstance(value, str) else None

    @property
    def tagged_external_id(self) -> str | None:
        """The externalId tag of a child or webhook (websets use the native externalId)."""
        value = self.metadata.get(TAG_EXTERNAL_ID)
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class LiveWebset:
    """A live webset with the children its listing embeds (searches oldest first)."""

    webset: LiveObject
    searches: tuple[LiveObject, ...] = ()
    enrichments: tuple[LiveObject, ...] = ()
    monitors: tuple[LiveObject, ...] = ()
    #: Searches its monitors' runs started: the monitors' work, never a declared search.
    monitor_searches: tuple[LiveObject, ...] = ()

    @property
    def id(self) -> str:
        return self.webset.id

    @property
    def external_id(self) -> str | None:
        value = self.webset.data.get("externalId")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class LiveState:
    """Everything read from the account: all websets (with children), all webhooks, and all
    imports when they were read (``imports_read``; a plan reads them only when it needs them)."""

    websets: tuple[LiveWebset, ...] = ()
    webhooks: tuple[LiveObject, ...] = ()
    imports: tuple[LiveObject, ...] = ()
    imports_read: bool = False


def reclaim_remembered_searches(live: LiveState, known_ids: Collection[str]) -> LiveState:
    """``live`` with every search the state file knows back among its webset's searches.

    Fetch sets apart searches that look like a monitor's runs (the API marks neither); a search
    the state file remembers is a declared one whatever it looks like, and hidden it would be
    run again, and paid for, by every apply.
    """
    if not any(s.id in known_ids for w in live.websets for s in w.monitor_searches):
        return live
    return replace(live, websets=tuple(_reclaimed(w, known_ids) for w in live.websets))


def _reclaimed(webset: LiveWebset, known_ids: Collection[str]) -> LiveWebset:
    back = [s for s in webset.monitor_searches if s.id in known_ids]
    if not back:
        return webset
    searches = sorted((*webset.searches, *back), key=_creation_order)
    runs = tuple(s for s in webset.monitor_searches if s.id not in known_ids)
    return replace(webset, searches=tuple(searches), monitor_searches=runs)


def _creation_order(obj: LiveObject) -> tuple[str, str]:
    return (str(obj.data.get("createdAt") or ""), obj.id)
