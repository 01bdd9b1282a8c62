"""Process-wide settings of the websets-sync command (``make bench`` applies them too: it
measures what the command does)."""

from __future__ import annotations

import gc
import platform

#: Allocations between two young-generation collections, and how many of those per older one.
#: A run builds a few large structures that live to its end (the manifests' node graphs and data,
#: the live state, the plan) and frees little; at CPython's default (700, 10, 10) the collector
#: walks them again and again: a third of the CPU of a plan of 1,000 websets (1.99 s → 1.37 s).
#: mypy sets the same values for the same reason.
GC_THRESHOLDS = (200_000, 30, 30)


def tune_garbage_collector() -> None:
    if platform.python_implementation() == "CPython":
        gc.set_threshold(*GC_THRESHOLDS)
