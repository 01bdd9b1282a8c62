"""The Markdown view of a plan, for pull-request comments and the GitHub step summary.

Kept under GitHub's comment limit: per-resource details are dropped from the end, with a note,
once the text would pass ``MAX_CHARS``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from websets_sync.model import Address
from websets_sync.plan.cost import change_estimate
from websets_sync.plan.types import Action, Change, Plan
from websets_sync.render.plan_summary import (
    cost_line,
    estimate_tag,
    no_changes_line,
    paid_line,
    show_field,
    summary_line,
)

MAX_CHARS = 60_000
#: Room kept for the truncation note and the closing sections.
_RESERVE = 4_000


def render_plan_markdown(plan: Plan, max_chars: int = MAX_CHARS) -> str:
    head = _head(plan)
    tail = _tail(plan)
    budget = max_chars - len(head) - len(tail) - _RESERVE
    details: list[str] = []
    shown = 0
    changes = [c for c in plan.changes if c.action is not Action.NOOP]
    for change in changes:
        block = _details(change, plan)
        if len(block) > budget:
            break
        details.append(block)
        budget -= len(block)
        shown += 1
    if shown < len(changes):
        details.append(
            f"_{len(changes) - shown} more changes are not shown: the comment is limited to "
            f"{max_chars:,} characters. Run `websets-sync plan` to see the whole plan._\n"
        )
    return head + "".join(details) + tail


def secrets_unknown_banner(addresses: Sequence[Address]) -> list[str]:
    """A CAUTION banner naming every webhook whose signing secret is unknown."""
    if not addresses:
        return []
    noun = "webhook has" if len(addresses) == 1 else "webhooks have"
    flags = " ".join(f"--replace {address}" for address in addresses)
    return [
        "> [!CAUTION]",
        f"> **{len(addresses)} {noun} no known signing secret:** their receivers cannot "
        "verify deliveries.",
        *[f"> - `{address}`" for address in addresses],
        f"> Get new secrets with `websets-sync apply {flags}`.",
        "",
    ]


def _head(plan: Plan) -> str:
    lines = [f"## websets-sync plan for `{plan.project}`", ""]
    deletes = [c for c in plan.changes if c.action in (Action.DELETE, Action.REPLACE)]
    if deletes:
        noun = "resource" if len(deletes) == 1 else "resources"
        lines += ["> [!CAUTION]", f"> **This plan deletes {len(deletes)} {noun}:**"]
        lines += [f"> - `{c.address}` ({c.action.value}): {_cell(c.reason)}" for c in deletes]
        lines.append("")
    paid = paid_line(plan)
    if paid:
        lines += ["> [!WARNING]", f"> **{paid}**", f"> {_cell(cost_line(plan))}", ""]
    elif plan.has_changes:
        lines += [_cell(cost_line(plan)), ""]
    lines += secrets_unknown_banner(plan.secrets_unknown)
    if not plan.has_changes:
        lines += [f"**{no_changes_line(plan)}**", ""]
        return "\n".join(lines) + "\n"
    lines += [f"**{summary_line(plan)}**", "", "| action | count |", "|---|---:|"]
    lines += [f"| {action} | {count} |" for action, count in plan.summary.items() if count]
    lines.append("")
    return "\n".join(lines) + "\n"


def _details(change: Change, plan: Plan) -> str:
    flags = [
        word for word, on in (("paid", change.paid), ("destructive", change.destructive)) if on
    ]
    estimate = change_estimate(change, plan.pricing)
    if estimate is not None:
        flags.insert(1, estimate_tag(estimate))
    suffix = f" ({', '.join(flags)})" if flags else ""
    label = _cell(f"{change.action.symbol} {change.address}")
    summary = f"<code>{label}</code> {change.action.value}{suffix}"
    lines = ["<details>", f"<summary>{summary}</summary>", ""]
    lines.append(_cell(change.reason) + (f" (id `{change.id}`)" if change.id else ""))
    if change.fields:
        lines += ["", "| field | before | after |", "|---|---|---|"]
        for f in change.fields:
            before, after = show_field(f)
            lines.append(f"| `{f.path}` | {_code(before)} | {_code(after)} |")
    lines += ["", "</details>", ""]
    return "\n".join(lines) + "\n"


def _tail(plan: Plan) -> str:
    lines: list[str] = []
    if plan.skipped:
        lines += ["", "### Skipped", ""]
        lines += [f"- `{s.address}` ({s.action.value}): {_cell(s.reason)}" for s in plan.skipped]
    if plan.excluded:
        lines += ["", "### Excluded (--exclude)", ""]
        lines += [f"- `{address}`" for address in plan.excluded]
    if plan.warnings:
        lines += ["", "### Warnings", ""]
        lines += [f"- {_cell(w)}" for w in plan.warnings]
    unchanged = plan.summary[Action.NOOP.value]
    if unchanged:
        lines += ["", f"_{unchanged} unchanged._"]
    return "\n".join(lines).lstrip("\n") + ("\n" if lines else "")


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")


def _code(text: str) -> str:
    return f"<code>{_cell(text)}</code>"
