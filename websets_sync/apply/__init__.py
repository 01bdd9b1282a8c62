"""Applying a plan: request bodies, concurrent execution, reconciliation of unknown outcomes,
per-address results and waiting. :func:`apply_plan` is the front door."""

from websets_sync.apply.runner import apply_plan

__all__ = ["apply_plan"]
