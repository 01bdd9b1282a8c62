"""The vocabulary of the per-kind operations table (``kinds.OPERATIONS``): which request creates,
updates or deletes an object of a kind, what its answer carries and what the state file keeps.

These are plain values; ``apply.steps`` turns a plan into request steps by reading them, and the
runner executes the steps. Path templates name ids by placeholder: ``{id}`` is the object's own
live id, ``{webset}`` its parent webset's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Memory(str, Enum):
    """What the state file remembers about the address once a request succeeded."""

    NOTHING = "nothing"
    #: The live id, keeping what else is known about that same object (a webhook's secret).
    ID = "id"
    #: The live id and the preventDestroy in force (websets).
    ID_AND_PROTECTION = "id+preventDestroy"
    #: The live id and the secret shown only in the create answer (webhooks).
    ID_AND_SECRET = "id+secret"
    #: The live id, only when the state file has lost it (an unchanged object).
    ID_IF_MISSING = "id if missing"
    FORGET = "forget"
    #: Forget the address and every child address (deleting a webset deletes its children).
    FORGET_WITH_CHILDREN = "forget+children"
    #: The entry of the address a ``moved`` block names moves here whole (id, secret).
    MOVE = "moved entry"
    #: The same, with every child address (a moved webset's children move with it).
    MOVE_WITH_CHILDREN = "moved entry+children"


class Lookup(str, Enum):
    """How a create whose answer was lost is found in live state before it is sent again."""

    #: GET /websets/{externalId}: the externalId of the create body is unique per account.
    EXTERNAL_ID = "externalId"
    #: Among the children listed in the parent webset, by the reserved tags.
    CHILD_TAG = "child tag"
    #: Among the account's objects of the kind (webhooks), by the reserved tags.
    ACCOUNT_TAG = "account tag"


class InlineId(str, Enum):
    """How a child carried inside its webset's create body is found in the create answer."""

    #: The first object of the answer's list (the one search a create-webset body can carry).
    FIRST = "first"
    #: The object of the answer's list tagged with the child's externalId.
    TAGGED = "tagged"


@dataclass(frozen=True)
class Operation:
    """One request: ``body`` names a builder in ``apply.bodies.BUILDERS`` (None: no body)."""

    method: str
    path: str
    body: str | None = None
    #: Body fields that carry an id, filled in once it is known: field → path placeholder.
    body_ids: tuple[tuple[str, str], ...] = ()
    #: A create: it may have happened when its answer is lost, so it is reconciled, not resent.
    creates: bool = False
    #: The answer is empty (the enrichment PATCH): the change is confirmed by re-reading the parent.
    empty_answer: bool = False
    remembers: Memory = Memory.ID
    #: PUT the declared CSV file to the ``uploadUrl`` of the create answer, without the API key
    #: (a presigned URL). A failed upload leaves no half-made import: it is deleted and made
    #: again with a fresh URL (apply.uploads).
    upload: bool = False


@dataclass(frozen=True)
class KindOperations:
    """Everything apply sends for one kind. A missing operation cannot be done to the kind."""

    create: Operation
    update: Operation | None
    delete: Operation | None
    lookup: Lookup
    #: What an unchanged (no-op) address keeps current in the state file, without a request.
    unchanged: Memory = Memory.ID_IF_MISSING
    #: Re-tags a moved object in place (metadata only); None: the state file alone follows the
    #: move (a search, which the API keeps no tags on).
    move: Operation | None = None
    #: Sent right after the create when its builder returns a body (a monitor declared disabled
    #: can only be created enabled, then disabled).
    after_create: Operation | None = None
    #: The request that confirms updates with an empty answer (one per webset, after them all).
    confirm: Operation | None = None
    #: The field of a webset answer that lists children of this kind (a lost create and an inline
    #: child are looked for there), and how an inline child is recognized in it.
    parent_list: str | None = None
    inline_id: InlineId = InlineId.TAGGED
    #: Several live objects may carry one name (a search runs again under its name): a lost
    #: create is only recognized when the definition it sent matches too.
    reruns: bool = False
    #: The list where a lost create is looked for: the account's list (webhooks), or for children
    #: the webset answer may leave out (monitors), the list filtered with ``?websetId=``.
    listed_at: str | None = None
