"""Read manifest files: safe YAML with the file:line:col of every value, and ${VAR} interpolation.

The YAML is composed into nodes (PyYAML's composer never builds Python objects, so no tag can run
code) and then turned into plain data here, which lets us keep every node's location, refuse
duplicate keys and non-standard tags, and stop alias bombs: aliases are shared nodes in the
composed graph, so expansion happens only in this module, which counts the values it builds.

Problems are collected, never raised: one bad file does not hide the errors of the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from websets_sync.errors import Problem
from websets_sync.interpolate import Interpolation, interpolate
from websets_sync.model import SourceLocation

#: A field path inside one document: mapping keys and list indexes, e.g. ("websets", 0, "title").
FieldPath = tuple[str | int, ...]

#: More values than any real manifest has; an alias bomb reaches it long before memory runs out.
MAX_VALUES = 200_000
MAX_DEPTH = 64
MAX_FILE_BYTES = 10 * 1024 * 1024

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
# Unquoted dates are read as text: no manifest field is a date, and "2025-01-01" is a fine title.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class ManifestFile:
    """One parsed manifest file: its data and where each value and mapping key was written."""

    path: str
    sha256: str
    data: Any
    locations: Mapping[FieldPath, SourceLocation] = field(repr=False)
    key_locations: Mapping[FieldPath, SourceLocation] = field(repr=False)

    def location(self, path: Sequence[str | int], *, key: bool = False) -> SourceLocation:
        """Where ``path`` was written (its key when ``key``), or its nearest written parent."""
        current = tuple(path)
        if key and current in self.key_locations:
            return self.key_locations[current]
        while current and current not in self.locations:
            current = current[:-1]
        return self.locations.get(current, SourceLocation(self.path, 1, 1))


def format_path(path: Iterable[str | int]) -> str:
    """``("websets", 0, "searches", 1, "count")`` → ``websets[0].searches[1].count``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read, in order: given files as given, directories as every *.yaml/*.yml below."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                (p for p in path.rglob("*") if _is_manifest_file(p, path)),
                key=lambda p: p.relative_to(path).as_posix(),
            )
            if not found:
                problems.append(_file_problem(path, "directory contains no *.yaml or *.yml files"))
        elif path.is_file():
            found = [path]
        else:
            problems.append(_file_problem(path, "no such file or directory"))
            found = []
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files, problems


def _is_manifest_file(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts
    hidden = any(part.startswith(".") for part in relative)
    return path.suffix in (".yaml", ".yml") and path.is_file() and not hidden


def load_manifests(
    paths: Sequence[Path], env: Mapping[str, str]
) -> tuple[list[ManifestFile], list[Problem]]:
    """Read every manifest file below ``paths``; return the files that parsed and all problems."""
    files, problems = expand_paths(paths)
    manifests: list[ManifestFile] = []
    for file in files:
        manifest, file_problems = load_file(file, env)
        problems.extend(file_problems)
        if manifest is not None:
            manifests.append(manifest)
    return manifests, problems


def load_file(path: Path, env: Mapping[str, str]) -> tuple[ManifestFile | None, list[Problem]]:
    """Parse one file. Returns None (with problems) when it is not usable YAML at all."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [_file_problem(path, f"cannot read file: {exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [_file_problem(path, f"file is larger than {MAX_FILE_BYTES} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_file_problem(path, f"file is not UTF-8 text (byte {exc.start})")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(name, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks every syntax error
        return None, [_file_problem(path, f"invalid YAML: {exc}")]
    if root is None:
        return None, [
            _file_problem(path, "file is empty; expected a mapping with version and project")
        ]
    builder = _Builder(name, Interpolation(env))
    data = builder.build(root, ())
    if not builder.fatal and not isinstance(data, dict):
        builder.problem(
            root, (), "top level must be a mapping with version, project, websets, webhooks"
        )
    if builder.fatal:
        return None, builder.problems
    digest = hashlib.sha256(raw).hexdigest()
    return ManifestFile(
        name, digest, data, builder.locations, builder.key_locations
    ), builder.problems


def _file_problem(path: Path, message: str) -> Problem:
    return Problem(str(path), 1, 1, "", message)


def _yaml_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    parts = [p for p in (exc.context, exc.problem) if p]
    return Problem(name, line, column, "", "invalid YAML: " + ", ".join(parts))


class _Builder:
    """Turns a composed node graph into plain data, recording locations and problems."""

    def __init__(self, file: str, interpolation: Interpolation) -> None:
        self.file = file
        self.interpolation = interpolation
        self.locations: dict[FieldPath, SourceLocation] = {}
        self.key_locations: dict[FieldPath, SourceLocation] = {}
        self.problems: list[Problem] = []
        self.fatal = False
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def loc(self, node: yaml.Node) -> SourceLocation:
        return SourceLocation(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        where = self.loc(node)
        self.problems.append(
            Problem(where.file, where.line, where.column, format_path(path), message)
        )

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        if self.fatal:
            return None
        self.count += 1
        if self.count > MAX_VALUES or len(path) > MAX_DEPTH:
            self.fatal = True
            limit = f"more than {MAX_VALUES} values" if self.count > MAX_VALUES else "nesting"
            self.problem(
                node, path, f"document too large or too deep ({limit}); alias expansion bomb?"
            )
            return None
        self.locations[path] = self.loc(node)
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.problem(node, path, f"tag {node.tag!r} is not allowed (plain YAML only)")
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.build_scalar(node, path)

    def build_mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            self.problem(node, path, f"tag {node.tag!r} is not allowed (plain YAML only)")
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
            self.key_locations[child] = self.loc(key_node)
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
        if node.tag not in _PLAIN_TAGS:
            self.problem(node, path, f"tag {node.tag!r} is not allowed (plain YAML only)")
            return node.value
        value = self.constructor.construct_object(node)
        if not isinstance(value, str) or "$" not in value:
            return value
        return self.interpolate_scalar(node, path, value)

    def interpolate_scalar(self, node: yaml.ScalarNode, path: FieldPath, value: str) -> Any:
        result = interpolate(value, self.interpolation)
        for message in result.errors:
            self.problem(node, path, message)
        if node.style is None and result.substituted and not result.errors:
            # An unquoted ${COUNT} becomes what YAML would have read had the value been written.
            tag = self.constructor.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, result.text, (True, False)
            )
            if tag in _PLAIN_TAGS - {"tag:yaml.org,2002:str"}:
                return self.constructor.construct_object(yaml.ScalarNode(tag, result.text))
        return result.text
