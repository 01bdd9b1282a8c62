"""Live state → manifests (``export``). :func:`export_state` is the front door."""

from websets_sync.export.builder import export_state

__all__ = ["export_state"]
