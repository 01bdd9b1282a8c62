"""Live state → manifests: what ``export`` writes (DESIGN §2).

Pure: takes the live model, returns manifest dictionaries and YAML text; the CLI reads live state
and writes the files. A fresh export plans with no changes: only manifest fields are written,
server-filled values and documented defaults are left out (export_fields.py).

Identity follows DESIGN §3: a webset keeps its native externalId; children and webhooks keep the
externalId from their ``websets-sync/external-id`` tag, or get a generated one (``search-1``…).
A webset made in the dashboard has no externalId and the API cannot add one later, so it is
*pinned*: the manifest carries ``id: <live id>`` and a generated externalId that only names it in
the manifest namespace.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from websets_sync.errors import WebsetsSyncError
from websets_sync.export_fields import (
    Document,
    enrichment_fields,
    escape,
    is_usable_id,
    monitor_fields,
    put,
    search_fields,
    slug,
    text,
    unique,
    url_has_credentials,
    user_metadata,
    webhook_fields,
)
from websets_sync.export_yaml import render_document, render_files, schema_reference
from websets_sync.kinds import RULES
from websets_sync.model import TAG_INITIAL_SEARCH, Address, LiveObject, LiveState, LiveWebset
from websets_sync.protection import live_protected
from websets_sync.state import State

__all__ = [
    "ExportResult",
    "export_state",
    "infer_project",
    "render_document",
    "remembered_names",
    "render_files",
    "schema_reference",
]


@dataclass(frozen=True)
class ExportResult:
    """Manifest entries for one project. ``notes`` tell the user what to check before committing."""

    project: str
    websets: tuple[Document, ...] = ()
    webhooks: tuple[Document, ...] = ()
    notes: tuple[str, ...] = ()


# --- choosing what to export ---------------------------------------------------------------------


def infer_project(live: LiveState) -> str | None:
    """The one project the live objects are tagged with; None if none is; error if several."""
    objects = [w.webset for w in live.websets] + list(live.webhooks)
    projects = sorted({obj.project for obj in objects if obj.project is not None})
    if len(projects) > 1:
        raise WebsetsSyncError(
            "the live objects belong to several projects: " + ", ".join(projects),
            detail="Pass --project NAME to export one of them.",
        )
    return projects[0] if projects else None


def export_state(
    live: LiveState,
    project: str,
    *,
    chosen: bool = False,
    remembered: Mapping[str, str] | None = None,
) -> ExportResult:
    """Every webset this project manages or nobody manages, and this project's webhooks.

    Objects tagged with another project are skipped: declaring them here would make every plan
    fail on the ownership conflict. Webhooks that websets-sync did not create (no externalId tag)
    are skipped too: a plan matches webhooks only by that tag, so declaring one would create a
    second copy. Untagged searches, enrichments and monitors are kept under generated names: the
    planner recognises them by their content (and adopts them). ``chosen``: the websets were
    asked for by name, so one of another project is an error rather than a note.
    ``remembered`` maps live ids to the address names the state file remembers for them: an
    object whose tags were dropped (a dashboard metadata edit) keeps its name, as in the plan.
    """
    if chosen:
        _check_chosen(live, project)
    scope = _Scope(project, remembered or {})
    websets = [w for w in live.websets if _ours_or_nobodys(w.webset, project)]
    webhooks = [h for h in live.webhooks if _ours_or_nobodys(h, project)]
    scope.notes += _other_projects_note(live, project)
    webhooks = [h for h in webhooks if _matchable(h, scope)]
    webset_names = _webset_names(websets, scope)
    hook_names = _child_names(webhooks, "webhook", scope)
    return ExportResult(
        project=project,
        websets=tuple(webset_document(w, webset_names[w.id], scope) for w in websets),
        webhooks=tuple(webhook_document(h, hook_names[h.id], scope.notes) for h in webhooks),
        notes=tuple(scope.notes),
    )


@dataclass
class _Scope:
    """What naming and filtering need across one export."""

    project: str
    remembered: Mapping[str, str]
    notes: list[str] = field(default_factory=list)

    def remembered_name(self, obj: LiveObject) -> str | None:
        """The state file's name for an object that lost its tags (as the planner finds it)."""
        name = self.remembered.get(obj.id)
        untagged = obj.tagged_external_id is None and obj.project in (None, self.project)
        return name if untagged and is_usable_id(name) else None


def _check_chosen(live: LiveState, project: str) -> None:
    for webset in live.websets:
        owner = webset.webset.project
        if owner is not None and owner != project:
            raise WebsetsSyncError(
                f"webset {webset.external_id or webset.id} belongs to project {owner!r}, "
                f"not {project!r}",
                detail=f"Export it with --project {owner}.",
            )


def remembered_names(state: State, project: str) -> dict[str, str]:
    """Live id → address name for every object the state file remembers (of this project)."""
    if state.project not in (None, project):
        return {}
    names: dict[str, str] = {}
    for address, entry in state.resources.items():
        try:
            names[entry.id] = Address.parse(address).name
        except ValueError:
            continue  # not an address this version knows: nothing to name
    return names


def _ours_or_nobodys(obj: LiveObject, project: str) -> bool:
    return obj.project is None or obj.project == project


def _other_projects_note(live: LiveState, project: str) -> list[str]:
    """One line per other project (an account may hold thousands of their objects)."""
    counts: dict[str, Counter[str]] = {}
    for obj in [w.webset for w in live.websets] + list(live.webhooks):
        if not _ours_or_nobodys(obj, project):
            counts.setdefault(str(obj.project), Counter())[obj.kind.value] += 1
    return [
        f"skipped {_count_words(kinds)} of project {owner!r}"
        for owner, kinds in sorted(counts.items())
    ]


def _count_words(kinds: Counter[str]) -> str:
    words = [
        f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in sorted(kinds.items(), reverse=True)
    ]
    return " and ".join(words)


def _matchable(obj: LiveObject, scope: _Scope) -> bool:
    """Whether a plan can recognise this child or webhook once declared: by our externalId tag,
    by the id the state file remembers, or, for one nobody owns, by the content the planner
    adopts it by (kinds.py ``adopt_keys``)."""
    project, notes = scope.project, scope.notes
    if obj.project == project and is_usable_id(obj.tagged_external_id):
        return True
    if scope.remembered_name(obj) is not None:
        return True
    untagged = obj.project is None and obj.tagged_external_id is None
    if untagged and _adoptable_by_content(obj):
        return True
    what = f"{obj.kind.value} {obj.id}"
    if obj.kind.is_child:
        what += f" of webset {obj.data.get('websetId')}"
    if obj.project not in (None, project):
        notes.append(f"skipped {what}: it belongs to project {obj.project!r}")
    else:
        notes.append(
            f"skipped {what}: it was not made by websets-sync and a plan cannot recognise it, "
            f"so declaring it would create a second one; to manage it, declare a new "
            f"{obj.kind.value} and delete this one"
        )
    return False


def _adoptable_by_content(obj: LiveObject) -> bool:
    keys = RULES[obj.kind].adopt_keys
    return bool(keys) and all(_at_path(obj.data, key) not in (None, "") for key in keys)


def _at_path(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for step in path.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


# --- names ---------------------------------------------------------------------------------------


def _webset_names(websets: Sequence[LiveWebset], scope: _Scope) -> dict[str, str]:
    """Native externalIds where valid; for pinned websets the name the state file remembers,
    else one made from the title; no clashes."""
    taken = {w.external_id or "" for w in websets if is_usable_id(w.external_id)}
    taken |= {scope.remembered[w.id] for w in websets if w.id in scope.remembered}
    names: dict[str, str] = {}
    for webset in websets:
        native = webset.external_id
        remembered = scope.remembered.get(webset.id)
        if native is not None and is_usable_id(native):
            names[webset.id] = native
        elif remembered is not None and is_usable_id(remembered):
            names[webset.id] = remembered
        else:
            base = slug(text(webset.webset.data, "title") or native) or slug(webset.id)
            names[webset.id] = unique(base or "webset-1", taken)
    return names


def _child_names(
    objects: Sequence[LiveObject], prefix: str, scope: _Scope, initial: str | None = None
) -> dict[str, str]:
    """Tagged externalIds where valid; else the name the state file remembers; else ``initial``
    for the first untagged search (the inline first search cannot carry tags, so the webset
    remembers its name); else ``<prefix>-N``."""
    taken = {o.tagged_external_id or "" for o in objects if is_usable_id(o.tagged_external_id)}
    taken |= {name for o in objects if (name := scope.remembered_name(o)) is not None}
    names: dict[str, str] = {}
    for obj in objects:
        tagged = obj.tagged_external_id
        remembered = scope.remembered_name(obj)
        if tagged is not None and is_usable_id(tagged):
            names[obj.id] = tagged
        elif remembered is not None:
            names[obj.id] = remembered
        elif initial is not None and is_usable_id(initial):
            # Shared on purpose with a later search re-run under the same name: it supersedes.
            names[obj.id], initial = initial, None
            taken.add(names[obj.id])
        else:
            names[obj.id] = unique(f"{prefix}-1", taken)
    return names


# --- documents -----------------------------------------------------------------------------------


def webset_document(webset: LiveWebset, external_id: str, scope: _Scope) -> Document:
    """The manifest entry for one live webset, pinned by id when it has no usable externalId."""
    document: Document = {"externalId": external_id}
    if webset.external_id != external_id:
        document["id"] = webset.id
        scope.notes.append(_pinned_note(webset, external_id))
    put(document, "title", text(webset.webset.data, "title") or None)
    put(document, "metadata", user_metadata(webset.webset.metadata))
    if live_protected(webset.webset):
        document["preventDestroy"] = True
    initial = webset.webset.metadata.get(TAG_INITIAL_SEARCH)
    names = _child_names(webset.searches, "search", scope, initial)
    put(document, "searches", _entries(webset.searches, names, search_fields))
    for key, objects, fields in (
        ("enrichments", webset.enrichments, enrichment_fields),
        ("monitors", webset.monitors, monitor_fields),
    ):
        kept = [o for o in objects if _matchable(o, scope)]
        names = _child_names(kept, key.removesuffix("s"), scope)
        put(document, key, _entries(kept, names, fields))
    return dict(escape(document))


def _pinned_note(webset: LiveWebset, external_id: str) -> str:
    if webset.external_id is None:
        why = "it has no externalId (made in the dashboard?)"
    else:
        why = f"its externalId {webset.external_id!r} is not a valid manifest externalId"
    return f"webset/{external_id} is pinned by id {webset.id}: {why}"


def _entries(
    objects: Sequence[LiveObject],
    names: Mapping[str, str],
    fields: Callable[[Mapping[str, Any]], Document],
) -> list[Document]:
    """Child entries in live order; a later object with the same externalId supersedes one before.

    A search whose definition changed is run again under the same externalId, so the newest live
    search is the current definition of that address; the older one is history.
    """
    entries: dict[str, Document] = {}
    for obj in objects:
        entries[names[obj.id]] = {"externalId": names[obj.id], **fields(obj.data)}
    return list(entries.values())


def webhook_document(webhook: LiveObject, external_id: str, notes: list[str]) -> Document:
    """A webhook entry: never its secret; a URL carrying credentials becomes a ``${VAR}``."""
    document: Document = dict(escape({"externalId": external_id, **webhook_fields(webhook.data)}))
    if url_has_credentials(text(webhook.data, "url")):
        variable = "WEBHOOK_URL_" + re.sub(r"[^A-Za-z0-9]", "_", external_id).upper()
        document["url"] = f"${{{variable}}}"
        notes.append(
            f"webhook/{external_id}: its URL carries credentials, so it is written as "
            f"${{{variable}}}; set {variable} before validate, plan or apply"
        )
    return document
