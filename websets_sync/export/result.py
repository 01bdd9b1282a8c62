"""What an export produced: manifest documents of one project, and notes for the user."""

from __future__ import annotations

from dataclasses import dataclass

from websets_sync.export.fields import Document


@dataclass(frozen=True)
class ExportResult:
    """Manifest entries for one project. ``notes`` tell the user what to check before committing."""

    project: str
    websets: tuple[Document, ...] = ()
    webhooks: tuple[Document, ...] = ()
    #: Imports, pinned by id (their CSV cannot be downloaded).
    imports: tuple[Document, ...] = ()
    notes: tuple[str, ...] = ()
