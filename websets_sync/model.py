"""The domain model: addresses, desired resources (manifests) and live resources (the API).

These are plain frozen values that flow one way through the pipeline:
``manifest → schema → DesiredState`` and ``client → fetch → LiveState``, both into ``plan``.

Desired ``spec`` mappings use the API's own field names (camelCase), exactly the fields the user
declared, with tool-only fields (externalId of children, preventDestroy, enabled) already mapped
away. Reserved ``websets-sync/…`` metadata tags are never part of a desired spec: the planner adds
them to request bodies and hides them from drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# --- identity -----------------------------------------------------------------------------------

EXTERNAL_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")

#: Prefix of every metadata key the tool owns. Users may not declare keys with it.
RESERVED_PREFIX = "websets-sync/"
#: Project that owns the object (every managed object carries it).
TAG_PROJECT = "websets-sync/project"
#: The manifest externalId of a search, enrichment, monitor or webhook (they have none in the API).
TAG_EXTERNAL_ID = "websets-sync/external-id"
#: On a webset: the externalId of the search created inline with it. The inline search of a
#: create-webset body cannot carry metadata, so the webset remembers which one it was.
TAG_INITIAL_SEARCH = "websets-sync/initial-search"
#: On a webset: "true" while preventDestroy is in force. Kept on the live object so that the
#: protection survives a lost state file and holds for every checkout of the manifests.
TAG_PREVENT_DESTROY = "websets-sync/prevent-destroy"


class Kind(str, Enum):
    WEBSET = "webset"
    SEARCH = "search"
    ENRICHMENT = "enrichment"
    MONITOR = "monitor"
    WEBHOOK = "webhook"

    @property
    def is_child(self) -> bool:
        return self in (Kind.SEARCH, Kind.ENRICHMENT, Kind.MONITOR)


#: Order used to sort addresses deterministically: parents before children, searches before
#: enrichments before monitors (the order creation happens in), webhooks last.
KIND_ORDER: Mapping[Kind, int] = {
    Kind.WEBSET: 0,
    Kind.SEARCH: 1,
    Kind.ENRICHMENT: 2,
    Kind.MONITOR: 3,
    Kind.WEBHOOK: 4,
}


@dataclass(frozen=True)
class Address:
    """Where a resource lives in the manifest namespace, e.g. ``webset/leads/enrichment/ceo``.

    ``webset`` is the parent webset's externalId for children, and the webset's own externalId for
    a webset; ``None`` for webhooks. ``name`` is the resource's own externalId.
    """

    kind: Kind
    name: str
    webset: str | None = None

    @classmethod
    def for_webset(cls, external_id: str) -> Address:
        return cls(Kind.WEBSET, external_id, external_id)

    @classmethod
    def for_child(cls, kind: Kind, webset: str, name: str) -> Address:
        if not kind.is_child:
            raise ValueError(f"{kind.value} is not a child kind")
        return cls(kind, name, webset)

    @classmethod
    def for_webhook(cls, external_id: str) -> Address:
        return cls(Kind.WEBHOOK, external_id, None)

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse ``webset/X``, ``webset/X/<search|enrichment|monitor>/Y`` or ``webhook/X``."""
        parts = text.strip().split("/")
        if len(parts) == 2 and parts[0] == "webset" and _valid_id(parts[1]):
            return cls.for_webset(parts[1])
        if len(parts) == 2 and parts[0] == "webhook" and _valid_id(parts[1]):
            return cls.for_webhook(parts[1])
        if (
            len(parts) == 4
            and parts[0] == "webset"
            and parts[2] in ("search", "enrichment", "monitor")
            and _valid_id(parts[1])
            and _valid_id(parts[3])
        ):
            return cls.for_child(Kind(parts[2]), parts[1], parts[3])
        raise ValueError(
            f"invalid address {text!r}: expected webset/<id>, webset/<id>/search/<id>, "
            "webset/<id>/enrichment/<id>, webset/<id>/monitor/<id> or webhook/<id>"
        )

    @property
    def parent(self) -> Address | None:
        """The webset address of a child; None for websets and webhooks."""
        if self.kind.is_child and self.webset is not None:
            return Address.for_webset(self.webset)
        return None

    def contains(self, other: Address) -> bool:
        """True if ``other`` is this address or (for a webset) one of its children."""
        return other == self or (self.kind is Kind.WEBSET and other.parent == self)

    def sort_key(self) -> tuple[int, str, int, str]:
        if self.kind is Kind.WEBHOOK:
            return (1, "", KIND_ORDER[self.kind], self.name)
        return (0, self.webset or "", KIND_ORDER[self.kind], self.name)

    def __str__(self) -> str:
        if self.kind is Kind.WEBSET:
            return f"webset/{self.name}"
        if self.kind is Kind.WEBHOOK:
            return f"webhook/{self.name}"
        return f"webset/{self.webset}/{self.kind.value}/{self.name}"


def _valid_id(text: str) -> bool:
    return bool(EXTERNAL_ID_PATTERN.match(text))


# --- desired state (from manifests) -------------------------------------------------------------


@dataclass(frozen=True)
class SourceLocation:
    """Where a resource was declared, for messages that point at the line to fix."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class DesiredResource:
    """A declared search, enrichment, monitor or webhook.

    ``spec`` holds the API create-body fields the user declared (camelCase), for example
    ``{"query": …, "count": 50}`` for a search or ``{"cadence": …, "behavior": …,
    "status": "enabled"}`` for a monitor (the manifest's ``enabled`` maps to ``status``).
    """

    address: Address
    spec: Mapping[str, Any]
    location: SourceLocation | None = None

    @property
    def kind(self) -> Kind:
        return self.address.kind


@dataclass(frozen=True)
class DesiredWebset:
    """A declared webset and its children, in manifest order.

    ``spec`` holds ``title`` and ``metadata`` when declared. The first declared search is the one
    sent inline when the webset is created.

    ``prevent_destroy`` is None when the manifest does not mention it: a protection remembered in
    the state file then stays in force; only an explicit ``false`` lifts it.
    ``pinned_id`` is set when the manifest pins a live webset by its API id (a webset made in the
    dashboard has no externalId, and the API cannot add one later).
    """

    address: Address
    spec: Mapping[str, Any]
    prevent_destroy: bool | None = None
    pinned_id: str | None = None
    searches: tuple[DesiredResource, ...] = ()
    enrichments: tuple[DesiredResource, ...] = ()
    monitors: tuple[DesiredResource, ...] = ()
    location: SourceLocation | None = None

    @property
    def kind(self) -> Kind:
        return Kind.WEBSET

    @property
    def external_id(self) -> str:
        return self.address.name

    def children(self) -> Iterator[DesiredResource]:
        yield from self.searches
        yield from self.enrichments
        yield from self.monitors


@dataclass(frozen=True)
class ManifestSource:
    """One manifest file that was read, with the SHA-256 of its bytes (for saved-plan staleness)."""

    path: str
    sha256: str


@dataclass(frozen=True)
class DesiredState:
    """Everything the manifests declare for one project."""

    project: str
    websets: tuple[DesiredWebset, ...] = ()
    webhooks: tuple[DesiredResource, ...] = ()
    sources: tuple[ManifestSource, ...] = ()

    def addresses(self) -> Iterator[Address]:
        for webset in self.websets:
            yield webset.address
            for child in webset.children():
                yield child.address
        for webhook in self.webhooks:
            yield webhook.address


# --- live state (from the API) ------------------------------------------------------------------


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

    @property
    def id(self) -> str:
        return self.webset.id

    @property
    def external_id(self) -> str | None:
        value = self.webset.data.get("externalId")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class LiveState:
    """Everything read from the account: all websets (with children) and all webhooks."""

    websets: tuple[LiveWebset, ...] = ()
    webhooks: tuple[LiveObject, ...] = ()
