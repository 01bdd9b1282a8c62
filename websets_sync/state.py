"""The local state file (DESIGN §7): ids, webhook secrets, remembered preventDestroy.

Live metadata is the source of identity; the state file only keeps what the API cannot tell us
again (webhook secrets) and what must outlive a manifest edit (preventDestroy).

CONTRACT (implemented by the state/apply work): ``load_state``, ``StateStore`` (lock, atomic
save with backup, 0600/0700). The value types below are what the planner reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

STATE_VERSION = 1


@dataclass(frozen=True)
class ResourceState:
    """What the state file remembers of one address.

    ``secret`` is a webhook's signing secret; ``secret_unknown`` marks a webhook whose create
    response was lost, so its secret can never be known (plan suggests ``--replace``).
    """

    id: str
    secret: str | None = field(default=None, repr=False)
    secret_unknown: bool = False
    prevent_destroy: bool = False


@dataclass(frozen=True)
class State:
    version: int = STATE_VERSION
    serial: int = 0
    lineage: str = ""
    project: str | None = None
    resources: Mapping[str, ResourceState] = field(default_factory=dict)  # by str(Address)

    def get(self, address: str) -> ResourceState | None:
        return self.resources.get(address)
