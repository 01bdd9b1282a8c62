"""The human view of a plan for terminals: symbols, colour, before → after per field."""

from __future__ import annotations

from collections.abc import Sequence

from websets_sync.model import Address
from websets_sync.plan.cost import change_estimate
from websets_sync.plan.types import Action, Change, Plan, Skipped
from websets_sync.render.console import Console
from websets_sync.render.plan_summary import (
    cost_line,
    estimate_tag,
    no_changes_line,
    paid_line,
    show_field,
    summary_line,
)

# Colours mean something: red destroys, yellow costs or changes, green adds, dim is unchanged.
_STYLES: dict[Action, tuple[str, ...]] = {
    Action.CREATE: ("green",),
    Action.UPDATE: ("yellow",),
    Action.DELETE: ("red",),
    Action.RUN: ("yellow",),
    Action.ADOPT: ("cyan",),
    Action.REPLACE: ("red",),
    Action.MOVE: ("cyan",),
    Action.NOOP: ("dim",),
}


def render_plan_text(plan: Plan, console: Console) -> str:
    """The whole plan as text (no-ops are counted, not listed; the JSON view lists them)."""
    lines: list[str] = []
    changes = [c for c in plan.changes if c.action is not Action.NOOP]
    if changes:
        lines.append(f"Project {plan.project}: planned changes, in the order apply makes them")
        lines.append("")
        for change in changes:
            lines.extend(_change_lines(change, plan, console))
    lines.extend(_skipped_lines(plan.skipped, console))
    if plan.excluded:
        lines += ["", console.style("Excluded (--exclude, not part of this plan):", "bold")]
        lines.extend(f"  {address}" for address in plan.excluded)
    lines.extend(_warning_lines(plan.warnings, console))
    lines.extend(secrets_unknown_lines(plan.secrets_unknown, console))
    if lines:
        lines.append("")
    if plan.has_changes:
        lines.append(console.style(summary_line(plan), "bold"))
        paid = paid_line(plan)
        if paid:
            lines.append(console.style(paid, "yellow"))
        lines.append(console.style(cost_line(plan), "yellow" if paid else "dim"))
    else:
        lines.append(console.style(no_changes_line(plan), "yellow" if plan.skipped else "green"))
    unchanged = plan.summary[Action.NOOP.value]
    if unchanged:
        lines.append(console.style(f"{unchanged} unchanged.", "dim"))
    return "\n".join(lines).lstrip("\n")


def _change_lines(change: Change, plan: Plan, console: Console) -> list[str]:
    styles = _STYLES[change.action]
    head = f"{change.action.symbol} {change.action.value:<7} {change.address}"
    if change.id:
        head += f" ({change.id})"
    tags = _tags(change, plan)
    head = console.style(head, *styles)
    if tags:
        shown = ", ".join(console.style(text, style) for text, style in tags)
        head += f"  [{shown}]"
    lines = [head, console.style(f"      {change.reason}", "dim")]
    new = all(field.before is None for field in change.fields)
    for field in change.fields:
        before, shown_after = (_shortened(value) for value in show_field(field))
        after = console.style(shown_after, *styles)
        if new:  # nothing to compare with: show the value, as Terraform does for a create
            lines.append(f"      {field.path} = {after}")
        else:
            lines.append(f"      {field.path}: {before} → {after}")
    return lines


#: Longer values are cut in the terminal view (the JSON and Markdown views keep them whole).
MAX_VALUE_CHARS = 160


def _shortened(text: str) -> str:
    if len(text) <= MAX_VALUE_CHARS:
        return text
    keep = MAX_VALUE_CHARS - 30
    return f"{text[:keep]}… ({len(text) - keep} more characters; --json shows all)"


def _tags(change: Change, plan: Plan) -> list[tuple[str, str]]:
    """(text, style) of each tag: what destroys is red, what costs is yellow, the rest is dim."""
    tags = []
    if change.paid:
        tags.append(("paid", "yellow"))
        estimate = change_estimate(change, plan.pricing)
        if estimate is not None:
            tags.append((estimate_tag(estimate), "yellow"))
        elif change.estimated_items is not None:
            tags.append((f"up to {change.estimated_items} items", "yellow"))
    if change.destructive:
        tags.append(("destructive", "red"))
    if change.inline:
        tags.append(("inline", "dim"))
    return tags


def _skipped_lines(skipped: tuple[Skipped, ...], console: Console) -> list[str]:
    if not skipped:
        return []
    lines = ["", console.style("Skipped (not part of this plan):", "bold")]
    for entry in skipped:
        where = f" ({entry.id})" if entry.id else ""
        lines.append(f"  {entry.action.value} {entry.address}{where}: {entry.reason}")
    return lines


def secrets_unknown_lines(addresses: Sequence[Address], console: Console) -> list[str]:
    """The lost-secret banner: receivers of these webhooks cannot verify what they get."""
    if not addresses:
        return []
    noun = "webhook has" if len(addresses) == 1 else "webhooks have"
    head = f"SECRET UNKNOWN: {len(addresses)} {noun} no known signing secret"
    lines = ["", console.style(head, "red", "bold")]
    lines += [f"  {address}" for address in addresses]
    flags = " ".join(f"--replace {address}" for address in addresses)
    lines.append(f"  Their receivers cannot verify deliveries. Get new secrets: apply {flags}")
    return lines


def _warning_lines(warnings: tuple[str, ...], console: Console) -> list[str]:
    if not warnings:
        return []
    lines = ["", console.style("Warnings:", "yellow", "bold")]
    lines.extend(f"  ! {warning}" for warning in warnings)
    return lines
