"""preventDestroy: where protection comes from, and what lifts it (websets_sync/protection.py)."""

from __future__ import annotations

import pytest

from websets_sync.model import (
    TAG_PREVENT_DESTROY,
    TAG_PROJECT,
    Address,
    DesiredWebset,
    Kind,
    LiveObject,
)
from websets_sync.plan.protection import in_force, protected_live, remembered
from websets_sync.state.store import ResourceState, State

ADDRESS = Address.for_webset("leads")


def live(tagged: bool, ident: str = "webset_1") -> LiveObject:
    metadata = {TAG_PROJECT: "growth"}
    if tagged:
        metadata[TAG_PREVENT_DESTROY] = "true"
    return LiveObject(Kind.WEBSET, ident, {"id": ident, "metadata": metadata})


def state(**entries: ResourceState) -> State:
    return State(project="growth", resources={k.replace("_", "/"): v for k, v in entries.items()})


@pytest.mark.parametrize(
    ("declared", "tagged", "remembered_", "expected"),
    [
        (True, False, False, True),  # the manifest says so
        (False, True, True, False),  # only an explicit false lifts it
        (None, True, False, True),  # silent manifest: the live tag keeps it
        (None, False, True, True),  # silent manifest: the state file keeps it
        (None, False, False, False),
    ],
)
def test_manifest_wins_when_it_speaks_else_what_is_in_force(
    declared: bool | None, tagged: bool, remembered_: bool, expected: bool
) -> None:
    desired = DesiredWebset(ADDRESS, {}, prevent_destroy=declared)
    entry = ResourceState(id="webset_1", prevent_destroy=remembered_)
    assert in_force(desired, live(tagged), state(webset_leads=entry)) is expected


def test_a_webset_pinned_by_id_is_remembered_by_its_live_id() -> None:
    # Recorded under its manifest address; a later plan that no longer declares it only knows
    # the live webset, whose externalId differs (or is absent).
    recorded = state(webset_dashboard=ResourceState(id="webset_9", prevent_destroy=True))
    assert remembered(recorded, Address.for_webset("webset_9"), "webset_9")
    assert not remembered(recorded, Address.for_webset("webset_8"), "webset_8")


def test_protected_live_says_where_the_protection_comes_from() -> None:
    empty = State(project="growth")
    assert protected_live(live(True), ADDRESS, empty) == (
        f"tagged {TAG_PREVENT_DESTROY} on the live webset"
    )
    entry = ResourceState(id="webset_1", prevent_destroy=True)
    assert protected_live(live(False), ADDRESS, state(webset_leads=entry)) == (
        "remembered in the state file"
    )
    assert protected_live(live(False), ADDRESS, empty) is None
