"""Reading Websets API responses: JSON objects out of 2xx answers, typed errors out of the rest.

Error bodies are read leniently (API-NOTES §2, §9): the documented ``{requestId, error, tag}``,
the NestJS-style ``{statusCode, timestamp, message, error, path}`` the real API answers for a
missing object (R6), or any text at all (a proxy's HTML page). A rejected API key is an
AuthError whether it comes as the documented 401 or as the recorded 400 ``x-api-key header is
invalid`` (R5). Whatever the API sends back passes through a :class:`Redactor` first, in case it
echoes the API key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from websets_sync.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
)

MAX_MESSAGE = 300
MIN_SECRET = 4  # shorter "secrets" (test placeholders) would mask ordinary letters

_ERROR_TYPES: dict[int, type[ApiError]] = {
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


class Redactor:
    """Masks known secrets in any text before it can reach an error or a log."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


def decode_object(
    method: str, path: str, response: httpx.Response, redactor: Redactor
) -> dict[str, Any]:
    """The JSON object of a successful response; an ApiError if it is not one."""
    payload = _json_or_none(response)
    if not isinstance(payload, dict):
        raise ApiError(
            method=method,
            path=path,
            status=response.status_code,
            api_message="the response is not a JSON object: "
            + _excerpt(response.text or "(empty body)", redactor),
            request_id=response.headers.get("x-request-id"),
        )
    return payload


def api_error(method: str, path: str, response: httpx.Response, redactor: Redactor) -> ApiError:
    """The typed error for an error response, carrying the API's message, tag and requestId."""
    payload = _json_or_none(response)
    message = tag = request_id = None
    if isinstance(payload, dict):
        parts = [_text(payload.get(key)) for key in ("error", "message")]
        distinct = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
        message = ": ".join(distinct) or None
        tag = _text(payload.get("tag"))
        request_id = _text(payload.get("requestId"))
    elif response.text.strip():
        message = response.text
    request_id = request_id or response.headers.get("x-request-id")
    error_type = _ERROR_TYPES.get(response.status_code, ApiError)
    if response.status_code == 400 and message is not None and _rejects_the_key(message):
        error_type = AuthError
    return error_type(
        method=method,
        path=path,
        status=response.status_code,
        api_message=_excerpt(message, redactor) if message else None,
        tag=_excerpt(tag, redactor) if tag else None,
        request_id=_excerpt(request_id, redactor) if request_id else None,
    )


def _rejects_the_key(message: str) -> bool:
    """The recorded answer to a wrong key: 400 ``x-api-key header is invalid``."""
    text = message.lower()
    return "x-api-key" in text and "invalid" in text


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:  # also UnicodeDecodeError
        return None


def _text(value: Any) -> str | None:
    """A message field as text: NestJS sends a list of messages, others a string."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, list) and value:
        return "; ".join(str(v) for v in value)
    if value is None or value == {}:
        return None
    return str(value)


def _excerpt(text: str, redactor: Redactor) -> str:
    """One redacted line, at most MAX_MESSAGE characters."""
    line = " ".join(redactor.redact(text).split())
    if len(line) > MAX_MESSAGE:
        return line[: MAX_MESSAGE - 1] + "…"
    return line
