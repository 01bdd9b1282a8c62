"""Views of manifest problems (validate, and any command that reads manifests): text and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from websets_sync.errors import Problem
from websets_sync.model import DesiredState
from websets_sync.render.console import Console

#: Version of the ``validate --json`` document; bump on incompatible changes.
FORMAT_VERSION = 1


def problem_line(problem: Problem, console: Console) -> str:
    """``file:line:col: field.path: message`` (warnings say so)."""
    where = f"{problem.file}:{problem.line}:{problem.column}:"
    field = f" {problem.path}:" if problem.path else ""
    label = ""
    if problem.severity == "warning":
        label = " " + console.style("warning:", "yellow", "bold")
    return f"{console.style(where, 'bold')}{field}{label} {problem.message}"


def render_problems(problems: Sequence[Problem], console: Console) -> None:
    """Every problem on stderr, one line each, in the order given (file, line, column)."""
    for problem in problems:
        console.print_err(problem_line(problem, console))


def summary_line(desired: DesiredState) -> str:
    """``ok: 3 websets, 4 searches, 7 enrichments, 2 monitors, 1 webhook``."""
    counts = summary_counts(desired)
    nouns = {
        "websets": "webset",
        "searches": "search",
        "enrichments": "enrichment",
        "monitors": "monitor",
        "webhooks": "webhook",
    }
    parts = [f"{n} {plural if n != 1 else nouns[plural]}" for plural, n in counts.items()]
    return "ok: " + ", ".join(parts)


def summary_counts(desired: DesiredState) -> dict[str, int]:
    return {
        "websets": len(desired.websets),
        "searches": sum(len(w.searches) for w in desired.websets),
        "enrichments": sum(len(w.enrichments) for w in desired.websets),
        "monitors": sum(len(w.monitors) for w in desired.websets),
        "webhooks": len(desired.webhooks),
    }


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "path": problem.path,
        "severity": problem.severity,
        "message": problem.message,
    }


def validation_json(problems: Sequence[Problem], desired: DesiredState | None) -> str:
    """The ``validate --json`` document: ``valid``, ``errors``, ``warnings`` and, when valid,
    the project and resource counts."""
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "valid": desired is not None,
        "errors": [problem_to_dict(p) for p in problems if p.severity == "error"],
        "warnings": [problem_to_dict(p) for p in problems if p.severity == "warning"],
    }
    if desired is not None:
        document["project"] = desired.project
        document["summary"] = summary_counts(desired)
    return json.dumps(document, indent=2)
