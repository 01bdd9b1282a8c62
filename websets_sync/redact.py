"""Remove credentials from URLs before they reach any output (plans, logs, errors).

A webhook URL may carry a password (``https://user:pass@host``) or a token in its query string
(``?token=…``). Every view shows the URL with those parts replaced by ``REDACTED``.
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


def redact_url(url: str) -> str:
    """``url`` with userinfo and credential-like query values replaced by ``REDACTED``."""
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
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_value(value: Any) -> Any:
    """``value`` with every URL-looking string inside it redacted (dicts and lists walked)."""
    if isinstance(value, str):
        return redact_url(value) if "://" in value else value
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value
