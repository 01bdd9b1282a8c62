"""References between objects (DESIGN §10): ``{source: import|webset, externalId}`` in the
manifests, ``{source, id}`` in the API.

Before planning, both sides are put in one form: every reference whose id is known (a live import
of this project, a webset with an externalId) names its target by externalId, on the desired side
(a raw id pasted from the docs) and on the live side (what the API echoes). Definitions then
compare by what they name, never by id, so a replaced import (new id) does not by itself re-run a
search: the live search keeps the old import's id, which no longer resolves, and counts as
naming the import it was made with (the plan notes it keeps its old scope).

The known ids go into the plan (``Plan.references``): apply resolves a reference to the id known
when planning, or to the id its target's create returns in the same apply.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from websets_sync.errors import PlanError
from websets_sync.model import (
    TAG_EXTERNAL_ID,
    Address,
    DesiredResource,
    DesiredState,
    DesiredWebset,
    Kind,
    LiveObject,
    LiveState,
    LiveWebset,
)
from websets_sync.model.kinds import RULES
from websets_sync.plan.identity import find_live_webset
from websets_sync.plan.types import Action, Change
from websets_sync.state.store import State

JSON = dict[str, Any]
KEPT_OLD_SCOPE = "keeps its old {field}: {target} is replaced, and a search cannot be changed"


@dataclass
class References:
    """Who is who: ``ids`` address → live id known now; ``names`` (source, id) → externalId."""

    ids: dict[str, str] = field(default_factory=dict)
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    #: References of live searches to ids that no longer exist, taken as the declared target.
    dangling: dict[Address, list[str]] = field(default_factory=dict)


def with_references(
    desired: DesiredState, live: LiveState, project: str, state: State
) -> tuple[DesiredState, LiveState, References]:
    """(desired, live to compare with, who is who): both sides naming references alike."""
    if desired.imports and not live.imports_read:
        raise PlanError("the manifests declare imports, but the account's imports were not read")
    refs = reference_table(desired, live, project, state)
    desired = canonical_desired(desired, refs)
    return desired, canonical_live(live, desired, refs, state, project), refs


def reference_table(
    desired: DesiredState, live: LiveState, project: str, state: State
) -> References:
    refs = References()
    for obj in live.imports:
        name = obj.tagged_external_id
        if obj.project == project and name is not None:
            refs.names[("import", obj.id)] = name
            refs.ids.setdefault(f"import/{name}", obj.id)
    for declared in desired.imports:
        remembered = state.get(str(declared.address))
        if remembered is not None and any(o.id == remembered.id for o in live.imports):
            refs.ids[str(declared.address)] = remembered.id
    for webset in live.websets:
        if webset.external_id is not None:
            refs.names[("webset", webset.id)] = webset.external_id
            refs.ids[f"webset/{webset.external_id}"] = webset.id
    for declared_webset in desired.websets:
        found = find_live_webset(declared_webset, live, project)
        if found is not None:
            refs.ids[str(declared_webset.address)] = found.id
            refs.names[("webset", found.id)] = declared_webset.external_id
    return refs


def canonical_desired(desired: DesiredState, refs: References) -> DesiredState:
    """The desired state with raw ids of known targets named by externalId; an unknown webset
    named by externalId is refused here (nothing declares it and the account has none)."""
    declared = {w.external_id for w in desired.websets}
    websets = []
    for webset in desired.websets:
        spec = _named(webset.spec, RULES[Kind.WEBSET].references, refs)
        searches = tuple(
            replace(s, spec=_named(s.spec, RULES[Kind.SEARCH].references, refs))
            for s in webset.searches
        )
        for owner, spec_of in [(webset.address, spec), *[(s.address, s.spec) for s in searches]]:
            for ref in _references(spec_of):
                name = ref.get("externalId")
                known = f"webset/{name}" in refs.ids or name in declared
                if ref.get("source") == "webset" and name is not None and not known:
                    raise PlanError(
                        f"{owner} refers to webset/{name}, which the manifests do not declare "
                        "and the account does not have",
                        detail="Name an existing webset by its externalId, or declare it.",
                    )
        websets.append(replace(webset, spec=spec, searches=searches))
    return replace(desired, websets=tuple(websets))


def canonical_live(
    live: LiveState, desired: DesiredState, refs: References, state: State, project: str
) -> LiveState:
    """Live searches with their references named like the manifests name them."""
    declared: dict[str, DesiredWebset] = {}
    for desired_webset in desired.websets:  # one indexed lookup each, no scan
        found = find_live_webset(desired_webset, live, project)
        if found is not None:
            declared[found.id] = desired_webset
    websets = [_live_webset(w, declared.get(w.id), refs, state) for w in live.websets]
    return replace(live, websets=tuple(websets))


def _live_webset(
    webset: LiveWebset, desired: DesiredWebset | None, refs: References, state: State
) -> LiveWebset:
    pairs = _declared_for(webset, desired, state)
    searches = []
    for search in webset.searches:
        data = dict(search.data)
        declared = pairs.get(search.id)
        if desired is not None and search is webset.searches[0] and desired.searches:
            data = _without_webset_exclude(data, webset, desired.searches[0])
        for name in RULES[Kind.SEARCH].references:
            value = data.get(name)
            if isinstance(value, list):
                wanted = declared.spec.get(name) if declared is not None else None
                data[name] = _live_refs(value, wanted, refs, declared, name)
        searches.append(LiveObject(search.kind, search.id, data))
    return replace(webset, searches=tuple(searches))


def _declared_for(
    webset: LiveWebset, desired: DesiredWebset | None, state: State
) -> dict[str, DesiredResource]:
    """Live search id → the declared search it stands for (by tag, state file or inline)."""
    if desired is None:
        return {}
    pairs: dict[str, DesiredResource] = {}
    for search in desired.searches:
        remembered = state.get(str(search.address))
        for obj in webset.searches:
            tagged = obj.metadata.get(TAG_EXTERNAL_ID) == search.address.name
            if tagged or (remembered is not None and remembered.id == obj.id):
                pairs[obj.id] = search
    if webset.searches and desired.searches:
        pairs.setdefault(webset.searches[0].id, desired.searches[0])
    return pairs


def _without_webset_exclude(data: JSON, webset: LiveWebset, first: DesiredResource) -> JSON:
    """The API shows a webset's ``exclude`` on the search created with it (recorded): that is
    the webset's, not the search's own, when the declared first search has none."""
    excludes = webset.webset.data.get("excludes")
    if excludes and "exclude" not in first.spec and data.get("exclude") == excludes:
        return {k: v for k, v in data.items() if k != "exclude"}
    return data


def _live_refs(
    value: list[Any],
    wanted: Any,
    refs: References,
    declared: DesiredResource | None,
    field_name: str,
) -> list[Any]:
    result = []
    wanted_list = wanted if isinstance(wanted, list) else []
    for index, ref in enumerate(value):
        if not isinstance(ref, Mapping) or "id" not in ref:
            result.append(ref)
            continue
        source, ref_id = str(ref.get("source")), str(ref["id"])
        name = refs.names.get((source, ref_id))
        entry = {k: v for k, v in ref.items() if k != "id"}
        if name is not None:
            result.append({**entry, "externalId": name})
            continue
        counterpart = wanted_list[index] if index < len(wanted_list) else None
        if (
            source == "import"
            and isinstance(counterpart, Mapping)
            and counterpart.get("source") == "import"
            and "externalId" in counterpart
            and ("import", ref_id) not in refs.names
            and declared is not None
        ):
            # The import this search was made with is gone (replaced): it stays the search's.
            target = f"import/{counterpart['externalId']}"
            refs.dangling.setdefault(declared.address, []).append(
                KEPT_OLD_SCOPE.format(field=field_name, target=target)
            )
            result.append({**entry, "externalId": counterpart["externalId"]})
            continue
        result.append(dict(ref))
    return result


def _named(spec: Mapping[str, Any], fields: Sequence[str], refs: References) -> Mapping[str, Any]:
    if not any(isinstance(spec.get(name), list) for name in fields):
        return spec
    result = dict(spec)
    for name in fields:
        value = spec.get(name)
        if isinstance(value, list):
            result[name] = [_name_one(ref, refs) for ref in value]
    return result


def _name_one(ref: Any, refs: References) -> Any:
    if not isinstance(ref, Mapping) or "id" not in ref:
        return ref
    name = refs.names.get((str(ref.get("source")), str(ref["id"])))
    if name is None:
        return ref
    return {**{k: v for k, v in ref.items() if k != "id"}, "externalId": name}


def _references(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for name in ("import", "exclude", "scope"):
        value = spec.get(name)
        if isinstance(value, list):
            yield from (ref for ref in value if isinstance(ref, Mapping))


def referenced(spec: Mapping[str, Any]) -> list[Address]:
    """The declared-style targets a spec names by externalId, as addresses."""
    found = []
    for ref in _references(spec):
        name = ref.get("externalId")
        if isinstance(name, str) and ref.get("source") in ("import", "webset"):
            kind = Kind.IMPORT if ref["source"] == "import" else Kind.WEBSET
            found.append(
                Address.for_import(name) if kind is Kind.IMPORT else Address.for_webset(name)
            )
    return found


def note_kept_scopes(
    changes: list[Change], refs: References, warnings: list[tuple[Address | None, str]]
) -> None:
    """A search that stays while an import it names is replaced keeps its old scope: say so in
    its reason, and as a warning when the replace is in this plan (a later plan only notes it)."""
    replaced = {c.address for c in changes if c.kind is Kind.IMPORT and c.action is Action.REPLACE}
    for index, change in enumerate(changes):
        if change.kind is not Kind.SEARCH or change.action is not Action.NOOP:
            continue
        notes = list(refs.dangling.get(change.address, []))
        if isinstance(change.desired, DesiredResource):
            for field_name in ("scope", "exclude"):
                value = change.desired.spec.get(field_name)
                for target in referenced({field_name: value}):
                    if target in replaced:
                        note = KEPT_OLD_SCOPE.format(field=field_name, target=target)
                        notes.append(note)
                        warnings.append(
                            (change.address, f"{change.address} {note} (it is not run again)")
                        )
        if notes:
            reason = change.reason + "; " + "; ".join(dict.fromkeys(notes))
            changes[index] = replace(change, reason=reason)
