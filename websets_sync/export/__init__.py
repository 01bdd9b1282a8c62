"""Live state → manifests (``export``): :func:`export_state` builds the documents, and
:func:`render_document` / :func:`render_files` turn them into YAML text."""

from websets_sync.export.builder import export_state
from websets_sync.export.result import ExportResult
from websets_sync.export.select import infer_project, remembered_names
from websets_sync.export.yaml_text import render_document, render_files, schema_reference

__all__ = [
    "ExportResult",
    "export_state",
    "infer_project",
    "remembered_names",
    "render_document",
    "render_files",
    "schema_reference",
]
