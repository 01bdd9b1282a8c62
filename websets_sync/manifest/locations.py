"""Where each value of a manifest file was written, kept as the YAML marks themselves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import yaml

from websets_sync.model import SourceLocation

#: A field path inside one document: mapping keys and list indexes, e.g. ("websets", 0, "title").
FieldPath = tuple[str | int, ...]


class MarkLocations(Mapping[FieldPath, SourceLocation]):
    """Where each field path was written: the YAML marks are kept, and a SourceLocation is made
    only for the few paths a message is about (a large file has hundreds of thousands)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[FieldPath, yaml.Mark] = {}

    def __getitem__(self, path: FieldPath) -> SourceLocation:
        mark = self.marks[path]
        return SourceLocation(self.file, mark.line + 1, mark.column + 1)

    def __contains__(self, path: object) -> bool:
        return path in self.marks

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self.marks)

    def __len__(self) -> int:
        return len(self.marks)
