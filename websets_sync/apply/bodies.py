"""Request bodies for every create and update, with the reserved ``websets-sync/…`` tags.

Metadata is *replaced* by the API on update, so every body carries the full map: the user's
declared keys plus the reserved tags that make the object ours (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from websets_sync.apply.import_bodies import import_create_body, import_update_body
from websets_sync.errors import ApplyError
from websets_sync.model import (
    RESERVED_PREFIX,
    TAG_ALIAS,
    TAG_EXTERNAL_ID,
    TAG_INITIAL_SEARCH,
    TAG_PREVENT_DESTROY,
    TAG_PROJECT,
    DesiredResource,
    DesiredWebset,
    LiveObject,
)
from websets_sync.model.kinds import DEFAULT_SEARCH_COUNT

JSON = dict[str, Any]

#: Fields the update endpoints accept, per kind (webset update is title + metadata).
_ENRICHMENT_UPDATABLE = ("description", "format", "options")
_MONITOR_UPDATABLE = ("cadence", "behavior", "status")
_WEBHOOK_FIELDS = ("url", "events")
_NOT_INLINE = ("metadata", "behavior")


def webset_tags(webset: DesiredWebset, project: str) -> dict[str, str]:
    """Reserved tags of a new webset: the project, which search was sent inline, and
    preventDestroy when declared."""
    tags = {TAG_PROJECT: project}
    if webset.searches:
        tags[TAG_INITIAL_SEARCH] = webset.searches[0].address.name
    if webset.prevent_destroy:
        tags[TAG_PREVENT_DESTROY] = "true"
    return tags


def child_tags(resource: DesiredResource, project: str) -> dict[str, str]:
    """Reserved tags of a search, enrichment, monitor or webhook."""
    return {TAG_PROJECT: project, TAG_EXTERNAL_ID: resource.address.name}


def webset_create_body(webset: DesiredWebset, project: str) -> JSON:
    """POST /websets: the webset with its first search and every enrichment inline.

    The inline search cannot carry metadata (the API has no such field), so the webset's
    ``TAG_INITIAL_SEARCH`` tag records which declared search it was.
    """
    body: JSON = {"externalId": webset.external_id}
    if "title" in webset.spec:
        body["title"] = webset.spec["title"]
    body["metadata"] = _metadata(webset.spec, webset_tags(webset, project))
    for name in ("import", "exclude"):
        if webset.spec.get(name):
            body[name] = list(webset.spec[name])
    if webset.searches:
        body["search"] = inline_search_body(webset.searches[0])
    if webset.enrichments:
        body["enrichments"] = [enrichment_body(e, project) for e in webset.enrichments]
    return body


def inline_search_body(search: DesiredResource) -> JSON:
    """The ``search`` of a create-webset body: no metadata and no behavior (the API takes
    neither there; with no items yet, override and append mean the same)."""
    return {k: v for k, v in search.spec.items() if k not in _NOT_INLINE}


def webset_update_body(
    webset: DesiredWebset,
    project: str,
    live: LiveObject | None,
    *,
    protect: bool = False,
    initial_search: str | None = None,
) -> JSON:
    """POST /websets/{id}: title when declared, and the full metadata map.

    The live ``TAG_INITIAL_SEARCH`` is kept (``initial_search`` when a move renames that search):
    it is how the untagged inline search is recognized. ``protect`` is the preventDestroy in force
    (protection.in_force), kept as a tag; a moved webset keeps its alias.
    """
    tags = webset_live_tags(webset, project, live, protect=protect, initial_search=initial_search)
    body: JSON = {}
    if "title" in webset.spec:
        body["title"] = webset.spec["title"]
    body["metadata"] = _metadata(webset.spec, tags)
    return body


def webset_live_tags(
    webset: DesiredWebset,
    project: str,
    live: LiveObject | None,
    *,
    protect: bool,
    initial_search: str | None,
) -> dict[str, str]:
    """The reserved tags of an existing webset: project, initial search, protection, and the
    alias it goes by when its native externalId is not its declared one (it was moved)."""
    tags = {TAG_PROJECT: project}
    initial = live.metadata.get(TAG_INITIAL_SEARCH) if live is not None else None
    if initial_search is not None:
        tags[TAG_INITIAL_SEARCH] = initial_search
    elif isinstance(initial, str):
        tags[TAG_INITIAL_SEARCH] = initial
    if protect:
        tags[TAG_PREVENT_DESTROY] = "true"
    native = live.data.get("externalId") if live is not None else None
    if webset.pinned_id is None and isinstance(native, str) and native != webset.external_id:
        tags[TAG_ALIAS] = webset.external_id
    return tags


def webset_move_body(
    webset: DesiredWebset,
    project: str,
    live: LiveObject | None,
    *,
    protect: bool = False,
    initial_search: str | None = None,
) -> JSON:
    """POST /websets/{id} for a move: only the metadata, the live user keys kept as they are
    (a title or metadata change of the same plan is its own update)."""
    tags = webset_live_tags(webset, project, live, protect=protect, initial_search=initial_search)
    return {"metadata": _retagged(live, tags)}


def retag_body(resource: DesiredResource, project: str, live: LiveObject | None) -> JSON:
    """PATCH of a moved enrichment, monitor or webhook: its live metadata under its new name."""
    return {"metadata": _retagged(live, child_tags(resource, project))}


def _retagged(live: LiveObject | None, tags: Mapping[str, str]) -> dict[str, str]:
    current = live.metadata if live is not None else {}
    metadata = {k: v for k, v in current.items() if not str(k).startswith(RESERVED_PREFIX)}
    metadata.update(tags)
    return metadata


def search_body(search: DesiredResource, project: str) -> JSON:
    """POST /websets/{id}/searches: the declared definition, tagged.

    ``count`` is required here (unlike in the inline search), so its documented default is sent.
    """
    body = {"count": DEFAULT_SEARCH_COUNT, **_without_metadata(search.spec)}
    body["metadata"] = _metadata(search.spec, child_tags(search, project))
    return body


def enrichment_body(enrichment: DesiredResource, project: str) -> JSON:
    """POST /websets/{id}/enrichments (and each enrichment inline in a webset create)."""
    body = _without_metadata(enrichment.spec)
    body["metadata"] = _metadata(enrichment.spec, child_tags(enrichment, project))
    return body


def enrichment_update_body(enrichment: DesiredResource, project: str) -> JSON:
    """PATCH /websets/{id}/enrichments/{id}: declared updatable fields and full metadata."""
    return _update_body(enrichment, project, _ENRICHMENT_UPDATABLE)


def monitor_create_body(monitor: DesiredResource, project: str, webset_id: str) -> JSON:
    """POST /monitors: the monitor for ``webset_id``, tagged.

    The create body has no ``status`` (monitors start enabled): see ``monitor_after_create``.
    """
    body: JSON = {"websetId": webset_id}
    body.update(_without(monitor.spec, ("metadata", "status")))
    body["metadata"] = _metadata(monitor.spec, child_tags(monitor, project))
    return body


def monitor_after_create(monitor: DesiredResource) -> JSON | None:
    """The PATCH /monitors/{id} body to send right after the create, or None.

    A monitor declared ``enabled: false`` can only be created enabled and then disabled.
    """
    if monitor.spec.get("status") == "disabled":
        return {"status": "disabled"}
    return None


def monitor_update_body(monitor: DesiredResource, project: str) -> JSON:
    """PATCH /monitors/{id}: cadence, behavior, status and full metadata."""
    return _update_body(monitor, project, _MONITOR_UPDATABLE)


def webhook_body(webhook: DesiredResource, project: str) -> JSON:
    """POST /webhooks and PATCH /webhooks/{id} (the same fields: url, events, metadata)."""
    return _update_body(webhook, project, _WEBHOOK_FIELDS)


def _update_body(resource: DesiredResource, project: str, fields: tuple[str, ...]) -> JSON:
    body: JSON = {name: resource.spec[name] for name in fields if name in resource.spec}
    body["metadata"] = _metadata(resource.spec, child_tags(resource, project))
    return body


def _metadata(spec: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, str]:
    declared = spec.get("metadata")
    metadata = dict(declared) if isinstance(declared, Mapping) else {}
    metadata.update(tags)
    return metadata


def _without_metadata(spec: Mapping[str, Any]) -> JSON:
    return _without(spec, ("metadata",))


def _without(spec: Mapping[str, Any], names: tuple[str, ...]) -> JSON:
    return {name: value for name, value in spec.items() if name not in names}


# --- the builders named by the operations table (model/kinds.OPERATIONS) ------------------------


@dataclass(frozen=True)
class BodyInput:
    """What one request body is built from. ``webset_id`` is the parent's live id, or a
    placeholder the runner replaces once an earlier step has produced it."""

    desired: DesiredResource | DesiredWebset | None
    live: LiveObject | None
    project: str
    protect: bool = False
    webset_id: str = ""
    #: The webset's initial-search tag when a move renames its inline search.
    initial_search: str | None = None


def _webset(given: BodyInput) -> DesiredWebset:
    if not isinstance(given.desired, DesiredWebset):
        raise ApplyError("the plan carries no declared webset")
    return given.desired


def _resource(given: BodyInput) -> DesiredResource:
    if not isinstance(given.desired, DesiredResource):
        raise ApplyError("the plan carries no declared resource")
    return given.desired


BodyBuilder = Callable[[BodyInput], "JSON | None"]

#: Body builders by the name the operations table gives them. A builder raises ApplyError when
#: the plan lacks what it needs; one returning None means no request is needed.
BUILDERS: Mapping[str, BodyBuilder] = {
    "webset_create": lambda g: webset_create_body(_webset(g), g.project),
    "webset_update": lambda g: webset_update_body(
        _webset(g), g.project, g.live, protect=g.protect, initial_search=g.initial_search
    ),
    "webset_move": lambda g: webset_move_body(
        _webset(g), g.project, g.live, protect=g.protect, initial_search=g.initial_search
    ),
    "retag": lambda g: retag_body(_resource(g), g.project, g.live),
    "search": lambda g: search_body(_resource(g), g.project),
    "enrichment": lambda g: enrichment_body(_resource(g), g.project),
    "enrichment_update": lambda g: enrichment_update_body(_resource(g), g.project),
    "monitor_create": lambda g: monitor_create_body(_resource(g), g.project, g.webset_id),
    "monitor_update": lambda g: monitor_update_body(_resource(g), g.project),
    "monitor_after_create": lambda g: monitor_after_create(_resource(g)),
    "webhook": lambda g: webhook_body(_resource(g), g.project),
    "import_create": lambda g: import_create_body(_resource(g), g.project),
    "import_update": lambda g: import_update_body(_resource(g), g.project, g.live),
}
