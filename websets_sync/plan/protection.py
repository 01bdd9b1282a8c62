"""preventDestroy: whether a webset is protected from deletion (DESIGN §4, issue 4).

The protection is declared in the manifest and, once applied, kept in two places: the reserved
``websets-sync/prevent-destroy`` tag on the live webset (so it survives a lost state file and
holds on every CI runner) and the state file (for websets tagged before the live tag existed).
Removing the flag from the manifest does not lift it; only an explicit ``preventDestroy: false``
does.
"""

from __future__ import annotations

from websets_sync.model import TAG_PREVENT_DESTROY, Address, DesiredWebset, LiveObject
from websets_sync.state.store import State

PROTECTED = "true"


def live_protected(live: LiveObject) -> bool:
    """True when the live webset carries the protection tag."""
    return live.metadata.get(TAG_PREVENT_DESTROY) == PROTECTED


def remembered(state: State, address: Address, live_id: str | None) -> bool:
    """True when the state file remembers protection for this address or this live id.

    By id too: a webset pinned by id is recorded under its manifest address, which a later plan
    that no longer declares it cannot know.
    """
    entry = state.get(str(address))
    if entry is not None and entry.prevent_destroy:
        return True
    return live_id is not None and live_id in _protected_ids(state)


#: (the last State asked about, its protected ids): a plan asks about one state per webset, and
#: a scan of every resource each time made plans quadratic. States are immutable (a change
#: makes a new one), so identity says whether the ids are still the ones.
_last_protected: tuple[State, frozenset[str]] | None = None


def _protected_ids(state: State) -> frozenset[str]:
    global _last_protected
    cached = _last_protected
    if cached is not None and cached[0] is state:
        return cached[1]
    ids = frozenset(r.id for r in state.resources.values() if r.prevent_destroy)
    _last_protected = (state, ids)
    return ids


def in_force(desired: DesiredWebset, live: LiveObject | None, state: State) -> bool:
    """The protection a declared webset should have: the manifest's when it says so, else
    whatever is already in force (live tag or state file)."""
    if desired.prevent_destroy is not None:
        return desired.prevent_destroy
    if live is not None and live_protected(live):
        return True
    return remembered(state, desired.address, live.id if live is not None else None)


def protected_live(live: LiveObject, address: Address, state: State) -> str | None:
    """Where an undeclared live webset's protection comes from, or None when unprotected."""
    if live_protected(live):
        return f"tagged {TAG_PREVENT_DESTROY} on the live webset"
    if remembered(state, address, live.id):
        return "remembered in the state file"
    return None
