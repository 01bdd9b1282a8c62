"""The use cases of websets-sync, without click: plan, apply (fresh or saved), wait, export.

Each function takes already-built collaborators (a client, the state file's path, the process
environment as a mapping) and callbacks for what a person sees or answers, so the CLI only parses
flags, calls one of these and turns errors into exit codes — and tests can drive a whole use case
without a command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from websets_sync.apply.result import ApplyResult, Outcome, TouchedWebset
from websets_sync.apply.wait import DEFAULT_POLL_INTERVAL, WebsetProgress, wait_until_idle
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import ApplyError, NotFoundError, Problem, StalePlanError, WebsetsSyncError
from websets_sync.export import ExportResult, export_state, infer_project, remembered_names
from websets_sync.fetch import fetch_live_state, live_webset
from websets_sync.manifest import load_desired_state
from websets_sync.manifest.pricing import load_pricing
from websets_sync.model import DesiredState, LiveState
from websets_sync.model.pricing import BUILTIN_PRICING, Pricing
from websets_sync.plan import Plan, PlanOptions, build_plan
from websets_sync.plan.imports import needs_imports
from websets_sync.plan.saved import SavedPlan, plan_of, read_saved_plan
from websets_sync.state.store import load_state
from websets_sync.workflows.locked import ApplyHooks as ApplyHooks
from websets_sync.workflows.locked import ApplyOutcome as ApplyOutcome
from websets_sync.workflows.locked import ApplySettings as ApplySettings
from websets_sync.workflows.locked import apply_locked as _apply_locked

Environ = Mapping[str, str]


def load_manifests(paths: Sequence[Path], environ: Environ) -> tuple[DesiredState, list[Problem]]:
    """The desired state of ``paths``, interpolated from ``environ``, and the warnings found."""
    return load_desired_state(list(paths), dict(environ))


def make_plan(
    desired: DesiredState,
    client: WebsetsClient,
    state_path: Path,
    options: PlanOptions,
    pricing: Pricing = BUILTIN_PRICING,
) -> Plan:
    """Read the live account and the state file (no lock: a plan changes nothing) and plan."""
    state = load_state(state_path, project=desired.project)
    live = fetch_live_state(client, imports=needs_imports(desired, state))
    return build_plan(desired, live, state, options, pricing)


def load_pricing_file(path: Path | None, environ: Environ) -> Pricing:
    """The pricing profile of ``--pricing FILE``, or the built-in one."""
    return BUILTIN_PRICING if path is None else load_pricing(path, environ)


# --- apply --------------------------------------------------------------------------------------


def apply_manifests(
    desired: DesiredState,
    client: WebsetsClient,
    state_path: Path,
    options: PlanOptions,
    hooks: ApplyHooks,
    settings: ApplySettings,
) -> ApplyOutcome:
    """Plan ``desired`` under the state lock, ask, and execute exactly that plan."""
    return _apply_locked(desired, client, state_path, options, None, hooks, settings)


@dataclass(frozen=True)
class SavedApply:
    """A saved plan read back, with the desired state of the manifests it was made from."""

    desired: DesiredState
    saved: SavedPlan


def load_saved_plan(plan_file: Path, environ: Environ) -> SavedApply:
    """Read a saved plan and its manifests (which must still be where the plan was made)."""
    saved = read_saved_plan(_read_text(plan_file))
    paths = [Path(p) for p in saved.manifest_paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise StalePlanError(
            f"the saved plan's manifests are not here: {', '.join(missing)}",
            detail="Paths in a saved plan are as given to `plan`: run apply from the "
            "directory the plan was made in, with the same manifests.",
        )
    desired, _ = load_manifests(paths, environ)
    return SavedApply(desired, saved)


def read_saved_plan_file(plan_file: Path) -> Plan:
    """A saved plan, for review (``show``): no manifests, live state or API key needed."""
    return plan_of(read_saved_plan(_read_text(plan_file)))


def apply_saved(
    loaded: SavedApply,
    client: WebsetsClient,
    state_path: Path,
    hooks: ApplyHooks,
    settings: ApplySettings,
) -> ApplyOutcome:
    """Execute a saved plan, refusing it if anything it was made from has changed since."""
    return _apply_locked(
        loaded.desired, client, state_path, loaded.saved.options, loaded.saved, hooks, settings
    )


def raise_for_result(result: ApplyResult) -> None:
    """An interrupted or partly failed apply is an error (what succeeded is already saved)."""
    if result.interrupted:
        # The summary just printed has the counts and what to do: say it once, not twice.
        raise ApplyError("apply was interrupted: the summary above lists what was applied")
    if result.state_unsaved is not None:
        raise ApplyError(
            f"apply stopped: {result.state_unsaved}",
            detail="Nothing done was lost: move the rescue file into place once the problem is "
            "fixed, then run apply again to finish.",
        )
    failed = result.count(Outcome.FAILED)
    if failed or not result.ok:
        raise ApplyError(
            f"apply failed for {failed} of {len(result.results)} changes",
            detail="The changes that succeeded are saved; run apply again to finish.",
        )
    lost = result.secrets_lost
    if lost:
        # Every change was made, but receivers cannot verify these webhooks: a CI job must not
        # end green on that. Apply itself does not retry (that would loop): --replace is asked.
        names = ", ".join(str(address) for address in lost)
        flags = " ".join(f"--replace {address}" for address in lost)
        raise ApplyError(
            f"apply completed, but the signing secret of {names} is unknown "
            "(its create answer was lost)",
            detail=f"Get new secrets with: websets-sync apply {flags} PATHS...",
        )


def wait_for_websets(
    client: WebsetsClient,
    touched: Sequence[TouchedWebset],
    on_progress: Callable[[Sequence[WebsetProgress]], None],
    interval: float = DEFAULT_POLL_INTERVAL,
) -> tuple[WebsetProgress, ...]:
    """Poll the websets an apply touched until every one is idle; their last progress."""
    return wait_until_idle(client, tuple(touched), on_progress=on_progress, interval=interval)


# --- export -------------------------------------------------------------------------------------


def export_live(
    client: WebsetsClient, websets: Sequence[str], project: str | None, state_path: Path
) -> ExportResult:
    """Live state → manifest documents of one project (all of it, or the chosen websets)."""
    live = _export_live_state(client, websets)
    project = project or infer_project(live)
    if project is None:
        raise WebsetsSyncError(
            "no live object carries a project tag: pass --project NAME",
            detail="NAME becomes the manifests' `project`; apply then tags what it adopts.",
        )
    # Names the state file remembers keep objects whose tags were dropped under their address.
    remembered = remembered_names(load_state(state_path), project)
    return export_state(live, project, chosen=bool(websets), remembered=remembered)


def _export_live_state(client: WebsetsClient, websets: Sequence[str]) -> LiveState:
    if not websets:
        return fetch_live_state(client, imports=True)
    # A chosen webset by id or externalId: one GET each (the API takes either in the path).
    return LiveState(websets=tuple(live_webset(_get_chosen(client, ident)) for ident in websets))


def _get_chosen(client: WebsetsClient, ident: str) -> dict[str, object]:
    try:
        return client.get_webset(ident)
    except NotFoundError:
        raise WebsetsSyncError(
            f"no webset with id or externalId {ident!r}",
            detail="List them with `websets-sync export` (without --webset) or in the dashboard.",
        ) from None


def write_files(files: Mapping[str, str], out_dir: Path, *, force: bool) -> None:
    """Write exported files into ``out_dir``; never overwrite one silently."""
    existing = sorted(name for name in files if (out_dir / name).exists())
    if existing and not force:
        raise WebsetsSyncError(
            f"{out_dir} already has {', '.join(existing)}",
            detail="Pass --force to overwrite, or export into an empty folder.",
        )
    for name, text in files.items():
        write_text(out_dir / name, text)


def write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise WebsetsSyncError(f"cannot write {path}: {exc.strerror}") from exc


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WebsetsSyncError(f"cannot read {path}: {exc.strerror}") from exc
