"""Remove credentials from URLs before they reach any output (plans, logs, errors).

A webhook URL may carry a password (``https://user:pass@host``), a token in its query string
(``?token=…``, ``?jwt=…``, ``?pass=…`` — any name), in its fragment (``#access_token=…``), in a
path parameter (``;token=…``), or in its path: Slack, Discord, Zapier and Teams incoming webhooks
are ``https://hooks.slack.com/services/T…/B…/<secret>``. Guessing which names are secret misses
some, so every query value, the fragment and every ``;param`` value are masked, as is every path
segment that looks like a token. Every view shows the URL with those parts replaced by
``REDACTED``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REDACTED = "REDACTED"

#: Hosts whose webhook URLs carry the secret in the path: every path segment but the fixed
#: words below is redacted for them.
_SECRET_PATH_HOSTS = re.compile(
    r"(^|\.)(hooks\.slack\.com|discord(app)?\.com|hooks\.zapier\.com|webhook\.office\.com"
    r"|chat\.googleapis\.com|api\.telegram\.org)$",
    re.IGNORECASE,
)
_FIXED_SEGMENTS = {"", "services", "api", "webhooks", "hooks", "catch", "webhookb2", "v1", "spaces"}
#: A segment of 8+ characters with at least two letters and two digits, a long one (20+), or
#: one starting like a well-known token (``whsec_``, ``sk_live_``, ``ghp_``, ``xoxb-``…) is taken
#: for a credential; names like ``hook-7`` or ``v2`` stay readable.
_TOKEN_SEGMENT = re.compile(
    r"^(?:(?=(?:.*[0-9]){2})(?=(?:.*[A-Za-z]){2})[^/]{8,}|[^/]{20,}"
    r"|(?:whsec|sk|pk|rk|ghp|gho|ghs|glpat|xox[abprs]|AKIA|eyJ)[_\-.A-Za-z0-9].*)$"
)
#: A query parameter name that is a plain word (kept so the URL stays readable).
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z_\-]{0,39}$")


def redact_url(url: str) -> str:
    """``url`` with every place a credential can hide replaced by ``REDACTED``: userinfo, every
    query value (and any query name that is not a plain word), the fragment, each ``;param``
    value and every token-like path segment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = _redact_query(parts.query) if parts.query else ""
    fragment = REDACTED if parts.fragment else ""
    path = _redact_path(parts.hostname or "", parts.path)
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def _redact_query(query: str) -> str:
    pairs = []
    for piece in query.split("&"):
        name, has_value, _ = piece.partition("=")
        shown = name if _PLAIN_NAME.match(name) else REDACTED
        pairs.append(f"{shown}={REDACTED}" if has_value else shown)
    return "&".join(pairs)


def _redact_path(host: str, path: str) -> str:
    known = bool(_SECRET_PATH_HOSTS.search(host))
    return "/".join(_redact_segment(segment, known) for segment in path.split("/"))


def _redact_segment(segment: str, known_host: bool) -> str:
    name, *params = segment.split(";")
    if (known_host and name not in _FIXED_SEGMENTS) or _TOKEN_SEGMENT.match(name):
        name = REDACTED
    shown = [f"{p.partition('=')[0]}={REDACTED}" if "=" in p else REDACTED for p in params]
    return ";".join([name, *shown])


def redact_change(before: Any, after: Any) -> tuple[Any, Any]:
    """Both values redacted; when redaction hides the only difference, ``after`` says so."""
    shown_before, shown_after = redact_value(before), redact_value(after)
    if shown_before == shown_after and before != after and isinstance(shown_after, str):
        shown_after += " (a redacted part changed)"
    return shown_before, shown_after


def redact_value(value: Any) -> Any:
    """``value`` with every URL-looking string inside it redacted (dicts and lists walked)."""
    if isinstance(value, str):
        return redact_url(value) if "://" in value else value
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value
