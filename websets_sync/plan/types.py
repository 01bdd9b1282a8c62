"""The plan: an immutable value saying exactly what apply will do, and why.

``build_plan`` computes it from desired state, live state and the local state file. ``plan``
renders it (render/), ``apply`` executes the very same value. Reasons are for people only: no code
branches on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from websets_sync.model import Address, DesiredResource, DesiredWebset, Kind, LiveObject
from websets_sync.model.pricing import BUILTIN_PRICING, Pricing

FORMAT_VERSION = 1


class Action(str, Enum):
    """What happens to one address. The value is the word in the JSON contract."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RUN = "run"  # start a new search job (searches are never updated in place)
    ADOPT = "adopt"  # tag an untagged live webset as ours, updating any fields that differ
    REPLACE = "replace"  # delete then create (only a webhook whose secret was lost, on request)
    MOVE = "move"  # a renamed address: the same live object, re-tagged in place (free)
    NOOP = "no-op"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS: Mapping[Action, str] = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.RUN: ">",
    Action.ADOPT: "<",
    Action.REPLACE: "±",
    Action.MOVE: "→",
    Action.NOOP: " ",
}


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. ``path`` is dotted/indexed (``cadence.cron``, ``options[1].label``).

    ``before`` is the normalized live value (None when absent or on create); ``after`` is the
    normalized desired value (None when the field is to be removed, or on delete).
    """

    path: str
    before: Any
    after: Any
    #: The manifest's own text (``${VAR}``) of interpolated values inside ``after``, by their
    #: steps below ``path`` (``()`` for ``after`` itself). Views show these instead of the value.
    manifest_texts: Mapping[tuple[str | int, ...], str] = field(
        default_factory=dict, compare=False, repr=False
    )

    def shown_after(self) -> Any:
        """``after`` as the manifest wrote it: interpolated values replaced by their ``${VAR}``."""
        shown = self.after
        for steps, text in sorted(self.manifest_texts.items(), key=lambda item: len(item[0])):
            shown = _put(shown, steps, text)
        return shown


def _put(value: Any, steps: tuple[str | int, ...], text: str) -> Any:
    """A copy of ``value`` with ``text`` at ``steps`` (unchanged when the shape differs)."""
    if not steps:
        return text
    head, rest = steps[0], steps[1:]
    if isinstance(value, Mapping) and head in value:
        return {**value, str(head): _put(value[head], rest, text)}
    if isinstance(value, list) and isinstance(head, int) and 0 <= head < len(value):
        return [*value[:head], _put(value[head], rest, text), *value[head + 1 :]]
    return value


class Per(str, Enum):
    """Whether paid work happens once (when applied) or every month (a monitor's runs)."""

    ONCE = "once"
    MONTH = "month"


@dataclass(frozen=True)
class Usage:
    """The paid work one change starts, before prices (plan/cost.py prices it).

    ``items``: new items a search or monitor may add (its count; per month for a monitor), or
    for an enrichment the items it will run over. ``cells``: enrichment results to compute.
    ``rollup``: a new webset's total, the sum of its searches' usage (each also on its own
    change); totals skip it so nothing is counted twice.
    """

    items: int
    cells: int
    per: Per = Per.ONCE
    rollup: bool = False


@dataclass(frozen=True)
class Change:
    """One address in the plan.

    ``desired`` and ``live`` are the objects the change was computed from; apply uses them to build
    requests. They are not part of the JSON contract. ``webset_id`` is the live id of the parent
    webset of a child (None when the parent is still to be created).
    """

    address: Address
    action: Action
    reason: str
    id: str | None = None
    fields: tuple[FieldChange, ...] = ()
    paid: bool = False
    destructive: bool = False
    desired: DesiredResource | DesiredWebset | None = field(default=None, compare=False, repr=False)
    live: LiveObject | None = field(default=None, compare=False, repr=False)
    webset_id: str | None = None
    #: True for a child carried inside its new parent's create-webset request (the first search
    #: and every enrichment of a new webset): apply sends no request of its own for it.
    inline: bool = False
    #: Upper bound of items this change may add or process (search count, or items an enrichment
    #: will run over), for the paid-work summary. None when not paid or unknown.
    estimated_items: int | None = None
    #: The paid work this change starts (set exactly when ``paid``), priced in plan/cost.py.
    usage: Usage | None = None
    #: A ``move``: the address the object had (its state-file entry follows it to this one).
    moved_from: Address | None = None

    @property
    def kind(self) -> Kind:
        return self.address.kind


@dataclass(frozen=True)
class Skipped:
    """A change the plan would make but will not, with the reason (e.g. deletion not allowed)."""

    address: Address
    action: Action
    reason: str
    id: str | None = None


@dataclass(frozen=True)
class PlanOptions:
    allow_delete: bool = False
    targets: tuple[Address, ...] = ()
    replace: tuple[Address, ...] = ()
    #: Addresses whose state-file id may take over a live object with no tag of this project
    #: (the user's explicit word; without it such a match is only reported).
    adopt: tuple[Address, ...] = ()
    #: ``--exclude`` globs: matching addresses and what depends on them are left out.
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The whole plan, changes in execution order (creates top-down, deletes bottom-up).

    ``live_fingerprints`` maps each live object id that was read to a hash of its data;
    ``manifest_fingerprint`` hashes the manifests. A saved plan carries both so that apply can
    refuse to execute it once either has changed.
    """

    project: str
    options: PlanOptions
    changes: tuple[Change, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    live_fingerprints: Mapping[str, str] = field(default_factory=dict)
    #: Declared webhooks whose signing secret nobody knows (its create answer was lost, or the
    #: state lost it): every view shows them prominently until ``--replace`` gets new ones.
    secrets_unknown: tuple[Address, ...] = ()
    manifest_fingerprint: str = ""
    manifest_paths: tuple[str, ...] = ()
    #: SHA-256 of each manifest file, so a stale saved plan can name the files that changed.
    manifest_sha256: Mapping[str, str] = field(default_factory=dict)
    #: The prices the plan's estimates use (DESIGN §12).
    pricing: Pricing = BUILTIN_PRICING
    #: Addresses left out by ``--exclude`` (with what depends on them).
    excluded: tuple[Address, ...] = ()
    #: Address → live id of every object a reference may name, as known when planning (imports
    #: of the project, websets with an externalId). Apply resolves references with it, or with
    #: the id the target's create returns in the same apply (DESIGN §10).
    references: Mapping[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(change.action is not Action.NOOP for change in self.changes)
