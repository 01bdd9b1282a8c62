"""``--pricing FILE``: a team's own prices for plan estimates, read and validated like manifests.

The format (JSON Schema ``websets_sync/data/pricing.schema.json``, published as
``schemas/pricing.schema.json``)::

    # yaml-language-server: $schema=../schemas/pricing.schema.json
    version: 1
    name: acme-2026-q3                 # shown with every estimate
    source: billing export, Sept 2026  # optional, for reviewers
    perItem: {low: 0.025, high: 0.04}  # USD per new item a search or monitor run adds
    perCell: {low: 0.004, high: 0.02}  # USD per enrichment cell (one enrichment, one item)

Every error names file:line:col and the field, all at once (the manifest reader's machinery:
``${VAR}`` interpolation, duplicate keys refused, unknown fields with a did-you-mean).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from websets_sync.errors import ManifestError, Problem
from websets_sync.manifest.files import ManifestFile, load_file
from websets_sync.manifest.schema import schema_problems
from websets_sync.manifest.yaml_nodes import format_path
from websets_sync.model.pricing import Pricing

PRICING_SCHEMA_FILE = "pricing.schema.json"
_RANGES = ("perItem", "perCell")


def pricing_schema_text() -> str:
    return (resources.files("websets_sync") / "data" / PRICING_SCHEMA_FILE).read_text("utf-8")


@functools.lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(pricing_schema_text()))


def load_pricing(path: Path, env: Mapping[str, str]) -> Pricing:
    """The pricing profile in ``path``; raises ManifestError listing every problem."""
    if not path.is_file():
        problem = Problem(str(path), 1, 1, "", "no such pricing file")
        raise ManifestError([problem], what="the pricing file is")
    parsed, problems = load_file(path, env)
    if parsed is not None:
        problems += schema_problems(parsed, _validator())
        problems += _range_problems(parsed)
    errors = [p for p in problems if p.severity == "error"]
    if errors or parsed is None:
        raise ManifestError(sorted(set(problems), key=_order), what="the pricing file is")
    data: dict[str, Any] = parsed.data
    return Pricing(
        name=str(data["name"]).strip(),
        item_low=float(data["perItem"]["low"]),
        item_high=float(data["perItem"]["high"]),
        cell_low=float(data["perCell"]["low"]),
        cell_high=float(data["perCell"]["high"]),
    )


def _range_problems(parsed: ManifestFile) -> list[Problem]:
    """``low`` must not exceed ``high`` (the schema cannot compare two values)."""
    problems = []
    data = parsed.data if isinstance(parsed.data, dict) else {}
    for name in _RANGES:
        bounds = data.get(name)
        if not isinstance(bounds, dict):
            continue
        low: Any = bounds.get("low")
        high: Any = bounds.get("high")
        if _number(low) and _number(high) and low > high:
            path = (name, "low")
            where = parsed.location(path)
            message = f"low {low} is more than high {high}"
            problems.append(
                Problem(where.file, where.line, where.column, format_path(path), message)
            )
    return problems


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _order(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.file, problem.line, problem.column, problem.message)
