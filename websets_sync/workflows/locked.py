"""The apply use case under the state lock and the project lease (DESIGN §7, §9)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from websets_sync.apply.result import ApplyResult, ChangeResult
from websets_sync.apply.runner import DEFAULT_PARALLELISM, apply_plan
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import StalePlanError
from websets_sync.fetch import fetch_live_state
from websets_sync.model import DesiredState
from websets_sync.model.pricing import BUILTIN_PRICING, Pricing
from websets_sync.plan import Plan, PlanOptions, build_plan
from websets_sync.plan.contract import plan_to_dict
from websets_sync.plan.cost import check_budget
from websets_sync.plan.imports import needs_imports
from websets_sync.plan.saved import SavedPlan, check_saved_plan
from websets_sync.state.binding import check_state_target, live_ids
from websets_sync.state.lease import ProjectLease
from websets_sync.state.store import StateStore


class ApplyHooks(Protocol):
    """What a person sees and answers during an apply (the CLI prints; tests record)."""

    def warn(self, message: str) -> None: ...

    def show_plan(self, plan: Plan) -> None: ...

    def confirm(self, plan: Plan) -> bool: ...

    def starting(self, plan: Plan) -> None: ...

    def on_result(self, result: ChangeResult) -> None: ...


@dataclass(frozen=True)
class ApplySettings:
    parallelism: int = DEFAULT_PARALLELISM
    fail_fast: bool = False
    auto_approve: bool = False
    #: Seconds to wait for another apply's project lease (0: fail at once, naming the holder).
    lock_timeout: float = 0.0
    pricing: Pricing = BUILTIN_PRICING
    #: ``--max-usd``: the most the plan may start now (the manifests' budget applies as well).
    max_usd: float | None = None


@dataclass(frozen=True)
class ApplyOutcome:
    """The plan that was shown and what became of it (``result`` is None when cancelled)."""

    plan: Plan
    result: ApplyResult | None

    @property
    def cancelled(self) -> bool:
        return self.result is None


def apply_locked(
    desired: DesiredState,
    client: WebsetsClient,
    state_path: Path,
    options: PlanOptions,
    saved: SavedPlan | None,
    hooks: ApplyHooks,
    settings: ApplySettings,
) -> ApplyOutcome:
    # The lock is held from before the state is read until the last change is recorded; the
    # project lease (DESIGN §9) covers other state files of the same project and account.
    with StateStore(state_path, desired.project, api_url=client.api_url) as store:
        if store.lock.took_over is not None:
            hooks.warn(
                f"took over the state lock left by {store.lock.took_over.describe()}: "
                "that process is no longer running"
            )
        for notice in store.notices:
            hooks.warn(notice)
        reads_imports = needs_imports(desired, store.state)
        live = fetch_live_state(client, imports=reads_imports)
        check_state_target(store.state, state_path, client.api_url, live_ids(live))
        store.bind()
        plan = build_plan(desired, live, store.state, options, settings.pricing)
        if saved is not None:
            check_saved_plan(saved, plan)
        hooks.show_plan(plan)
        # Over budget, nothing is sent: the reads above are the only requests.
        check_budget(plan, desired.budget, settings.max_usd)
        if plan.has_changes and not settings.auto_approve and not hooks.confirm(plan):
            return ApplyOutcome(plan, None)
        if not plan.has_changes:  # nothing to change: no lease, only the state kept current
            return ApplyOutcome(plan, _execute(plan, client, store, hooks, settings))
        with ProjectLease(
            client, desired.project, timeout=settings.lock_timeout, on_warning=hooks.warn
        ):
            # Under the lease nobody else changes the project: the plan shown must still hold.
            again = fetch_live_state(client, imports=reads_imports)
            now = build_plan(desired, again, store.state, options, plan.pricing)
            if now.has_changes and plan_to_dict(now)["changes"] != plan_to_dict(plan)["changes"]:
                if saved is not None or not settings.auto_approve:
                    raise StalePlanError(
                        "the account changed while this apply waited (another apply of project "
                        f"{desired.project!r}?); nothing was changed",
                        detail="Run apply again to plan from the account as it is now.",
                    )
                # Auto-approved: what a re-run would do, shown and checked like the first plan.
                hooks.warn("the account changed while this apply waited; applying the new plan")
                hooks.show_plan(now)
                check_budget(now, desired.budget, settings.max_usd)
            return ApplyOutcome(now, _execute(now, client, store, hooks, settings))


def _execute(
    plan: Plan, client: WebsetsClient, store: StateStore, hooks: ApplyHooks, s: ApplySettings
) -> ApplyResult:
    hooks.starting(plan)
    return apply_plan(
        plan,
        client,
        store,
        parallelism=s.parallelism,
        fail_fast=s.fail_fast,
        on_result=hooks.on_result,
    )
