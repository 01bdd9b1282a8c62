"""The JSON view of a plan: it dumps the contract of :mod:`websets_sync.plan.contract` unchanged."""

from __future__ import annotations

import json

from websets_sync.plan.contract import plan_to_dict
from websets_sync.plan.types import Plan


def render_plan_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False)
