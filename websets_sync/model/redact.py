"""Remove credentials from URLs before they reach any output (plans, logs, errors).

A webhook URL may carry a password (``https://user:pass@host``), a token in its query string
(``?token=…``), or a token in its path: Slack, Discord, Zapier and Teams incoming webhooks are
``https://hooks.slack.com/services/T…/B…/<secret>``. Every view shows the URL with those parts
replaced by ``REDACTED``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

#: Query parameter names that carry credentials (matched case-insensitively, as substrings).
_SECRET_PARAM = re.compile(
    r"token|secret|key|sig|signature|password|passwd|pwd|auth|credential|session|code",
    re.IGNORECASE,
)


#: Hosts whose webhook URLs carry the secret in the path: every path segment but the fixed
#: words below is redacted for them.
_SECRET_PATH_HOSTS = re.compile(
    r"(^|\.)(hooks\.slack\.com|discord(app)?\.com|hooks\.zapier\.com|webhook\.office\.com"
    r"|chat\.googleapis\.com|api\.telegram\.org)$",
    re.IGNORECASE,
)
_FIXED_SEGMENTS = {"", "services", "api", "webhooks", "hooks", "catch", "webhookb2", "v1", "spaces"}
#: Elsewhere, a long segment mixing letters and digits is taken for a token.
_TOKEN_SEGMENT = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_\-.~]{20,}$")


def redact_url(url: str) -> str:
    """``url`` with userinfo, credential-like query values and path tokens replaced by
    ``REDACTED``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        cleaned = [(k, REDACTED if _SECRET_PARAM.search(k) else v) for k, v in pairs]
        if cleaned != pairs:
            query = urlencode(cleaned, safe=REDACTED)
    path = _redact_path(parts.hostname or "", parts.path)
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def _redact_path(host: str, path: str) -> str:
    known = bool(_SECRET_PATH_HOSTS.search(host))
    segments = [
        REDACTED
        if (known and segment not in _FIXED_SEGMENTS) or _TOKEN_SEGMENT.match(segment)
        else segment
        for segment in path.split("/")
    ]
    return "/".join(segments)


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
