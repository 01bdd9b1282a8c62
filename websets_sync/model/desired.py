"""The desired state: what the manifests declare, in the API's own field names.

Desired ``spec`` mappings use the API's own field names (camelCase), exactly the fields the user
declared, with tool-only fields (externalId of children, preventDestroy, enabled) already mapped
away. Reserved ``websets-sync/…`` metadata tags are never part of a desired spec: the planner adds
them to request bodies and hides them from drift.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from websets_sync.model.address import Address, Kind


@dataclass(frozen=True)
class SourceLocation:
    """Where a resource was declared, for messages that point at the line to fix."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class CsvUpload:
    """The CSV file of a declared import: where it is, and what it held when the manifest was
    read (``count`` data rows, ``size`` bytes, SHA-256 of the bytes)."""

    path: str
    sha256: str
    size: int
    count: int


@dataclass(frozen=True)
class DesiredResource:
    """A declared search, enrichment, monitor, webhook or import.

    ``spec`` holds the API create-body fields the user declared (camelCase), for example
    ``{"query": …, "count": 50}`` for a search or ``{"cadence": …, "behavior": …,
    "status": "enabled"}`` for a monitor (the manifest's ``enabled`` maps to ``status``).
    References to declared objects keep the manifest's form ``{source, externalId}``.
    ``upload`` is an import's CSV file.
    """

    address: Address
    spec: Mapping[str, Any]
    location: SourceLocation | None = None
    #: The manifest's own text (``${VAR}`` …) of interpolated values, by their path in ``spec``.
    raw_texts: Mapping[tuple[str | int, ...], str] = field(default_factory=dict, compare=False)
    upload: CsvUpload | None = None

    @property
    def kind(self) -> Kind:
        return self.address.kind


@dataclass(frozen=True)
class DesiredWebset:
    """A declared webset and its children, in manifest order.

    ``spec`` holds ``title``, ``metadata``, ``import`` and ``exclude`` when declared. The first
    declared search is the one sent inline when the webset is created.

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
    raw_texts: Mapping[tuple[str | int, ...], str] = field(default_factory=dict, compare=False)

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
class Budget:
    """The project's spending limits in USD (manifest ``budget``); None means no limit.

    ``max_usd_once`` bounds what one plan starts now (searches, enrichment cells);
    ``max_usd_per_month`` bounds the recurring spend of the monitors it creates or raises.
    """

    max_usd_once: float | None = None
    max_usd_per_month: float | None = None


@dataclass(frozen=True)
class Move:
    """A manifest ``moved`` block: the object known as ``source`` is now declared as ``target``
    (DESIGN §11). Apply re-tags it in place instead of deleting one object and creating another."""

    source: Address
    target: Address
    location: SourceLocation | None = None


@dataclass(frozen=True)
class DesiredState:
    """Everything the manifests declare for one project."""

    project: str
    websets: tuple[DesiredWebset, ...] = ()
    webhooks: tuple[DesiredResource, ...] = ()
    sources: tuple[ManifestSource, ...] = ()
    budget: Budget = Budget()
    moves: tuple[Move, ...] = ()
    imports: tuple[DesiredResource, ...] = ()

    def addresses(self) -> Iterator[Address]:
        for declared in self.imports:
            yield declared.address
        for webset in self.websets:
            yield webset.address
            for child in webset.children():
                yield child.address
        for webhook in self.webhooks:
            yield webhook.address
