"""References in request bodies (DESIGN §10): ``{source, externalId}`` becomes ``{source, id}``
with the id known when planning, or the one an earlier step of the same apply produces; and the
waves units run in, so that every target exists before anything refers to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from websets_sync.apply.step_types import IdRef
from websets_sync.errors import ApplyError
from websets_sync.model import Address, DesiredResource, DesiredWebset
from websets_sync.plan.references import referenced
from websets_sync.plan.types import Change

JSON = dict[str, Any]
SOURCES = ("import", "webset")


def bind_references(
    body: JSON, created: Mapping[Address, int], known: Mapping[str, str]
) -> tuple[JSON, list[tuple[str, IdRef]]]:
    """``body`` with each reference by externalId turned into ``{source, id: "{address}"}``,
    and the id each placeholder stands for. Raises ApplyError for a target without any id."""
    ids: dict[str, IdRef] = {}

    def bind(value: Any, key: str = "") -> Any:
        if key == "metadata":
            return value  # user data, never a reference
        if isinstance(value, list):
            return [bind(item) for item in value]
        if not isinstance(value, dict):
            return value
        name, source = value.get("externalId"), value.get("source")
        if source not in SOURCES or not isinstance(name, str):
            return {k: bind(v, k) for k, v in value.items()}
        address = Address.for_import(name) if source == "import" else Address.for_webset(name)
        ids[str(address)] = _id_of(address, created, known)
        bound = {k: v for k, v in value.items() if k != "externalId"}
        return {"source": source, "id": "{" + str(address) + "}", **_rest(bound)}

    return bind(body), sorted(ids.items())


def _rest(ref: JSON) -> JSON:
    return {k: v for k, v in ref.items() if k not in ("source", "id")}


def _id_of(address: Address, created: Mapping[Address, int], known: Mapping[str, str]) -> IdRef:
    if address in created:
        missing = f"{address} was not created, so nothing can refer to it"
        return IdRef(produced_by=address, step=created[address], missing=missing)
    if str(address) in known:
        return IdRef(known[str(address)])
    raise ApplyError(f"refers to {address}, which has no live id and is not created by this plan")


def fill_references(body: Any, ids: Mapping[str, str]) -> Any:
    """The body with every ``"{address}"`` id placeholder replaced by the resolved id."""
    if isinstance(body, list):
        return [fill_references(item, ids) for item in body]
    if isinstance(body, dict):
        ref_id = body.get("id")
        if body.get("source") in SOURCES and isinstance(ref_id, str) and ref_id[1:-1] in ids:
            return {**body, "id": ids[ref_id[1:-1]]}
        return {k: v if k == "metadata" else fill_references(v, ids) for k, v in body.items()}
    return body


def unit_waves(groups: Sequence[tuple[str, Sequence[Change]]]) -> list[int]:
    """The wave of each unit: 0 when it refers to no other unit of the plan (imports, plain
    websets, webhooks), else one more than the deepest unit it refers to: imports, then the
    websets others refer to, then those. Validation refused cycles between declared websets."""
    names = {name for name, _ in groups}
    targets = {name: _targets(changes) & names for name, changes in groups}
    waves: dict[str, int] = {}

    def wave(name: str, visiting: frozenset[str]) -> int:
        if name in waves:
            return waves[name]
        deeper = [wave(t, visiting | {name}) for t in targets[name] if t not in visiting | {name}]
        waves[name] = 1 + max(deeper) if deeper else 0
        return waves[name]

    return [wave(name, frozenset()) for name, _ in groups]


def _targets(changes: Sequence[Change]) -> set[str]:
    found: set[str] = set()
    for change in changes:
        desired = change.desired
        if isinstance(desired, (DesiredResource, DesiredWebset)):
            found.update(str(address) for address in referenced(desired.spec))
    return found
