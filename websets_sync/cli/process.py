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
#: A threshold the count of middle-generation collections never reaches.
NEVER = 2**31 - 1

#: Set by the entry point: the collector is this process's to tune. Commands run in-process (by
#: tests, through click's runner) leave their host's collector alone.
_owned = {"collector": False}


def tune_garbage_collector() -> None:
    if platform.python_implementation() == "CPython":
        gc.set_threshold(*GC_THRESHOLDS)
        _owned["collector"] = True


def freeze_long_lived() -> None:
    """Leave everything allocated so far out of the collector's walks from now on: called when
    an apply starts, as the manifests, the live state and the plan live until the process ends.
    A full collection walks every tracked object with every thread stopped: 85 ms for a plan of
    1,000 websets, so about 0.4 s at 5,000, long enough to bunch requests that were paced for a
    server counting them in one-second windows."""
    if _owned["collector"]:
        gc.freeze()


def steady_collector_for_serving() -> None:
    """`emulator serve` never stops for a full collection (young objects are still collected):
    a walk of the whole store (32 ms per 1,000 websets) would bunch the requests that waited
    behind it, which its QPS limit then counts in one window."""
    if _owned["collector"]:
        young, middle, _ = GC_THRESHOLDS
        gc.set_threshold(young, middle, NEVER)
