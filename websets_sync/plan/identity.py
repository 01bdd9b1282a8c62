"""Which live object is which declared address, and who owns it (DESIGN §3).

Websets are found by their native externalId (or a pinned id); searches, enrichments, monitors
and webhooks by their ``websets-sync/external-id`` tag, and only when their project tag is ours.
The inline first search of a webset cannot carry tags: the webset's ``initial-search`` tag says
which declared search it was, and it is always the webset's oldest search.

When the tags no longer identify an object (a dashboard metadata edit replaced them), the id the
state file remembers for the address still does: that object is the declared one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from websets_sync.model import (
    TAG_ALIAS,
    TAG_EXTERNAL_ID,
    TAG_INITIAL_SEARCH,
    DesiredResource,
    DesiredWebset,
    Kind,
    LiveObject,
    LiveState,
    LiveWebset,
)
from websets_sync.plan.diff import diff_fields


def managed_by_tag(objects: Iterable[LiveObject], project: str) -> dict[str, list[LiveObject]]:
    """Managed objects grouped by their externalId tag, oldest first within a group."""
    groups: dict[str, list[LiveObject]] = {}
    for obj in objects:
        ext = obj.tagged_external_id
        if obj.project == project and ext is not None:
            groups.setdefault(ext, []).append(obj)
    return groups


def find_live_webset(
    desired: DesiredWebset, live: LiveState, project: str | None = None
) -> LiveWebset | None:
    """The live webset a declared one refers to: by pinned id when pinned, else by the alias a
    move gave one of ``project``'s websets, else by externalId."""
    if desired.pinned_id is not None:
        return _indexed(live, project).by_id.get(desired.pinned_id)
    return live_webset_named(desired.external_id, live, project)


def live_webset_named(name: str, live: LiveState, project: str | None) -> LiveWebset | None:
    """The live webset a manifest externalId names: the one of ``project`` that a move aliased
    to it (its native externalId stays what it was), else the one with that externalId."""
    index = _indexed(live, project)
    return index.by_alias.get(name) or index.by_external_id.get(name)


class LiveWebsets:
    """The live websets by id, by externalId and by ``project``'s move aliases (the first listed
    wins, oldest first), so a plan finds each declared webset in O(1), not by a scan."""

    def __init__(self, live: LiveState, project: str | None) -> None:
        self.by_id: dict[str, LiveWebset] = {}
        self.by_external_id: dict[str, LiveWebset] = {}
        self.by_alias: dict[str, LiveWebset] = {}
        for candidate in live.websets:
            self.by_id.setdefault(candidate.id, candidate)
            if candidate.external_id is not None:
                self.by_external_id.setdefault(candidate.external_id, candidate)
            alias = webset_alias(candidate, project) if project is not None else None
            if alias is not None:
                self.by_alias.setdefault(alias, candidate)


#: The index of the last live state asked about (a plan asks once per declared webset); live
#: states are immutable, so identity says whether it still holds.
_last_index: tuple[LiveState, str | None, LiveWebsets] | None = None


def _indexed(live: LiveState, project: str | None) -> LiveWebsets:
    global _last_index
    cached = _last_index
    if cached is not None and cached[0] is live and cached[1] == project:
        return cached[2]
    index = LiveWebsets(live, project)
    _last_index = (live, project, index)
    return index


def webset_alias(live: LiveWebset, project: str) -> str | None:
    """The name a move gave one of ``project``'s websets (DESIGN §11), if any."""
    alias = live.webset.metadata.get(TAG_ALIAS)
    return alias if isinstance(alias, str) and live.webset.project == project else None


def webset_name(live: LiveWebset, project: str | None = None) -> str:
    """The address name of an undeclared live webset: its alias, its externalId, else its id."""
    alias = webset_alias(live, project) if project is not None else None
    return alias or live.external_id or live.id


def item_count(live: LiveWebset) -> int:
    """Items in the webset, estimated from what its searches found (the listing has no count)."""
    total = 0
    for search in live.searches:
        progress = search.data.get("progress")
        found = progress.get("found") if isinstance(progress, Mapping) else None
        if isinstance(found, (int, float)):
            total += int(found)
    return total


def inline_search(live: LiveWebset, project: str) -> tuple[str, LiveObject] | None:
    """(declared externalId, live search) of the search sent inline when the webset was made."""
    if live.webset.project != project or not live.searches:
        return None
    ext = live.webset.metadata.get(TAG_INITIAL_SEARCH)
    oldest = live.searches[0]
    if isinstance(ext, str) and TAG_EXTERNAL_ID not in oldest.metadata:
        return ext, oldest
    return None


def remembered_object(
    objects: Iterable[LiveObject] | Mapping[str, LiveObject],
    remembered_id: str | None,
    project: str,
) -> LiveObject | None:
    """The live object whose id the state file remembers for an address, when it lost its tags.

    ``objects`` may be a mapping by id (a look-up instead of a scan, for long lists such as the
    webhooks). One still tagged (for another address) or owned by another project is not taken.
    """
    if remembered_id is None:
        return None
    obj: LiveObject | None
    if isinstance(objects, Mapping):
        obj = objects.get(remembered_id)
    else:
        obj = next((o for o in objects if o.id == remembered_id), None)
    if obj is None:
        return None
    untagged = obj.tagged_external_id is None and obj.project in (None, project)
    return obj if untagged else None


def pick_tagged(
    matches: Sequence[LiveObject], remembered_id: str | None
) -> tuple[LiveObject, list[LiveObject]]:
    """(the object, the extras) among live objects carrying the same tag: the one the state
    file remembers, else the newest. Extras are reported, never deleted by guesswork."""
    chosen = next((obj for obj in matches if obj.id == remembered_id), matches[-1])
    return chosen, [obj for obj in matches if obj is not chosen]


def current_search(
    search: DesiredResource,
    live: LiveWebset,
    project: str,
    remembered_id: str | None = None,
    origin: str | None = None,
    declared: Collection[str] = (),
) -> tuple[LiveObject | None, Mapping[str, Any]]:
    """The live search that currently stands for a declared one, and the spec to compare it with.

    The newest tagged search wins; else the untagged search whose id the state file remembers
    for it; else the inline search when the webset names this one as its initial search.
    The real API may keep no search metadata at all (API-NOTES §9 R12), so after a definition
    change the state file is what tells the new run from the inline one it replaced.
    ``origin``: the name a ``moved`` block says the search had (its tags may still say so).
    Where the API keeps search tags, a moved search keeps its old one (searches cannot be
    updated): the state file's id then finds it, unless another ``declared`` search has that name.
    """
    names = {search.address.name} | ({origin} if origin is not None else set())
    groups = managed_by_tag(live.searches, project)
    tagged = groups.get(search.address.name) or (groups.get(origin) if origin else None)
    if tagged:
        return tagged[-1], search.spec
    inline = inline_search(live, project)
    found = remembered_object(live.searches, remembered_id, project) or next(
        (
            obj
            for obj in live.searches
            if obj.id == remembered_id
            and obj.project == project
            and obj.tagged_external_id not in (None, *declared)
        ),
        None,
    )
    if found is not None and (inline is None or found is not inline[1] or inline[0] in names):
        return found, comparable_search_spec(search, found, live)
    if inline is not None and inline[0] in names:
        return inline[1], comparable_search_spec(search, inline[1], live)
    return None, search.spec


def comparable_search_spec(
    search: DesiredResource, candidate: LiveObject, live: LiveWebset
) -> Mapping[str, Any]:
    """The declared spec to compare a live search with: without ``behavior`` for the oldest
    search when untagged, as that is the inline one and the inline body cannot carry it."""
    oldest = live.searches[0] if live.searches else None
    if candidate is oldest and TAG_EXTERNAL_ID not in candidate.metadata:
        return {k: v for k, v in search.spec.items() if k != "behavior"}
    return search.spec


def untagged_equal_search(
    search: DesiredResource, live: LiveWebset, project: str
) -> LiveObject | None:
    """An untagged live search (e.g. made in the dashboard) that already runs this definition."""
    inline = inline_search(live, project)
    for candidate in live.searches:
        if TAG_EXTERNAL_ID in candidate.metadata:
            continue
        if inline is not None and candidate is inline[1]:
            continue
        spec = comparable_search_spec(search, candidate, live)
        if not diff_fields(Kind.SEARCH, spec, candidate.data):
            return candidate
    return None
