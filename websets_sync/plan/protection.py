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
    return live_id is not None and any(
        r.prevent_destroy and r.id == live_id for r in state.resources.values()
    )


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
