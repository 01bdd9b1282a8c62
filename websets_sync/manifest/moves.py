"""Checks of the top-level ``moved`` blocks (DESIGN §11) that need the whole manifest set: a
``to`` that is declared, one target per move, no chains, and a ``from`` that is really gone.

Whether something live or in the state file is the ``from`` can only be known when planning
(plan/moves.py says so there).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from websets_sync.errors import Problem
from websets_sync.manifest.files import ManifestFile
from websets_sync.manifest.semantic import (
    CHILD_LISTS,
    Entry,
    children_of,
    entries,
    webhooks_of,
    websets_of,
)
from websets_sync.model import Address, Kind


def moves_of(manifest: ManifestFile) -> Iterator[Entry]:
    data = manifest.data if isinstance(manifest.data, dict) else {}
    return entries(manifest, ("moved",), data.get("moved"))


def parsed(entry: Entry, field: str) -> Address | None:
    """The address of ``from`` or ``to`` (None when malformed: the schema reports that)."""
    value = entry.data.get(field)
    if not isinstance(value, str):
        return None
    try:
        return Address.parse(value)
    except ValueError:
        return None


def declared_addresses(manifests: Sequence[ManifestFile]) -> set[Address]:
    declared: set[Address] = set()
    for manifest in manifests:
        for webset in websets_of(manifest):
            ext = webset.data.get("externalId")
            if not isinstance(ext, str):
                continue
            declared.add(Address.for_webset(ext))
            for field, noun in CHILD_LISTS.items():
                for child in children_of(webset, field):
                    name = child.data.get("externalId")
                    if isinstance(name, str):
                        declared.add(Address.for_child(Kind(noun), ext, name))
        for hook in webhooks_of(manifest):
            name = hook.data.get("externalId")
            if isinstance(name, str):
                declared.add(Address.for_webhook(name))
    return declared


def move_problems(manifests: Sequence[ManifestFile]) -> list[Problem]:
    moves = [
        (entry, source, target)
        for manifest in manifests
        for entry in moves_of(manifest)
        if (source := parsed(entry, "from")) is not None
        and (target := parsed(entry, "to")) is not None
    ]
    if not moves:
        return []
    declared = declared_addresses(manifests)
    webset_moves = {s.name: t.name for _, s, t in moves if s.kind is Kind.WEBSET}
    sources = {source: entry for entry, source, _ in moves}
    problems: list[Problem] = []
    first_target: dict[Address, Entry] = {}
    first_source: dict[Address, Entry] = {}
    for entry, source, target in moves:
        problems += _shape(entry, source, target, webset_moves)
        if target not in declared:
            problems.append(entry.problem(["to"], f"{target} is not declared in the manifests"))
        if source in declared:
            message = f"{source} is still declared: an object cannot be both {source} and {target}"
            problems.append(entry.problem(["from"], message))
        if target in sources and sources[target] is not entry:
            where = sources[target].location("from")
            message = f"{target} is moved on again at {where}: write one move, from {source}"
            problems.append(entry.problem(["to"], message + " to the final address (no chains)"))
        for seen, field, address in ((first_target, "to", target), (first_source, "from", source)):
            if address in seen:
                where = seen[address].location(field)
                message = f"{address} is already the `{field}` of the move at {where}"
                problems.append(entry.problem([field], message))
            else:
                seen[address] = entry
    return problems


def _shape(
    entry: Entry, source: Address, target: Address, webset_moves: dict[str, str]
) -> list[Problem]:
    if source == target:
        return [entry.problem(["to"], f"moves {source} to itself")]
    if source.kind is not target.kind:
        message = f"moves a {source.kind.value} to a {target.kind.value}: the kinds must agree"
        return [entry.problem(["to"], message)]
    if source.kind.is_child:
        parents = {source.webset, webset_moves.get(source.webset or "")}
        if target.webset not in parents:
            message = (
                f"moves a {source.kind.value} to another webset ({target.webset}): the API "
                "cannot move a child between websets"
            )
            return [entry.problem(["to"], message)]
    return []
