"""The one exception hierarchy of websets-sync.

Every error a user can see derives from :class:`WebsetsSyncError`. Its ``str()`` is one line fit
for ``Error: …``; ``detail`` holds any further lines. ``cli.py`` is the only place that turns these
into exit codes; everything else raises.

    WebsetsSyncError
    ├── ManifestError          manifests are invalid (carries every Problem at once)
    ├── ApiError               the Websets API answered with an error status
    │   ├── AuthError          401 / 403
    │   ├── NotFoundError      404
    │   ├── ConflictError      409 (e.g. duplicate webset externalId)
    │   └── RateLimitedError   429 still failing after every retry
    ├── TransportError         no usable answer (connect error, timeout) for a safe request
    ├── UnknownOutcomeError    a create whose outcome is unknown: reconcile by reading live state
    ├── PlanError              the plan cannot be made (ownership conflict, preventDestroy, …)
    │   └── StalePlanError     a saved plan no longer matches live state or manifests
    ├── StateError             the state file is unreadable, of another project, …
    │   ├── StateLockedError   another apply holds the lock
    │   └── StateSaveError     a change was made but the state could not be saved (rescued)
    ├── ApplyError             apply finished with failures (the result says which)
    └── EmulatorDataError      the emulator's data file cannot be read

Secrets never go into an error: the client builds messages from the method, path and the API's
own message, never from headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal


class WebsetsSyncError(Exception):
    """Base class. ``message`` is one line; ``detail`` is optional further text."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a manifest, with the place to fix it."""

    file: str
    line: int
    column: int
    path: str  # field path, e.g. "websets[0].searches[1].count"
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" {self.path}:" if self.path else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}:{field} {prefix}{self.message}"


class ManifestError(WebsetsSyncError):
    """The manifests are invalid. ``problems`` lists every error (and warning) found."""

    def __init__(self, problems: list[Problem], what: str = "manifests are") -> None:
        errors = [p for p in problems if p.severity == "error"]
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        super().__init__(
            f"{what} invalid ({count} {noun})",
            detail="\n".join(str(p) for p in problems),
        )
        self.problems = problems


class ApiError(WebsetsSyncError):
    """The API answered ``status``. ``api_message``/``tag``/``request_id`` come from its body."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        api_message: str | None = None,
        tag: str | None = None,
        request_id: str | None = None,
    ) -> None:
        text = f"{method} {path} failed with HTTP {status}"
        if api_message:
            text += f": {api_message}"
        extra = [f"tag={tag}" if tag else "", f"requestId={request_id}" if request_id else ""]
        extras = ", ".join(e for e in extra if e)
        if extras:
            text += f" ({extras})"
        super().__init__(text)
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.tag = tag
        self.request_id = request_id


class AuthError(ApiError):
    """401/403, or the real API's 400 ``x-api-key header is invalid``: the API key is missing,
    wrong or lacks permission."""

    HINT = "The API rejected the API key: check EXA_API_KEY."

    def __init__(self, **fields: Any) -> None:
        super().__init__(**fields)
        self.detail = self.HINT


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409, e.g. a webset with this externalId already exists."""


class RateLimitedError(ApiError):
    """429 after every retry was spent."""


class TransportError(WebsetsSyncError):
    """The request got no usable answer (connect error, timeout), after retries."""


class UnknownOutcomeError(WebsetsSyncError):
    """A create request may or may not have taken effect (timeout, connection lost, 5xx).

    Never retried blindly: the caller reads live state to find out what happened.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class PlanError(WebsetsSyncError):
    """The plan cannot be made as asked (ownership conflict, preventDestroy, bad target…)."""


class BudgetError(PlanError):
    """The plan may cost more than its budget (``--max-usd`` or the manifests' ``budget``)."""


class StalePlanError(PlanError):
    """A saved plan was made against live objects or manifests that have changed since."""


class StateError(WebsetsSyncError):
    """The state file cannot be used."""


class StateLockedError(StateError):
    """Another process holds the state lock."""


class ApplyError(WebsetsSyncError):
    """Apply finished, but some changes failed; the apply result lists them."""


class EmulatorDataError(WebsetsSyncError):
    """The built-in emulator's data file is unreadable or not an emulator file."""


class StateSaveError(StateError):
    """A change was made live but the state file could not be saved.

    ``rescue_file`` holds the whole state (secrets included) when it could be written elsewhere;
    ``resource_id`` is the live id whose record failed (None for a forget).
    """

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        rescue_file: Path | None = None,
        resource_id: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail)
        self.rescue_file = rescue_file
        self.resource_id = resource_id
