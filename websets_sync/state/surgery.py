"""Moving and removing state-file entries (``moved`` blocks, ``state mv``, ``state rm``).

Pure functions over the resources map; ``StateStore.move`` and the ``state mv|rm`` commands
save their result under the state lock (with the usual backup of the previous file). An entry
moves whole: its id, a webhook's secret and a webset's preventDestroy follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from websets_sync.errors import StateError
from websets_sync.state.store import ResourceState, State, StateStore, load_state

Resources = Mapping[str, ResourceState]


def below(address: str) -> str:
    return address + "/"


def moved_keys(resources: Resources, source: str, target: str, *, children: bool) -> list[str]:
    """The keys that move from ``source`` to ``target`` (a webset's children with it)."""
    return [
        key for key in resources if key == source or (children and key.startswith(below(source)))
    ]


def moved_resources(
    resources: Resources, source: str, target: str, *, children: bool
) -> dict[str, ResourceState]:
    """``resources`` with ``source`` (and with ``children``, every address below it) renamed to
    ``target``. Entries already at a target address are replaced by the moved ones."""
    result = dict(resources)
    for key in moved_keys(resources, source, target, children=children):
        entry = result.pop(key)
        result[target + key[len(source) :]] = entry
    return result


def removed_resources(
    resources: Resources, address: str, *, children: bool
) -> dict[str, ResourceState]:
    return {
        key: entry
        for key, entry in resources.items()
        if key != address and not (children and key.startswith(below(address)))
    }


def move_in_state(state: State, source: str, target: str, *, children: bool) -> State:
    """The state as the planner sees it once a ``moved`` block's entry has followed it (a target
    already present wins: the move has been applied)."""
    if target in state.resources or source not in state.resources:
        return state
    return replace(
        state, resources=moved_resources(state.resources, source, target, children=children)
    )


def store_move(store: StateStore, source: str, target: str, *, children: bool) -> bool:
    """Move an entry in an open store and save; False when there was nothing to move."""
    moved: list[str] = []

    def change(resources: Resources) -> dict[str, ResourceState]:
        moved.extend(moved_keys(resources, source, target, children=children))
        return moved_resources(resources, source, target, children=children)

    store.rewrite(change)
    return bool(moved)


def surgery_move(store: StateStore, source: str, target: str, *, children: bool) -> list[str]:
    """``state mv``: refuse a missing source or an existing target; the keys that moved."""
    resources = store.state.resources
    if source not in resources:
        raise StateError(f"{source} is not in the state file {store.path}")
    taken = [
        key for key in resources if key == target or (children and key.startswith(below(target)))
    ]
    if taken:
        raise StateError(
            f"{target} is already in the state file {store.path}",
            detail=f"Remove it first (`state rm {target}`) if it is stale.",
        )
    keys = moved_keys(resources, source, target, children=children)
    store.rewrite(lambda current: moved_resources(current, source, target, children=children))
    return keys


def surgery_remove(store: StateStore, address: str, *, children: bool) -> list[str]:
    """``state rm``: forget an address (a webset's children with it); the keys removed."""
    resources = store.state.resources
    if address not in resources:
        raise StateError(f"{address} is not in the state file {store.path}")
    kept = removed_resources(resources, address, children=children)
    store.rewrite(lambda current: removed_resources(current, address, children=children))
    return sorted(set(resources) - set(kept))


def _open_store(path: Path) -> StateStore:
    if not path.exists():
        raise StateError(
            f"no state file at {path}",
            detail="apply writes it; pass --state PATH if yours is elsewhere.",
        )
    project = load_state(path).project
    if project is None:
        raise StateError(f"state file {path} names no project")
    return StateStore(path, project)


def move_entry(path: Path, source: str, target: str, *, children: bool) -> list[str]:
    """``state mv`` on the file at ``path``: under its lock, the previous file kept as backup."""
    with _open_store(path) as store:
        return surgery_move(store, source, target, children=children)


def remove_entry(path: Path, address: str, *, children: bool) -> list[str]:
    """``state rm`` on the file at ``path``: under its lock, the previous file kept as backup."""
    with _open_store(path) as store:
        return surgery_remove(store, address, children=children)
