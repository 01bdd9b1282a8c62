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
    ApiError,
    ApplyError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    UnknownOutcomeError,
    WebsetsSyncError,
)
from websets_sync.model import TAG_APPLY_NONCE, TAG_EXTERNAL_ID, TAG_PROJECT
from websets_sync.model.kinds import same_definition
from websets_sync.model.operations import Lookup

JSON = dict[str, Any]

#: Create attempts per resource when each one ends with an unknown outcome and nothing is found.
MAX_CREATE_ATTEMPTS = 5
#: Reads per reconciliation when the read itself fails.
MAX_FIND_ATTEMPTS = 3


def create_once(create: Callable[[], JSON], find: Callable[[], JSON | None]) -> tuple[JSON, bool]:
    """Run ``create`` so that it takes effect exactly once.

    Returns the created object and whether it was found by reconciliation (its create response
    was lost). A 409 means a webset with our externalId exists: ``find`` decides whether it is
    ours. Once an attempt may have taken effect, a later failure (a 429 or a transport error
    after every retry) is never reported as "not created" without looking: the object is
    searched for first, and only a failure to find it is a failure.
    """
    maybe_created: WebsetsSyncError | None = None
    for _ in range(MAX_CREATE_ATTEMPTS):
        try:
            return create(), False
        except UnknownOutcomeError as exc:
            maybe_created = exc
        except ConflictError:
            found = find()
            if found is None:
                raise
            return found, True
        except (RateLimitedError, TransportError) as exc:
            if maybe_created is None:
                raise  # nothing was ever sent through: provably not created
            maybe_created = exc
        found = _find_patiently(find)
        if found is not None:
            return found, True
    assert maybe_created is not None
    raise ApplyError(
        f"{maybe_created.message}: outcome unknown after {MAX_CREATE_ATTEMPTS} attempts and "
        "nothing was created (looked for it after each)"
    )


def _find_patiently(find: Callable[[], JSON | None]) -> JSON | None:
    """``find``, tried again when the read itself fails: a failed read proves nothing."""
    last: WebsetsSyncError | None = None
    for _ in range(MAX_FIND_ATTEMPTS):
        try:
            return find()
        except (ApiError, TransportError) as exc:
            if isinstance(exc, (ConflictError, NotFoundError)):
                raise
            last = exc
    assert last is not None
    raise ApplyError(
        f"the create may have taken effect, but checking failed: {last.message}",
        detail="Run plan to see whether it exists; apply again creates it only if it does not.",
    )


def find_webset(
    client: WebsetsClient, external_id: str, project: str, nonce: str | None = None
) -> JSON | None:
    """The webset with ``external_id`` if this apply created it; an error if anyone else did.

    It did not exist when the plan was made, so only this apply's nonce proves it is our own
    create whose answer was lost: a 409 alone could be a concurrent writer's webset.
    """
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
    if nonce is not None and _tags(webset).get(TAG_APPLY_NONCE) != nonce:
        raise ApplyError(
            f"webset {external_id!r} was created by another apply of project {project!r} "
            "while this one ran; not creating its searches, enrichments or monitors again",
            detail="Run plan again once the other apply has finished.",
        )
    return webset


def find_lost(
    client: WebsetsClient,
    spec: Reconcile,
    webset_id: str | None,
    body: JSON | None,
    project: str,
    known_ids: frozenset[str],
    nonce: str | None = None,
) -> JSON | None:
    """The object a create whose answer was lost made, looked for as ``spec`` says; with
    ``nonce``, only an object carrying it (this apply's own create, not a concurrent one)."""
    if spec.lookup is Lookup.EXTERNAL_ID:
        return find_webset(client, spec.name, project, nonce)
    if spec.lookup is Lookup.CHILD_TAG and webset_id is not None:
        return find_child(client, spec, webset_id, project, body or {}, known_ids, nonce)
    listed = client.iter_list(spec.listed_at) if spec.listed_at else ()
    return next(iter(_ours(listed, spec.name, project, known_ids, nonce=nonce)), None)


def find_child(
    client: WebsetsClient,
    spec: Reconcile,
    webset_id: str,
    project: str,
    body: JSON,
    known_ids: frozenset[str],
    nonce: str | None = None,
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
            for child in _ours(children, spec.name, project, known_ids, untagged=True, nonce=nonce)
            if same_definition(spec.definition_of, body, child)
        ]
    else:
        candidates = _ours(children, spec.name, project, known_ids, nonce=nonce)
    return candidates[-1] if candidates else None


def _ours(
    objects: Iterable[Any],
    name: str,
    project: str,
    known_ids: frozenset[str],
    *,
    untagged: bool = False,
    nonce: str | None = None,
) -> list[JSON]:
    """New objects tagged ``name`` of ``project`` (or, with ``untagged``, carrying no tags).

    With ``nonce``, a tagged object must carry it: one made by another apply is not ours.
    """
    wanted = {(project, name)} | ({(None, None)} if untagged else set())
    return [
        obj
        for obj in objects
        if isinstance(obj, dict)
        and obj.get("id") not in known_ids
        and (_tags(obj).get(TAG_PROJECT), _tags(obj).get(TAG_EXTERNAL_ID)) in wanted
        and (nonce is None or not _tags(obj) or _tags(obj).get(TAG_APPLY_NONCE) == nonce)
    ]


def _tags(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}
