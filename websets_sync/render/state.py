"""Views of the state file for `state list` and `state show`. Secrets are never shown here:
only whether one is known (`secrets get ADDR` is the single way to print one)."""

from __future__ import annotations

from pathlib import Path

from websets_sync.render.console import Console
from websets_sync.state.store import ResourceState, State


def secret_status(entry: ResourceState, address: str) -> str:
    if entry.secret is not None:
        return "known"
    if entry.secret_unknown:
        return "unknown (create response lost)"
    return "unknown" if address.startswith("webhook/") else "-"


def render_state_list(state: State, path: Path, console: Console) -> str:
    if not state.resources:
        return f"The state file {path} holds no resources."
    rows = [("ADDRESS", "ID", "SECRET", "PROTECTED")]
    for address in sorted(state.resources):
        entry = state.resources[address]
        protected = "yes" if entry.prevent_destroy else ""
        rows.append((address, entry.id, secret_status(entry, address), protected))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    lines[0] = console.style(lines[0].rstrip(), "bold")
    footer = f"serial {state.serial}, lineage {state.lineage}, project {state.project}"
    return "\n".join([line.rstrip() for line in lines] + ["", console.style(footer, "dim")])


def render_state_entry(address: str, entry: ResourceState, console: Console) -> str:
    lines = [console.style(address, "bold"), f"  id:              {entry.id}"]
    if address.startswith("webhook/"):
        secret = secret_status(entry, address)
        if entry.secret is not None:
            secret = f"******** (known; print it with `websets-sync secrets get {address}`)"
        elif entry.secret_unknown:
            secret += f"; apply --replace {address} to get a new one"
        lines.append(f"  secret:          {secret}")
    if address.startswith("webset/") and address.count("/") == 1:
        lines.append(f"  preventDestroy:  {'true' if entry.prevent_destroy else 'false'}")
    return "\n".join(lines)
