"""Read manifest sets: one file, several files, or directories, with exact locations.

A set is every file given plus every ``*.yaml``/``*.yml`` below each directory given (sorted, hidden
folders skipped). Each file is composed safely and turned into data by ``yaml_nodes``. Problems
are collected, never raised: one bad file does not hide the errors of the next.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from websets_sync.errors import Problem
from websets_sync.manifest.interpolate import Interpolation
from websets_sync.manifest.yaml_nodes import FieldPath, NodeBuilder, expansion_refusal
from websets_sync.model import SourceLocation

MAX_FILE_BYTES = 10 * 1024 * 1024

_SCALAR_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=4096)
def _scalar_tag(value: str, implicit: tuple[bool, bool]) -> str:
    return str(_SCALAR_RESOLVER.resolve(yaml.ScalarNode, value, implicit))  # type: ignore[no-untyped-call]


def _c_loader() -> type[yaml.SafeLoader] | None:
    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None

    class CachedResolverCSafeLoader(base):  # type: ignore[valid-type,misc]
        """libyaml's composer; the tag of a plain scalar (a regex match per value in Python,
        the composer's main cost) is remembered: mapping keys repeat in every webset."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is yaml.ScalarNode and isinstance(value, str) and not self.yaml_path_resolvers:
                return _scalar_tag(value, tuple(implicit))
            return super().resolve(kind, value, implicit)

    return CachedResolverCSafeLoader


#: libyaml's composer when PyYAML was built with it (13x faster, with the same line:column marks);
#: None when only the pure-Python composer is there.
C_LOADER: type[yaml.SafeLoader] | None = _c_loader()


@dataclass(frozen=True)
class ManifestFile:
    """One parsed manifest file: its data and where each value and mapping key was written."""

    path: str
    sha256: str
    data: Any
    locations: Mapping[FieldPath, SourceLocation] = field(repr=False)
    key_locations: Mapping[FieldPath, SourceLocation] = field(repr=False)
    raw_texts: Mapping[FieldPath, str] = field(default_factory=dict, repr=False)

    def raw_texts_below(self, path: Sequence[str | int]) -> dict[FieldPath, str]:
        """The ${VAR} texts written below ``path``, keyed by the rest of their path."""
        prefix = tuple(path)
        return {
            key[len(prefix) :]: text
            for key, text in self.raw_texts.items()
            if key[: len(prefix)] == prefix and len(key) > len(prefix)
        }

    def location(self, path: Sequence[str | int], *, key: bool = False) -> SourceLocation:
        """Where ``path`` was written (its key when ``key``), or its nearest written parent."""
        current = tuple(path)
        if key and current in self.key_locations:
            return self.key_locations[current]
        while current and current not in self.locations:
            current = current[:-1]
        return self.locations.get(current, SourceLocation(self.path, 1, 1))


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
        root = compose(text, C_LOADER)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(name, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks every syntax error
        return None, [_file_problem(path, f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [_file_problem(path, "invalid YAML: nesting is too deep")]
    if root is None:
        return None, [
            _file_problem(path, "file is empty; expected a mapping with version and project")
        ]
    builder = NodeBuilder(name, Interpolation(env), text)
    refusal = expansion_refusal(root)
    if refusal is not None:
        builder.problem(*refusal)
        return None, builder.problems
    if not isinstance(root, yaml.MappingNode):
        message = "top level must be a mapping with version, project, websets, webhooks"
        builder.problem(root, (), message)
        return None, builder.problems
    data = builder.build(root, ())
    digest = hashlib.sha256(raw).hexdigest()
    return ManifestFile(
        name, digest, data, builder.locations, builder.key_locations, builder.raw_texts
    ), builder.problems


def compose(text: str, fast_loader: type[yaml.SafeLoader] | None) -> yaml.Node | None:
    """The node graph of ``text``: by ``fast_loader`` when given, else by the pure-Python composer.

    A document the fast composer refuses is composed again by the pure-Python one, whose error
    words and positions are the ones explained to people (``plain_yaml_error``); that costs time
    only for a file that does not parse.
    """
    if fast_loader is not None:
        try:
            return yaml.compose(text, Loader=fast_loader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _file_problem(path: Path, message: str) -> Problem:
    return Problem(str(path), 1, 1, "", message)


def _yaml_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    parser_words = ", ".join(p for p in (exc.context, exc.problem) if p)
    plain = plain_yaml_error(exc.context or "", exc.problem or "")
    message = f"{plain} (YAML parser: {parser_words})" if plain else parser_words
    return Problem(name, line, column, "", "invalid YAML: " + message)


def plain_yaml_error(context: str, problem: str) -> str | None:
    """The parser's complaint in the words of someone fixing a manifest, or None if unknown."""
    for pattern, words in _PLAIN_WORDS:
        if pattern.search(f"{context} | {problem}"):
            return words
    return None


_PLAIN_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (
            r"mapping values are not allowed",
            "a second ': ' on this line; put the value in quotes if it contains ': ', or "
            "start the key on a line of its own",
        ),
        (
            r"block (mapping|collection).*expected <block end>",
            "this line is indented differently from the lines above it (keys of one mapping, "
            "and items of one list, line up in the same column)",
        ),
        (r"flow sequence.*<stream end>", "a '[' list is never closed: add the missing ']'"),
        (r"flow sequence", "items of a [ ] list are separated by commas"),
        (r"flow mapping.*<stream end>", "a '{' mapping is never closed: add the missing '}'"),
        (r"flow mapping", "entries of a { } mapping are separated by commas"),
        (r"quoted scalar.*end of stream", "a quoted value is never closed: add the closing quote"),
        (r"character '\\t'", "a tab character: YAML indents with spaces only"),
        (
            r"cannot start any token",
            "this character cannot start a value: put the value in quotes",
        ),
        (r"could not find expected ':'", "a key without ':' after it"),
        (r"found undefined alias", "an alias (*name) that refers to no anchor (&name)"),
        (
            r"expected a single document",
            "a second document ('---'): one manifest file holds one document",
        ),
    )
)
