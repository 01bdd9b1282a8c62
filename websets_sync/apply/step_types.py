"""The typed request steps of :mod:`websets_sync.apply.steps`: plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from websets_sync.model import Address, CsvUpload, Kind
from websets_sync.model.operations import InlineId, Lookup, Memory
from websets_sync.plan.types import Action

JSON = dict[str, Any]


class Purpose(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    AFTER_CREATE = "after create"
    CONFIRM = "confirm"
    RECORD = "record"
    MOVE = "move"


@dataclass(frozen=True)
class IdRef:
    """Where the id for a path placeholder comes from: ``known`` when the plan was made, else
    produced by step ``step`` (the create of ``produced_by``). ``missing``: why there is none."""

    known: str | None = None
    produced_by: Address | None = None
    step: int | None = None
    missing: str = ""


@dataclass(frozen=True)
class Reconcile:
    """How a create whose answer was lost is looked for before it is sent again."""

    lookup: Lookup
    name: str
    parent_list: str | None = None
    listed_at: str | None = None
    #: Set when several live objects may carry the name (a search re-runs under its name): a
    #: candidate must then also have the definition that was sent (model.kinds.same_definition).
    definition_of: Kind | None = None


@dataclass(frozen=True)
class Request:
    """One HTTP request: ``path`` is a template whose placeholders ``ids`` resolve; the body's
    ``body_ids`` fields are filled with resolved ids too, and so is every reference in the body
    (``{"source": …, "id": "{import/x}"}``: the id named ``import/x`` in ``ids``)."""

    method: str
    path: str
    ids: tuple[tuple[str, IdRef], ...] = ()
    body: JSON | None = None
    body_ids: tuple[tuple[str, str], ...] = ()
    empty_answer: bool = False
    reconcile: Reconcile | None = None
    #: The CSV file PUT to the upload URL of the import ``{id}`` (no API key), and the create
    #: body of the fresh import that replaces it when the upload fails.
    upload: CsvUpload | None = None
    fresh_create: JSON | None = None


@dataclass(frozen=True)
class Step:
    """One thing apply does for one change of the plan (the change's address and action: why)."""

    number: int
    address: Address
    action: Action
    purpose: Purpose
    request: Request | None
    #: Steps that must have succeeded before this one is sent.
    after: tuple[int, ...] = ()
    remembers: Memory = Memory.NOTHING
    #: The preventDestroy remembered with a webset's id.
    prevent_destroy: bool = False
    #: The change is done (and reported) when this step succeeds.
    reports: bool = True
    #: The step whose body carries this child: its request is sent only if that step's answer
    #: does not show the child.
    carried_by: int | None = None
    #: Where an answer lists the object (the carrier's answer, or a confirming read's), and how
    #: it is recognized there.
    found_in: tuple[str, InlineId] | None = None
    #: A confirming read: the updates (sent earlier in the unit) it confirms.
    confirms: tuple[Address, ...] = ()
    #: Why the change cannot be sent at all (it fails without a request).
    problem: str | None = None
    #: The live id the plan knew (reported with a failure).
    live_id: str | None = None
    #: A move: where its state-file entry may be now (the first one found moves here).
    moved_from: tuple[Address, ...] = ()


@dataclass(frozen=True)
class Unit:
    """Steps that run one after another: a webset with its children, or one webhook."""

    name: str
    steps: tuple[Step, ...]
    #: Unchanged addresses: no request, but the state file is kept current (not numbered).
    records: tuple[Step, ...] = ()
    #: The unit's webset id (None for a webhook's or an import's unit).
    webset: IdRef | None = None
    #: Units run in waves, each after the previous one has finished: imports first, then
    #: websets by how deep their references go (a webset after those it refers to).
    wave: int = 0
