"""Value cleaning and dotted paths (``cadence.timezone``, ``criteria[].successRate``) for the
per-kind comparison rules of :mod:`.kinds`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Paths are dotted (``cadence.timezone``); ``[]`` steps into every element of a list
#: (``criteria[].successRate``).
Path = str


def clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def _prune(value: Any) -> Any:
    """Drop None, {} and [] recursively: the API treats them as absent."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if not _empty(v)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def prune_map(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in _prune(value).items()}


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _steps(path: Path) -> list[str]:
    return path.split(".")


def get_path(data: Any, path: Path) -> Any:
    current = data
    for step in _steps(path):
        if not isinstance(current, dict):
            return None
        current = current.get(step)
    return current


def set_path(data: dict[str, Any], path: Path, value: Any) -> None:
    *parents, last = _steps(path)
    current: Any = data
    for step in parents:
        current = current.get(step) if isinstance(current, dict) else None
    if isinstance(current, dict):
        current[last] = value


def delete_path(data: Any, path: Path) -> None:
    step, _, rest = path.partition(".")
    if step.endswith("[]"):
        items = data.get(step[:-2]) if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            delete_path(item, rest)
        return
    if not isinstance(data, dict):
        return
    if rest:
        delete_path(data.get(step), rest)
    else:
        data.pop(step, None)
