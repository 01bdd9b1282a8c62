"""Checks of imports and references (DESIGN §10) that the JSON Schema cannot express: the CSV
files exist and fit, a reference to an import names a declared one, declared websets do not
refer to each other in a cycle, and the API's own refusals are said before any request.

Like every semantic check these tolerate structurally invalid data (the schema reports it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from websets_sync.errors import Problem
from websets_sync.manifest.csvfile import CsvProblem, csv_path, read_csv
from websets_sync.manifest.files import ManifestFile
from websets_sync.manifest.semantic import Entry, children_of, imports_of, websets_of

#: Reference lists of a webset and of a search (the API's ``{source, id}`` lists).
WEBSET_REFERENCES = ("import", "exclude")
SEARCH_REFERENCES = ("scope", "exclude")


def reference_problems(manifests: Sequence[ManifestFile]) -> list[Problem]:
    imports = [i for m in manifests for i in imports_of(m)]
    websets = [w for m in manifests for w in websets_of(m)]
    problems = [p for declared in imports for p in _csv_file(declared)]
    declared_imports = {i.data.get("externalId") for i in imports}
    for webset in websets:
        for entry, field, index, ref in references_of(webset):
            name = ref.get("externalId")
            if ref.get("source") != "import" or not isinstance(name, str):
                continue
            if name not in declared_imports:
                problems.append(
                    entry.problem(
                        [field, index, "externalId"],
                        f"import {name!r} is not declared (declare it under `imports:`, "
                        "or name an existing import by `id:`)",
                    )
                )
        problems += _import_in_first_scope(webset)
        for search in children_of(webset, "searches"):
            problems += _scope_append(search)
    return problems + _cycles(websets)


def references_of(webset: Entry) -> Iterator[tuple[Entry, str, int, dict[str, Any]]]:
    """(entry, field, index, reference) for every reference of a webset and its searches."""
    owners = [(webset, WEBSET_REFERENCES)]
    owners += [(search, SEARCH_REFERENCES) for search in children_of(webset, "searches")]
    for entry, fields in owners:
        for field in fields:
            value = entry.data.get(field)
            if isinstance(value, list):
                for index, ref in enumerate(value):
                    if isinstance(ref, dict):
                        yield entry, field, index, ref


def _csv_file(declared: Entry) -> list[Problem]:
    file = declared.data.get("file")
    if not isinstance(file, str) or not file:
        return []
    try:
        read_csv(csv_path(declared.manifest.path, file))
    except CsvProblem as exc:
        return [declared.problem(["file"], str(exc))]
    return []


def _import_in_first_scope(webset: Entry) -> list[Problem]:
    """The API answers 400 when one import is in both the webset's ``import`` and the ``scope``
    of the search created with it (API-NOTES §3.1)."""
    searches = list(children_of(webset, "searches"))
    imported = {_key(ref) for ref in _refs(webset.data.get("import"))} - {None}
    if not searches or not imported:
        return []
    problems = []
    for index, ref in enumerate(_refs(searches[0].data.get("scope"))):
        if ref.get("source") == "import" and _key(ref) in imported:
            problems.append(
                searches[0].problem(
                    ["scope", index],
                    "this import is also in the webset's `import`; the API refuses (400) the "
                    "same import in both the webset's import and its first search's scope",
                )
            )
    return problems


def _scope_append(search: Entry) -> list[Problem]:
    if search.data.get("scope") and search.data.get("behavior") == "append":
        message = (
            "a search with scope always behaves as override (the API forces it); "
            "remove `behavior: append` or the scope"
        )
        return [search.problem(["behavior"], message)]
    return []


def _cycles(websets: Sequence[Entry]) -> list[Problem]:
    """Declared websets that refer to each other in a cycle cannot be created in any order."""
    declared = {
        w.data["externalId"]: w for w in websets if isinstance(w.data.get("externalId"), str)
    }
    edges: dict[str, list[tuple[str, Entry, str, int]]] = {}
    for name, webset in declared.items():
        for entry, field, index, ref in references_of(webset):
            target = ref.get("externalId")
            if ref.get("source") == "webset" and isinstance(target, str) and target in declared:
                edges.setdefault(name, []).append((target, entry, field, index))
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        cycle = _cycle_from(start, edges)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        _, entry, field, index = next(e for e in edges[start] if e[0] == cycle[1 % len(cycle)])
        path = " → ".join(f"webset/{name}" for name in [*cycle, cycle[0]])
        problems.append(
            entry.problem(
                [field, index, "externalId"],
                f"reference cycle between declared websets: {path} (none of them could be "
                "created first)",
            )
        )
    return problems


def _cycle_from(
    start: str, edges: dict[str, list[tuple[str, Entry, str, int]]]
) -> list[str] | None:
    """The websets of a cycle through ``start`` (in order), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for target, *_ in edges.get(node, []):
            if target == start:
                return path
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def _refs(value: Any) -> list[dict[str, Any]]:
    return [ref for ref in value if isinstance(ref, dict)] if isinstance(value, list) else []


def _key(ref: dict[str, Any]) -> str | None:
    if ref.get("source") != "import":
        return None
    name = ref.get("externalId", ref.get("id"))
    return f"{'ext' if 'externalId' in ref else 'id'}:{name}"
