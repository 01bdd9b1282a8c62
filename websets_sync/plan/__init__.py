"""Planning: desired + live + state file → an immutable :class:`Plan` (DESIGN §5).
:func:`build_plan` is the front door; :mod:`.contract` is the plan's JSON form."""

from websets_sync.plan.builder import build_plan
from websets_sync.plan.types import Action, Change, FieldChange, Plan, PlanOptions, Skipped

__all__ = ["Action", "Change", "FieldChange", "Plan", "PlanOptions", "Skipped", "build_plan"]
