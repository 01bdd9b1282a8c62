"""Addresses, kinds and the reserved metadata tags: how a resource is named (DESIGN §3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

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
#: A random value per apply on everything it creates: proof that an object found after a lost
#: answer or a 409 is this apply's own create, not a concurrent writer's.
TAG_APPLY_NONCE = "websets-sync/apply-nonce"
#: On a webset: the manifest externalId it goes by after a ``moved`` block renamed it. The API
#: cannot change a webset's native externalId, so a moved webset keeps it and is found by this.
TAG_ALIAS = "websets-sync/alias"
#: On an import: the SHA-256 of the CSV file it was made from, so that a changed file is seen
#: without downloading anything (an import's content cannot be read back or changed).
TAG_FILE_SHA256 = "websets-sync/sha256"


class Kind(str, Enum):
    WEBSET = "webset"
    SEARCH = "search"
    ENRICHMENT = "enrichment"
    MONITOR = "monitor"
    WEBHOOK = "webhook"
    IMPORT = "import"

    @property
    def is_child(self) -> bool:
        return self in (Kind.SEARCH, Kind.ENRICHMENT, Kind.MONITOR)

    @property
    def has_children(self) -> bool:
        return self is Kind.WEBSET

    @property
    def is_account_wide(self) -> bool:
        """Kinds that belong to the account, not to a webset (addressed ``<kind>/<name>``)."""
        return self in (Kind.WEBHOOK, Kind.IMPORT)


#: Order used to sort addresses deterministically: imports first (websets refer to them), parents
#: before children, searches before enrichments before monitors (the order creation happens in),
#: webhooks last.
KIND_ORDER: Mapping[Kind, int] = {
    Kind.IMPORT: -1,
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
    a webset; ``None`` for webhooks and imports. ``name`` is the resource's own externalId.
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
    def for_import(cls, external_id: str) -> Address:
        return cls(Kind.IMPORT, external_id, None)

    @classmethod
    def account(cls, kind: Kind, external_id: str) -> Address:
        """The address of an account-wide object (a webhook or an import)."""
        if not kind.is_account_wide:
            raise ValueError(f"{kind.value} is not an account-wide kind")
        return cls(kind, external_id, None)

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse ``webset/X``, ``webset/X/<search|enrichment|monitor>/Y``, ``webhook/X`` or
        ``import/X``."""
        parts = text.strip().split("/")
        if len(parts) == 2 and parts[0] == "webset" and _valid_id(parts[1]):
            return cls.for_webset(parts[1])
        if len(parts) == 2 and parts[0] in ("webhook", "import") and _valid_id(parts[1]):
            return cls.account(Kind(parts[0]), parts[1])
        if (
            len(parts) == 4
            and parts[0] == "webset"
            and parts[2] in ("search", "enrichment", "monitor")
            and _valid_id(parts[1])
            and _valid_id(parts[3])
        ):
            return cls.for_child(Kind(parts[2]), parts[1], parts[3])
        raise ValueError(
            f"invalid address {text!r}: expected webset/<externalId>, "
            "webset/<externalId>/(search|enrichment|monitor)/<externalId> or "
            "webhook/<externalId> or import/<externalId> (externalIds as in the manifests, "
            "not API ids)"
        )

    @property
    def parent(self) -> Address | None:
        """The webset address of a child; None for websets, webhooks and imports."""
        if self.kind.is_child and self.webset is not None:
            return Address.for_webset(self.webset)
        return None

    def contains(self, other: Address) -> bool:
        """True if ``other`` is this address or (for a webset) one of its children."""
        return other == self or (self.kind is Kind.WEBSET and other.parent == self)

    def with_webset(self, webset: str) -> Address:
        """The same address under another webset (a webset itself: renamed to ``webset``)."""
        if self.kind is Kind.WEBSET:
            return Address.for_webset(webset)
        if self.kind.is_child:
            return Address.for_child(self.kind, webset, self.name)
        return self

    def sort_key(self) -> tuple[int, str, int, str]:
        if self.kind is Kind.IMPORT:
            return (-1, "", KIND_ORDER[self.kind], self.name)
        if self.kind is Kind.WEBHOOK:
            return (1, "", KIND_ORDER[self.kind], self.name)
        return (0, self.webset or "", KIND_ORDER[self.kind], self.name)

    def __str__(self) -> str:
        if self.kind is Kind.WEBSET:
            return f"webset/{self.name}"
        if self.kind.is_account_wide:
            return f"{self.kind.value}/{self.name}"
        return f"webset/{self.webset}/{self.kind.value}/{self.name}"


def _valid_id(text: str) -> bool:
    return bool(EXTERNAL_ID_PATTERN.match(text))
