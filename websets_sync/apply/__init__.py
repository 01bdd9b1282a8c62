"""Applying a plan: the plan as request steps (:func:`.steps.plan_steps`, pure), request bodies,
concurrent execution of the steps, reconciliation of unknown outcomes, per-address results and
waiting. :func:`apply_plan` is the front door."""

from websets_sync.apply.runner import apply_plan

__all__ = ["apply_plan"]
