"""Composed YAML nodes → plain data, keeping the file:line:col of every value and mapping key.

PyYAML's composer never builds Python objects, so no tag can run code; this module turns nodes
into data itself, which lets it refuse duplicate keys and non-standard tags, and stop alias bombs:
aliases are shared nodes in the composed graph, so their expanded size can be measured before
anything is expanded.
"""

from __future__ import annotations

from typing import Any

import yaml

from websets_sync.errors import Problem
from websets_sync.manifest.interpolate import Interpolation, interpolate
from websets_sync.manifest.locations import FieldPath as FieldPath
from websets_sync.manifest.locations import MarkLocations
from websets_sync.model import SourceLocation

#: The most values aliases may add to a document (each use of an alias adds the values of what it
#: names). Values written out do not count: a file of 1,000 websets is long, not a bomb.
MAX_VALUES = 100_000
MAX_DEPTH = 64

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    _STR_TAG,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# Unquoted dates are read as text: no manifest field is a date, and "2025-01-01" is a fine title.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def format_path(path: FieldPath) -> str:
    """``("websets", 0, "searches", 1, "count")`` → ``websets[0].searches[1].count``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Refused(Exception):
    pass


def expansion_refusal(root: yaml.Node) -> tuple[yaml.Node, FieldPath, str] | None:
    """Why ``root`` must not be expanded (alias bomb, self-reference, deep nesting), or None.

    The expanded size is computed once per distinct node, so a billion-laughs document costs a
    few hundred steps instead of a billion. What aliases add is the expanded size less the
    distinct nodes (each written once).
    """
    sizes: dict[int, int] = {}
    uses: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, path: FieldPath) -> int:
        key = id(node)
        uses[key] = uses.get(key, 0) + 1
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _Refused(node, path, "recursive YAML alias (a value that contains itself)")
        if len(path) > MAX_DEPTH:
            raise _Refused(node, path, f"nesting is deeper than {MAX_DEPTH} levels")
        active.add(key)
        total = 1 + sum(size(child, (*path, step)) for step, child in _children(node))
        active.discard(key)
        sizes[key] = total
        return total

    try:
        total = size(root, ())
    except _Refused as refused:
        node, path, message = refused.args
        return node, path, message
    if total - len(sizes) <= MAX_VALUES:
        return None
    # Walk down while one child alone is over the limit, through values that use aliases: this
    # ends at the aliases that blow up, not in a long list written out beside them.
    aliased = _holding_aliases(root, uses)
    node, path = root, ()
    while True:
        big = [
            (step, c)
            for step, c in _children(node)
            if sizes[id(c)] > MAX_VALUES and (uses[id(c)] > 1 or id(c) in aliased)
        ]
        if not big:
            break
        step, node = big[0]
        path = (*path, step)
    message = (
        f"this value expands to {sizes[id(node)]} values through YAML aliases "
        f"(the limit is {MAX_VALUES}): an alias expansion bomb?"
    )
    return node, path, message


def _holding_aliases(root: yaml.Node, uses: dict[int, int]) -> set[int]:
    """The ids of the nodes below which some node is used more than once (by an alias)."""
    holding: set[int] = set()
    seen: set[int] = set()

    def visit(node: yaml.Node) -> bool:
        key = id(node)
        if key in seen:
            return key in holding
        seen.add(key)
        found = False
        for _, child in _children(node):
            # Every child is visited (no short cut), so each node is looked at once.
            found = visit(child) or uses[id(child)] > 1 or found
        if found:
            holding.add(key)
        return found

    visit(root)
    return holding


def _children(node: yaml.Node) -> list[tuple[str | int, yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[str | int, yaml.Node]] = []
        for key, value in node.value:
            pairs += [(str(key.value), key), (str(key.value), value)]
        return pairs
    return []


class NodeBuilder:
    """Turns a composed node graph into plain data, recording locations and problems."""

    def __init__(self, file: str, interpolation: Interpolation, text: str = "") -> None:
        self.file = file
        #: The document's text: libyaml's marks carry an index into it but no buffer.
        self.text = text
        self.interpolation = interpolation
        self.locations = MarkLocations(file)
        self.key_locations = MarkLocations(file)
        #: The manifest's own text of every value with a ${VAR} in it: views show this, never
        #: what the environment put there (it may be a credential).
        self.raw_texts: dict[FieldPath, str] = {}
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")
        # The constructor of each plain tag, called directly: construct_object's bookkeeping
        # (recursion guards, deep construction) is for collections, and costs per scalar.
        self._scalar_constructors = {
            tag: self.constructor.yaml_constructors[tag] for tag in _PLAIN_TAGS - {_STR_TAG}
        }

    def loc(self, node: yaml.Node) -> SourceLocation:
        return SourceLocation(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        where = self.loc(node)
        self.problems.append(
            Problem(where.file, where.line, where.column, format_path(path), message)
        )

    def token_location(
        self, node: yaml.ScalarNode, token: str, start: int
    ) -> tuple[SourceLocation, int]:
        """Where ``token`` is written inside the scalar (searching from ``start``), so an error
        about one ``${VAR}`` of a longer value points at that reference itself."""
        first, last = node.start_mark, node.end_mark
        buffer = first.buffer if isinstance(first.buffer, str) else self.text
        raw = buffer[first.index : last.index]
        found = raw.find(token, start)
        if found < 0:  # written with escapes (e.g. "\x24{"): point at the value
            return self.loc(node), start
        before = raw[:found]
        line = first.line + before.count("\n")
        column = (
            first.column + len(before) if "\n" not in before else found - before.rfind("\n") - 1
        )
        return SourceLocation(self.file, line + 1, column + 1), found + len(token)

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.locations.marks[path] = node.start_mark
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.problem(node, path, _tag_message(node.tag))
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.build_scalar(node, path)

    def build_mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            self.problem(node, path, _tag_message(node.tag))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.build_key(key_node, path)
            if key is None:
                continue
            child = (*path, key)
            if key in result:
                first = self.key_locations[child]
                self.problem(
                    key_node, child, f"duplicate key {key!r} (first defined at line {first.line})"
                )
                continue
            self.key_locations.marks[child] = key_node.start_mark
            result[key] = self.build(value_node, child)
        return result

    def build_key(self, node: yaml.Node, path: FieldPath) -> str | None:
        if node.tag == "tag:yaml.org,2002:merge":
            self.problem(node, path, "YAML merge keys (<<) are not supported; write the fields out")
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _PLAIN_TAGS | {_TIMESTAMP_TAG}:
            self.problem(node, path, "mapping keys must be plain strings")
            return None
        return str(node.value)

    def build_scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        if node.tag == _TIMESTAMP_TAG:
            return node.value
        if node.tag == _STR_TAG:
            value = node.value
        elif node.tag in _PLAIN_TAGS:
            value = self._scalar_constructors[node.tag](self.constructor, node)
        else:
            self.problem(node, path, _tag_message(node.tag))
            return node.value
        if not isinstance(value, str) or "$" not in value:
            return value
        return self.interpolate_scalar(node, path, value)

    def interpolate_scalar(self, node: yaml.ScalarNode, path: FieldPath, value: str) -> Any:
        result = interpolate(value, self.interpolation)
        if result.substituted:
            self.raw_texts[path] = value
        searched_to = 0
        for message, token in zip(result.errors, result.error_tokens, strict=True):
            where, searched_to = self.token_location(node, token, searched_to)
            self.problems.append(
                Problem(where.file, where.line, where.column, format_path(path), message)
            )
        if result.empty and not result.text.strip():
            # Nothing but empty variables: say which, not "got nothing (null)" later.
            where, _ = self.token_location(node, "${" + result.empty[0], 0)
            names = (
                f"variable {result.empty[0]} is"
                if len(result.empty) == 1
                else f"variables {' and '.join(result.empty)} are"
            )
            self.problems.append(
                Problem(
                    where.file,
                    where.line,
                    where.column,
                    format_path(path),
                    f"environment {names} set but empty (in GitHub Actions: a "
                    "secret that is not configured); give it a value, or a default with "
                    "${NAME:-default}",
                )
            )
            return result.text
        # Plain (unquoted) style is None from PyYAML's composer and "" from libyaml's.
        if not node.style and result.substituted and not result.errors:
            # An unquoted ${COUNT} becomes what YAML would have read had the value been written.
            tag = self.constructor.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, result.text, (True, False)
            )
            if tag in _PLAIN_TAGS - {_STR_TAG}:
                return self.constructor.construct_object(yaml.ScalarNode(tag, result.text))
        return result.text


def _tag_message(tag: str) -> str:
    short = tag.replace("tag:yaml.org,2002:", "!!")
    return (
        f"tag {short!r} is not allowed (plain YAML only: strings, numbers, booleans, lists, maps)"
    )
