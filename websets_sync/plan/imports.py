"""Imports in a plan (DESIGN §10): created, updated in place (title, metadata), replaced when
the CSV file or the entity changed (an import's content cannot be changed), deleted with
``--allow-delete``. The file is compared by the SHA-256 tag, so nothing is downloaded."""

from __future__ import annotations

from dataclasses import replace

from websets_sync.errors import PlanError
from websets_sync.model import TAG_FILE_SHA256, DesiredResource, DesiredState, Kind
from websets_sync.model.kinds import RULES
from websets_sync.model.live import LiveObject
from websets_sync.plan.children import Planning, plan_updatable
from websets_sync.plan.types import Action, Change, FieldChange
from websets_sync.state.store import State

#: Live import statuses that say its file never arrived (an apply stopped between the create
#: and the upload, or the API could not read the upload).
_NOT_UPLOADED = {"pending": "its upload never happened", "failed": "the API could not read it"}


def needs_imports(desired: DesiredState, state: State | None) -> bool:
    """Whether a plan must list the account's imports: the manifests declare some, or the
    state file remembers one (it may have to be deleted). Otherwise that listing is skipped."""
    if desired.imports:
        return True
    entries = state.resources if state is not None else {}
    return any(address.startswith("import/") for address in entries)


def plan_imports(
    p: Planning, declared: tuple[DesiredResource, ...], live: tuple[LiveObject, ...]
) -> None:
    start = len(p.changes)
    plan_updatable(p, declared, live, parent=None)
    for index in range(start, len(p.changes)):
        change = p.changes[index]
        if change.kind is not Kind.IMPORT:
            continue
        change = _with_file(change)
        kept = change.action in (Action.UPDATE, Action.ADOPT, Action.NOOP)
        if kept and change.address in p.options.replace:
            reason = "replace requested: the file is uploaded again as a new import (new id)"
            change = replace(change, action=Action.REPLACE, reason=reason)
        p.changes[index] = change


def _with_file(change: Change) -> Change:
    """The change with the file shown; a changed file or entity turns it into a replace."""
    desired = change.desired
    if isinstance(desired, DesiredResource) and desired.upload is None and change.live is None:
        raise PlanError(
            f"{change.address} is pinned by id, but no live import of this project is it",
            detail="Declare `file:` to upload the CSV as a new import.",
        )
    if not isinstance(desired, DesiredResource) or desired.upload is None:
        return change
    upload = desired.upload
    rows = "row" if upload.count == 1 else "rows"
    after = f"sha256 {upload.sha256[:12]} ({upload.count} {rows}, {upload.size} bytes)"
    if change.action is Action.CREATE or change.live is None:
        return replace(change, fields=(FieldChange("file", None, after), *change.fields))
    before_sha = change.live.metadata.get(TAG_FILE_SHA256)
    reasons = []
    fields = list(change.fields)
    if before_sha != upload.sha256:
        before = f"sha256 {before_sha[:12]}" if isinstance(before_sha, str) else None
        fields.insert(0, FieldChange("file", before, after))
        reasons.append("the CSV file changed")
    recreated = [
        f.path for f in change.fields if f.path.split(".")[0] in RULES[Kind.IMPORT].create_only
    ]
    reasons += [f"{path} cannot be changed in place" for path in recreated]
    status = str(change.live.data.get("status"))
    if status in _NOT_UPLOADED:
        reasons.append(f"live import {change.id} is {status}: {_NOT_UPLOADED[status]}")
    if not reasons:
        return change
    reason = "; ".join(reasons) + (
        f"; live import {change.id} is deleted and the file uploaded again as a new import"
    )
    return replace(change, action=Action.REPLACE, reason=reason, fields=tuple(fields))
