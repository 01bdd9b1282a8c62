"""Manifest validation: the JSON Schema (structure) plus semantic checks → the desired state.

The JSON Schema in ``websets_sync/data/manifest.schema.json`` is the single source of structural
rules: editors use the published copy for hover help and squiggles, and this module validates with
the very same file. Its errors are mapped back to the YAML node they are about and reworded for
people (``unknown field 'qurey' (did you mean 'query'?)`` rather than jsonschema's phrasing).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from websets_sync.errors import ManifestError, Problem
from websets_sync.manifest.desired import build_desired_state, stripped
from websets_sync.manifest.files import ManifestFile, load_manifests
from websets_sync.manifest.moves import move_problems
from websets_sync.manifest.references import reference_problems
from websets_sync.manifest.semantic import semantic_problems
from websets_sync.manifest.yaml_nodes import FieldPath, format_path
from websets_sync.model import DesiredState

SCHEMA_FILE = "manifest.schema.json"

_JSON_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}
# Rules that only apply under a condition (the schema's if/then/else), phrased for people.
_WHEN = {
    "options": "format is 'options'",
    "description": "the entity type is 'custom'",
}
_PATTERN_HELP = (
    "must start with an ASCII letter or digit and contain only ASCII letters, digits, '.', '_', "
    "':' or '-' (at most 200 characters)"
)


def schema_text() -> str:
    """The manifest JSON Schema, exactly as shipped in the package."""
    return (resources.files("websets_sync") / "data" / SCHEMA_FILE).read_text("utf-8")


@functools.lru_cache(maxsize=1)
def manifest_schema() -> Mapping[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text())
    return schema


@functools.lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(manifest_schema())


def load_desired_state(
    paths: Sequence[Path], env: Mapping[str, str]
) -> tuple[DesiredState, list[Problem]]:
    """Read, validate and convert manifests. Returns warnings; raises ManifestError on any error."""
    manifests, problems = load_manifests(paths, env)
    checked = [_with_stripped_data(m) for m in manifests]
    later = [p for m in checked for p in schema_problems(m)] + semantic_problems(checked)
    later += move_problems(checked)
    later += reference_problems(checked)
    # A value the loader already flagged (e.g. an unset ${VAR}) gets no follow-on complaints.
    flagged = {(p.file, p.path) for p in problems if p.path}
    problems += [p for p in later if (p.file, p.path) not in flagged]
    problems = sorted(set(problems), key=_problem_order)
    errors = [p for p in problems if p.severity == "error"]
    if errors or not checked:
        raise ManifestError(problems or [Problem(".", 1, 1, "", "no manifest files given")])
    return build_desired_state(checked), problems


def _with_stripped_data(manifest: ManifestFile) -> ManifestFile:
    # Validate what will be sent: surrounding whitespace is stripped, as exa-py and the API do.
    return ManifestFile(
        manifest.path,
        manifest.sha256,
        stripped(manifest.data),
        manifest.locations,
        manifest.key_locations,
        manifest.raw_texts,
    )


def _problem_order(problem: Problem) -> tuple[str, int, int, str, str]:
    return (problem.file, problem.line, problem.column, problem.path, problem.message)


def schema_problems(
    manifest: ManifestFile, validator: Draft202012Validator | None = None
) -> list[Problem]:
    """Every structural error of one file (against the manifest schema, or ``validator``'s),
    located at the YAML node it is about."""
    problems: list[Problem] = []
    for error in (validator or _validator()).iter_errors(manifest.data):
        problems.extend(_translate(manifest, error))
    return problems


def _translate(manifest: ManifestFile, error: ValidationError) -> list[Problem]:
    path: FieldPath = tuple(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        return _unknown_fields(manifest, error, path)
    if kind == "uniqueItems":
        return _duplicate_items(manifest, error, path)
    if kind == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        conditional = "then" in error.schema_path
        return [_at(manifest, path, _missing(name, conditional)) for name in missing]
    if kind == "not" and "else" in error.schema_path:
        (name,) = error.validator_value["required"]
        message = f"{name} is only allowed when {_WHEN.get(name, 'its condition holds')}"
        return [_at(manifest, (*path, name), message, key=True)]
    return [_at(manifest, path, _describe(error, path))]


def _at(manifest: ManifestFile, path: FieldPath, message: str, *, key: bool = False) -> Problem:
    where = manifest.location(path, key=key)
    return Problem(where.file, where.line, where.column, format_path(path), message)


def _missing(name: str, conditional: bool) -> str:
    if conditional:
        return f"{name} is required when {_WHEN.get(name, 'its condition holds')}"
    return f"missing required field '{name}'"


def _unknown_fields(
    manifest: ManifestFile, error: ValidationError, path: FieldPath
) -> list[Problem]:
    allowed = sorted(error.schema.get("properties", {}))
    problems = []
    for name in error.instance:
        if name in allowed:
            continue
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
        problems.append(_at(manifest, (*path, name), f"unknown field '{name}' ({hint})", key=True))
    return problems


def _duplicate_items(
    manifest: ManifestFile, error: ValidationError, path: FieldPath
) -> list[Problem]:
    problems = []
    seen: list[Any] = []
    for index, item in enumerate(error.instance):
        if item in seen:
            problems.append(_at(manifest, (*path, index), f"duplicate entry {_show(item)}"))
        else:
            seen.append(item)
    return problems


def _describe(error: ValidationError, path: FieldPath) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        return f"must be {_JSON_TYPES.get(str(expected), str(expected))}, got {_type_name(value)}"
    if kind == "enum":
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value, [str(v) for v in expected], n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
        options = ", ".join(str(v) for v in expected)
        return f"{_show(value)} is not allowed{hint}; use one of: {options}"
    if kind == "const":
        if path and path[-1] == "type" and expected == "search":
            return "must be 'search' (monitor refresh behavior is not supported)"
        return f"must be {_show(expected)}, got {_show(value)}"
    if kind == "pattern":
        field = str(path[-1]) if path else "value"
        return f"invalid {field} {_show(value)}: {_PATTERN_HELP}"
    return _describe_limit(error, path)


def _describe_limit(error: ValidationError, path: FieldPath) -> str:
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "minLength":
        if limit == 1:
            return "must not be empty"
        return f"must be at least {limit} characters (got {len(value)})"
    if kind == "maxLength":
        return f"must be at most {limit} characters (got {len(value)})"
    if kind == "minItems":
        return f"must have at least {limit} {'item' if limit == 1 else 'items'} (got {len(value)})"
    if kind == "maxItems":
        return f"must have at most {limit} items (got {len(value)})"
    if kind == "minProperties":
        return "must not be empty"
    if kind == "exclusiveMinimum":
        return f"must be more than {limit} (got {_show(value)})"
    if kind == "minimum":
        return f"must be at least {limit} (got {_show(value)})"
    if kind == "maximum":
        return f"must be at most {limit} (got {_show(value)})"
    if kind == "oneOf" and isinstance(value, dict):
        # Alternatives that each require one field (an import's file or id, a reference's
        # externalId or id): exactly one of them.
        names = [str(alt["required"][0]) for alt in limit if alt.get("required")]
        given = [name for name in names if name in value]
        if len(given) > 1:
            return f"give only one of {' or '.join(names)}, not both"
        return f"needs one of: {' or '.join(names)}"
    return str(error.message)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {_show(value)}"
    if isinstance(value, (int, float)):
        return f"number {_show(value)}"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    return json.dumps(value) if isinstance(value, (bool, int, float)) or value is None else "value"
