"""The local state file (DESIGN §7) and its lock. :class:`StateStore` is the front door."""

from websets_sync.state.store import State, StateStore, load_state

__all__ = ["State", "StateStore", "load_state"]
