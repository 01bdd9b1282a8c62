"""Checks the JSON Schema cannot express: uniqueness across files, cron, timezones, URLs, reserved
metadata keys, and agreement of ``version``/``project`` between files.

Every check tolerates structurally invalid data (the schema reports that), so all errors of a
manifest set are found in one run.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from websets_sync.errors import Problem
from websets_sync.manifest.files import ManifestFile
from websets_sync.manifest.yaml_nodes import FieldPath, format_path
from websets_sync.model import RESERVED_PREFIX, SourceLocation
from websets_sync.model.cron import cron_problem
from websets_sync.state.lease import LEASE_PREFIX

CHILD_LISTS = {"searches": "search", "enrichments": "enrichment", "monitors": "monitor"}


@dataclass(frozen=True)
class Entry:
    """One resource mapping in one file, with its field path there."""

    manifest: ManifestFile
    path: FieldPath
    data: dict[str, Any]

    def problem(
        self,
        field: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        full = (*self.path, *field)
        where = self.manifest.location(full, key=key)
        return Problem(where.file, where.line, where.column, format_path(full), message, severity)

    def location(self, field: str) -> SourceLocation:
        return self.manifest.location((*self.path, field))


def entries(manifest: ManifestFile, path: FieldPath, value: Any) -> Iterator[Entry]:
    """The mapping items of a list field (anything else is the schema's to report)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield Entry(manifest, (*path, index), item)


def websets_of(manifest: ManifestFile) -> Iterator[Entry]:
    data = manifest.data if isinstance(manifest.data, dict) else {}
    return entries(manifest, ("websets",), data.get("websets"))


def webhooks_of(manifest: ManifestFile) -> Iterator[Entry]:
    data = manifest.data if isinstance(manifest.data, dict) else {}
    return entries(manifest, ("webhooks",), data.get("webhooks"))


def imports_of(manifest: ManifestFile) -> Iterator[Entry]:
    data = manifest.data if isinstance(manifest.data, dict) else {}
    return entries(manifest, ("imports",), data.get("imports"))


def children_of(webset: Entry, kind: str) -> Iterator[Entry]:
    return entries(webset.manifest, (*webset.path, kind), webset.data.get(kind))


def semantic_problems(manifests: Sequence[ManifestFile]) -> list[Problem]:
    problems = _agreement(manifests)
    websets = [w for m in manifests for w in websets_of(m)]
    webhooks = [h for m in manifests for h in webhooks_of(m)]
    problems += _unique(websets, "externalId", "webset externalId")
    problems += _unique(websets, "id", "pinned webset id")
    problems += _unique(webhooks, "externalId", "webhook externalId")
    imports = [i for m in manifests for i in imports_of(m)]
    problems += _unique(imports, "externalId", "import externalId")
    for declared in imports:
        problems += _metadata(declared)
    for webset in websets:
        for kind, noun in CHILD_LISTS.items():
            children = list(children_of(webset, kind))
            problems += _unique(children, "externalId", f"{noun} externalId")
            for child in children:
                problems += _metadata(child)
                if kind == "monitors":
                    problems += _cadence(child)
                if kind == "searches":
                    problems += _search_warnings(child, first=child is children[0])
        problems += _metadata(webset) + _enrichment_count(webset) + _lease_name(webset)
    for webhook in webhooks:
        problems += _metadata(webhook) + _webhook_url(webhook)
    return problems


def _agreement(manifests: Sequence[ManifestFile]) -> list[Problem]:
    problems: list[Problem] = []
    # version needs no check here: the schema already requires exactly 1 in every file.
    # A budget is project-wide: files may leave it out, but those that declare one agree.
    for field in ("project", "budget"):
        first: tuple[ManifestFile, Any] | None = None
        for manifest in manifests:
            if not isinstance(manifest.data, dict) or field not in manifest.data:
                continue
            value = manifest.data[field]
            if first is None:
                first = (manifest, value)
            elif value != first[1]:
                where = manifest.location((field,))
                message = (
                    f"{field} {_brief(value)} differs from {_brief(first[1])} in {first[0].path}"
                )
                message += " (all files of a manifest set must agree)"
                problems.append(Problem(where.file, where.line, where.column, field, message))
    return problems


def _brief(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return repr(value)


def _unique(items: Sequence[Entry], field: str, what: str) -> list[Problem]:
    problems = []
    first_seen: dict[str, Entry] = {}
    for item in items:
        value = item.data.get(field)
        if not isinstance(value, str):
            continue
        if value in first_seen:
            where = first_seen[value].location(field)
            problems.append(
                item.problem([field], f"duplicate {what} {value!r} (first declared at {where})")
            )
        else:
            first_seen[value] = item
    return problems


def _lease_name(webset: Entry) -> list[Problem]:
    """The project lease's externalId is the tool's own (DESIGN §9): no declared webset takes it."""
    external_id = webset.data.get("externalId")
    if isinstance(external_id, str) and external_id.startswith(LEASE_PREFIX):
        message = f"externalIds starting with {LEASE_PREFIX!r} are reserved for project leases"
        return [webset.problem(["externalId"], message)]
    return []


def _metadata(item: Entry) -> list[Problem]:
    metadata = item.data.get("metadata")
    if not isinstance(metadata, dict):
        return []
    return [
        item.problem(
            ["metadata", key],
            f"metadata key {key!r} uses the prefix {RESERVED_PREFIX!r}, which is reserved for "
            "websets-sync's own tags",
            key=True,
        )
        for key in metadata
        if str(key).startswith(RESERVED_PREFIX)
    ]


def _cadence(monitor: Entry) -> list[Problem]:
    cadence = monitor.data.get("cadence")
    if not isinstance(cadence, dict):
        return []
    problems = []
    cron = cadence.get("cron")
    if isinstance(cron, str) and cron:
        problem = cron_problem(cron)
        if problem is not None:
            problems.append(monitor.problem(["cadence", "cron"], problem))
    zone = cadence.get("timezone")
    if isinstance(zone, str) and zone and not is_timezone(zone):
        close = difflib.get_close_matches(zone, sorted(_zones()), n=1, cutoff=0.6)
        hint = (
            f" (did you mean '{close[0]}'?)" if close else " (use an IANA name like Europe/Paris)"
        )
        problems.append(
            monitor.problem(["cadence", "timezone"], f"unknown timezone {zone!r}{hint}")
        )
    return problems


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    """True for a real IANA zone name (not a file that happens to sit in the zoneinfo folder)."""
    zones = _zones()
    if zones:
        return name in zones
    try:  # pragma: no cover - only without any tz database listing
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # pragma: no cover
        return False
    return True  # pragma: no cover


def _search_warnings(search: Entry, *, first: bool) -> list[Problem]:
    warnings = []
    if first and search.data.get("metadata"):
        warnings.append(
            search.problem(
                ["metadata"],
                "not sent: the first search is created inside the create-webset request, "
                "which takes no search metadata",
                severity="warning",
            )
        )
    return warnings


#: Beyond this many enrichments on one webset, validate warns. No Exa source states a limit
#: (API-NOTES §9); earlier versions of this tool enforced 10 as if one did.
MANY_ENRICHMENTS = 10


def _enrichment_count(webset: Entry) -> list[Problem]:
    enrichments = webset.data.get("enrichments")
    if not isinstance(enrichments, list) or len(enrichments) <= MANY_ENRICHMENTS:
        return []
    message = (
        f"{len(enrichments)} enrichments: more than {MANY_ENRICHMENTS}, which no Exa source "
        "documents as allowed or refused; apply reports it if the API refuses one"
    )
    return [webset.problem(["enrichments"], message, severity="warning")]


def _webhook_url(webhook: Entry) -> list[Problem]:
    # Never echo the URL: it often carries a token.
    url = webhook.data.get("url")
    if not isinstance(url, str) or not url:
        return []
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        return [webhook.problem(["url"], "must be an absolute http:// or https:// URL")]
    if any(c.isspace() for c in url):
        return [webhook.problem(["url"], "must not contain whitespace (percent-encode it)")]
    if scheme == "http":
        message = "uses plain http: events travel unencrypted; use https"
        return [webhook.problem(["url"], message, severity="warning")]
    return []
