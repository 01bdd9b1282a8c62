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
from websets_sync.model import TAG_APPLY_NONCE, TAG_EXTERNAL_ID, TAG_PROJECT, Kind

JSON = dict[str, Any]

#: Create attempts per resource when each one ends with an unknown outcome and nothing is found.
MAX_CREATE_ATTEMPTS = 5
#: Reads per reconciliation when the read itself fails.
MAX_FIND_ATTEMPTS = 3

_CHILD_LISTS: Mapping[Kind, str] = {
    Kind.SEARCH: "searches",
    Kind.ENRICHMENT: "enrichments",
    Kind.MONITOR: "monitors",
}


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


def find_child(
    client: WebsetsClient,
    kind: Kind,
    webset_id: str,
    name: str,
    project: str,
    body: JSON,
    known_ids: frozenset[str],
    nonce: str | None = None,
) -> JSON | None:
    """The search, enrichment or monitor tagged ``name`` that was not there before this apply.

    A search is a job that may have run several times under one name, so it must also have the
    definition we sent.
    """
    webset = client.get_webset(webset_id)
    children = webset.get(_CHILD_LISTS[kind])
    if not isinstance(children, list):
        # Not every server embeds monitors in the webset; list them for this webset instead.
        children = list(client.iter_monitors(webset_id)) if kind is Kind.MONITOR else []
    candidates = [
        child
        for child in _ours(children, name, project, known_ids, nonce)
        if kind is not Kind.SEARCH or same_search_definition(body, child)
    ]
    return candidates[-1] if candidates else None


def find_webhook(
    client: WebsetsClient,
    name: str,
    project: str,
    known_ids: frozenset[str],
    nonce: str | None = None,
) -> JSON | None:
    return next(iter(_ours(client.iter_webhooks(), name, project, known_ids, nonce)), None)


def same_search_definition(body: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether the live search is the one ``body`` asked for.

    Only the fields the API echoes verbatim are compared (query, count, criteria descriptions,
    entity type): a false "not found" here would send a second, paid search.
    """
    if live.get("query") != body.get("query"):
        return False
    if "count" in body and live.get("count") != body["count"]:
        return False
    if "criteria" in body and _descriptions(live.get("criteria")) != _descriptions(
        body["criteria"]
    ):
        return False
    wanted, have = body.get("entity"), live.get("entity")
    if isinstance(wanted, Mapping) and isinstance(have, Mapping):
        return bool(have.get("type") == wanted.get("type"))
    return True


def _descriptions(criteria: Any) -> list[Any]:
    if not isinstance(criteria, list):
        return []
    return [c.get("description") if isinstance(c, Mapping) else c for c in criteria]


def _ours(
    objects: Iterable[Any],
    name: str,
    project: str,
    known_ids: frozenset[str],
    nonce: str | None,
) -> list[JSON]:
    """Objects created by this apply (its nonce) under ``name`` that were not there before."""
    return [
        obj
        for obj in objects
        if isinstance(obj, dict)
        and obj.get("id") not in known_ids
        and _tags(obj).get(TAG_PROJECT) == project
        and _tags(obj).get(TAG_EXTERNAL_ID) == name
        and (nonce is None or _tags(obj).get(TAG_APPLY_NONCE) == nonce)
    ]


def _tags(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}
