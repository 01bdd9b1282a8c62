"""The domain model: addresses, desired resources (manifests) and live resources (the API).

These are plain frozen values that flow one way through the pipeline:
``manifest → DesiredState`` and ``client → fetch → LiveState``, both into ``plan``.
Per-kind knowledge (defaults, server-owned fields, operations) lives in :mod:`.kinds`.
"""

from websets_sync.model.address import (
    EXTERNAL_ID_PATTERN,
    KIND_ORDER,
    RESERVED_PREFIX,
    TAG_ALIAS,
    TAG_APPLY_NONCE,
    TAG_EXTERNAL_ID,
    TAG_FILE_SHA256,
    TAG_INITIAL_SEARCH,
    TAG_PREVENT_DESTROY,
    TAG_PROJECT,
    Address,
    Kind,
)
from websets_sync.model.desired import (
    Budget,
    CsvUpload,
    DesiredResource,
    DesiredState,
    DesiredWebset,
    ManifestSource,
    Move,
    SourceLocation,
)
from websets_sync.model.live import LiveObject, LiveState, LiveWebset

__all__ = [
    "EXTERNAL_ID_PATTERN",
    "KIND_ORDER",
    "RESERVED_PREFIX",
    "TAG_ALIAS",
    "TAG_APPLY_NONCE",
    "TAG_EXTERNAL_ID",
    "TAG_FILE_SHA256",
    "TAG_INITIAL_SEARCH",
    "TAG_PREVENT_DESTROY",
    "TAG_PROJECT",
    "Address",
    "Budget",
    "CsvUpload",
    "DesiredResource",
    "DesiredState",
    "DesiredWebset",
    "Kind",
    "LiveObject",
    "LiveState",
    "LiveWebset",
    "ManifestSource",
    "Move",
    "SourceLocation",
]
