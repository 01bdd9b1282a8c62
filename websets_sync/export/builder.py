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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from websets_sync.export.fields import (
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
from websets_sync.export.imports import import_documents, name_references, webset_sources
from websets_sync.export.result import ExportResult
from websets_sync.export.select import (
    adoptable_by_content,
    check_chosen,
    check_something_to_export,
    infer_project,
    other_projects_note,
    ours_or_nobodys,
    remembered_names,
)
from websets_sync.model import TAG_INITIAL_SEARCH, LiveObject, LiveState, LiveWebset
from websets_sync.model.live import reclaim_remembered_searches
from websets_sync.plan.identity import webset_alias
from websets_sync.plan.protection import live_protected

__all__ = ["ExportResult", "export_state", "infer_project", "remembered_names"]


# --- choosing what to export ---------------------------------------------------------------------


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
        check_chosen(live, project)
    check_something_to_export(live, project)
    scope = _Scope(project, remembered or {})
    live = reclaim_remembered_searches(live, scope.remembered.keys())
    websets = [w for w in live.websets if ours_or_nobodys(w.webset, project)]
    webhooks = [h for h in live.webhooks if ours_or_nobodys(h, project)]
    scope.notes += other_projects_note(live, project)
    webhooks = [h for h in webhooks if _matchable(h, scope)]
    webset_names = _webset_names(websets, scope)
    hook_names = _child_names(webhooks, "webhook", scope)
    picked = _picked_hooks(webhooks, hook_names, scope)
    webhooks = [h for h in webhooks if picked[hook_names[h.id]] is h]
    imports, names = import_documents(live, project, scope.notes)
    documents = [webset_document(w, webset_names[w.id], scope) for w in websets]
    name_references(documents, names)
    return ExportResult(
        project=project,
        websets=tuple(documents),
        webhooks=tuple(webhook_document(h, hook_names[h.id], scope.notes) for h in webhooks),
        imports=tuple(imports),
        notes=tuple(scope.notes),
    )


def _picked_hooks(
    hooks: Sequence[LiveObject], names: Mapping[str, str], scope: _Scope
) -> dict[str, LiveObject]:
    """Of several webhooks with one externalId, the one the planner picks (by name): the one
    the state file remembers under that name, else the newest."""
    picked: dict[str, LiveObject] = {}
    remembered: set[str] = set()
    for hook in hooks:
        name = names[hook.id]
        if name in remembered:
            continue
        if scope.remembered.get(hook.id) == name:
            remembered.add(name)
        picked[name] = hook
    return picked


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
    if untagged and adoptable_by_content(obj):
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


# --- names ---------------------------------------------------------------------------------------


def _webset_names(websets: Sequence[LiveWebset], scope: _Scope) -> dict[str, str]:
    """Native externalIds where valid; for pinned websets the name the state file remembers,
    else one made from the title; no clashes."""
    taken = {w.external_id or "" for w in websets if is_usable_id(w.external_id)}
    taken |= {scope.remembered[w.id] for w in websets if w.id in scope.remembered}
    taken |= {webset_alias(w, scope.project) or "" for w in websets}
    names: dict[str, str] = {}
    for webset in websets:
        native = webset.external_id
        remembered = scope.remembered.get(webset.id)
        alias = webset_alias(webset, scope.project)  # the name a `moved` block gave it
        if alias is not None and is_usable_id(alias):
            names[webset.id] = alias
        elif native is not None and is_usable_id(native):
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
    if webset.external_id != external_id and webset_alias(webset, scope.project) != external_id:
        document["id"] = webset.id
        scope.notes.append(_pinned_note(webset, external_id))
    put(document, "title", text(webset.webset.data, "title") or None)
    put(document, "metadata", user_metadata(webset.webset.metadata))
    if live_protected(webset.webset):
        document["preventDestroy"] = True
    imported, excluded = webset_sources(webset.webset.data)
    put(document, "import", imported)
    put(document, "exclude", excluded)
    initial = webset.webset.metadata.get(TAG_INITIAL_SEARCH)
    names = _child_names(webset.searches, "search", scope, initial)
    searches = _entries(webset.searches, names, search_fields)
    if searches and excluded is not None and searches[0].get("exclude") == excluded:
        del searches[0]["exclude"]  # the API shows the webset's exclude on its first search
    put(document, "searches", searches)
    for key, objects, fields in (
        ("enrichments", webset.enrichments, enrichment_fields),
        ("monitors", webset.monitors, monitor_fields),
    ):
        kept = [o for o in objects if _matchable(o, scope)]
        names = _child_names(kept, key.removesuffix("s"), scope)
        put(document, key, _entries(kept, names, fields, scope.remembered))
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
    remembered: Mapping[str, str] | None = None,
) -> list[Document]:
    """Child entries in live order; of several objects with one externalId, the one the state
    file remembers for it (``remembered``, as the planner picks), else the newest.

    A search whose definition changed is run again under the same externalId, so the newest live
    search is the current definition of that address; the older one is history.
    """
    chosen: dict[str, LiveObject] = {}
    for obj in objects:
        name = names[obj.id]
        current = chosen.get(name)
        if current is None or not (remembered and remembered.get(current.id) == name):
            chosen[name] = obj
    return [{"externalId": name, **fields(obj.data)} for name, obj in chosen.items()]


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
