"""The live state: objects exactly as the API returned them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
