"""Manifests: files → YAML nodes with locations → interpolation → schema and semantic checks →
the desired model. :func:`load_desired_state` is the front door."""

from websets_sync.manifest.schema import load_desired_state

__all__ = ["load_desired_state"]
