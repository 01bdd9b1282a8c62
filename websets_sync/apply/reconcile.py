"""Creates whose outcome is unknown: find out from live state before trying again.

A create that timed out, lost its connection or got a 5xx may have happened. Sending it again
blindly could make a second search (paid), enrichment, monitor or webhook for one declared
resource. So each such create is followed by a read that looks for the object by its identity —
the webset's externalId, or the ``websets-sync/…`` tags of a child or webhook — and only when
nothing is found is the create sent again (a bounded number of times).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from websets_sync.apply.step_types import Reconcile
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import (
    ApplyError,
    ConflictError,
    NotFoundError,
    UnknownOutcomeError,
)
from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT
from websets_sync.model.kinds import same_definition
from websets_sync.model.operations import Lookup

JSON = dict[str, Any]

#: Create attempts per resource when each one ends with an unknown outcome and nothing is found.
MAX_CREATE_ATTEMPTS = 5


def create_once(create: Callable[[], JSON], find: Callable[[], JSON | None]) -> tuple[JSON, bool]:
    """Run ``create`` so that it takes effect exactly once.

    Returns the created object and whether it was found by reconciliation (its create response
    was lost). A 409 means our create already happened (a webset with our externalId): found
    the same way. Raises the last error when every attempt stayed unknown and nothing was found.
    """
    last: UnknownOutcomeError | None = None
    for _ in range(MAX_CREATE_ATTEMPTS):
        try:
            return create(), False
        except UnknownOutcomeError as exc:
            last = exc
        except ConflictError:
            found = find()
            if found is None:
                raise
            return found, True
        found = find()
        if found is not None:
            return found, True
    assert last is not None
    raise ApplyError(
        f"{last.method} {last.path}: outcome unknown after {MAX_CREATE_ATTEMPTS} attempts "
        f"and nothing was created ({last.message})"
    )


def find_webset(client: WebsetsClient, external_id: str, project: str) -> JSON | None:
    """The webset with ``external_id`` if it is ours; an error if someone else's holds it."""
    try:
        webset = client.get_webset(external_id)
    except NotFoundError:
        return None
    owner = _tags(webset).get(TAG_PROJECT)
    if owner != project:
        raise ApplyError(
            f"a webset with externalId {external_id!r} exists but is not managed by project "
            f"{project!r} (project tag: {owner!r})",
            detail="It appeared after the plan was made; plan again to adopt or rename it.",
        )
    return webset


def find_lost(
    client: WebsetsClient,
    spec: Reconcile,
    webset_id: str | None,
    body: JSON | None,
    project: str,
    known_ids: frozenset[str],
) -> JSON | None:
    """The object a create whose answer was lost made, looked for as ``spec`` says."""
    if spec.lookup is Lookup.EXTERNAL_ID:
        return find_webset(client, spec.name, project)
    if spec.lookup is Lookup.CHILD_TAG and webset_id is not None:
        return find_child(client, spec, webset_id, project, body or {}, known_ids)
    listed = client.iter_list(spec.listed_at) if spec.listed_at else ()
    return next(iter(_ours(listed, spec.name, project, known_ids)), None)


def find_child(
    client: WebsetsClient,
    spec: Reconcile,
    webset_id: str,
    project: str,
    body: JSON,
    known_ids: frozenset[str],
) -> JSON | None:
    """The child tagged ``spec.name`` that was not there before this apply.

    A search is a job that may have run several times under one name, so it must also have the
    definition we sent (``spec.definition_of``). The real API may keep no search metadata
    (API-NOTES §9 R12): a new untagged search with that definition is ours too.
    """
    webset = client.get_webset(webset_id)
    children = webset.get(spec.parent_list or "")
    if not isinstance(children, list):
        # Not every server embeds monitors in the webset; list them for this webset instead.
        listed = client.iter_list(spec.listed_at, websetId=webset_id) if spec.listed_at else ()
        children = list(listed)
    if spec.definition_of is not None:
        candidates = [
            child
            for child in _ours(children, spec.name, project, known_ids, untagged=True)
            if same_definition(spec.definition_of, body, child)
        ]
    else:
        candidates = _ours(children, spec.name, project, known_ids)
    return candidates[-1] if candidates else None


def _ours(
    objects: Iterable[Any],
    name: str,
    project: str,
    known_ids: frozenset[str],
    *,
    untagged: bool = False,
) -> list[JSON]:
    """New objects tagged ``name`` of ``project`` (or, with ``untagged``, carrying no tags)."""
    wanted = {(project, name)} | ({(None, None)} if untagged else set())
    return [
        obj
        for obj in objects
        if isinstance(obj, dict)
        and obj.get("id") not in known_ids
        and (_tags(obj).get(TAG_PROJECT), _tags(obj).get(TAG_EXTERNAL_ID)) in wanted
    ]


def _tags(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}
