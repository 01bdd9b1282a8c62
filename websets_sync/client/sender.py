"""Sending one Websets API request: throttling, retries, request records.

What is retried depends on whether the request may already have taken effect (see
:mod:`websets_sync.client.retry`): reads, updates, deletes and cancels are retried on 429, 5xx and
transport failures. A request that *creates* something is retried only when it provably did
nothing (429, or no connection was made); when it may have taken effect (5xx, timeout or
connection lost after sending) it raises :class:`UnknownOutcomeError`, so apply can reconcile by
reading live state instead of creating a duplicate.

The API key goes only into the ``x-api-key`` header: never into an error or a record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from websets_sync.client.ratelimit import Pacer
from websets_sync.client.responses import Redactor, api_error
from websets_sync.client.retry import (
    Fault,
    RetryPolicy,
    classify,
    is_retryable_status,
    retry_after_seconds,
)
from websets_sync.errors import TransportError, UnknownOutcomeError
from websets_sync.model.redact import redact_url

JSON = dict[str, Any]
Params = Mapping[str, str | int]


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP attempt, for ``--debug`` logs. Holds no headers and no bodies."""

    method: str
    path: str  # relative to the API URL, query string included
    status: int | None  # None when no response arrived
    duration: float  # seconds
    attempt: int  # 1 for the first try of a request
    error: str | None = None  # the transport failure, e.g. "ReadTimeout"


class Sender:
    """Sends requests to ``api_url`` + path; thread-safe (the token bucket is the only state)."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_key: str,
        api_url: str,
        policy: RetryPolicy,
        bucket: Pacer | None,
        on_request: Callable[[RequestRecord], None] | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        random: Callable[[], float],
        now: Callable[[], float],
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self.redactor = Redactor([api_key, httpx.URL(self.api_url).password or ""])
        self.bucket = bucket
        self._headers = {"x-api-key": api_key, "accept": "application/json"}
        self._policy = policy
        self._on_request = on_request
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._now = now
        sent = getattr(bucket, "sent", None)
        #: httpcore reports each step of a request to a "trace" callback: the pacer is told
        #: when the request has left (on HTTP/1.1 and HTTP/2 alike), not just when it started.
        self._extensions: dict[str, Callable[[str, dict[str, object]], None]] = (
            {} if sent is None else {"trace": _on_sent(sent)}
        )

    def __repr__(self) -> str:
        return f"Sender(api_url={redact_url(self.api_url)!r})"

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: JSON | None = None,
        creates: bool = False,
    ) -> httpx.Response:
        """One request with throttling and retries; a 2xx response, or a typed error."""
        attempt = 0
        while True:
            attempt += 1
            if self.bucket is not None:
                self.bucket.acquire()
            outcome = self._attempt(method, path, params, body, attempt)
            self._finished()
            response: httpx.Response | None = None
            if isinstance(outcome, httpx.Response):
                if outcome.is_success:
                    if self.bucket is not None:
                        self.bucket.speed_up()
                    return outcome
                self._check_status(method, path, outcome, creates, attempt)
                response = outcome  # its Retry-After decides the wait
                if response.status_code == 429 and self.bucket is not None:
                    # The shared bucket slows down and holds every caller for Retry-After;
                    # this request then waits its turn in the bucket like everyone else.
                    self.bucket.slow_down(retry_after_seconds(response, self._now()))
                    continue
            else:
                self._check_failure(method, path, outcome, creates, attempt)
            self._sleep(self._policy.delay(attempt, self._random(), response, self._now()))

    def _finished(self) -> None:
        """Tell the pacer an answer (or failure) came back: that request reached the server."""
        finished = getattr(self.bucket, "finished", None)
        if finished is not None:
            finished()

    def upload(self, url: str, content: bytes) -> None:
        """PUT ``content`` to a presigned upload URL: one attempt, no API key (the URL is the
        credential), and the URL never appears in a record or an error. Not paced: the URL is
        the storage's, not the Websets API's (its rate limit does not apply)."""
        started = self._clock()
        shown = "(presigned upload URL)"
        try:
            response = self.http.request(
                "PUT", url, content=content, headers={"content-type": "text/csv"}
            )
        except httpx.RequestError as exc:
            self._record("PUT", shown, None, started, 1, type(exc).__name__)
            raise TransportError(f"PUT {shown} failed: {type(exc).__name__}") from None
        self._record("PUT", shown, response.status_code, started, 1, None)
        if not response.is_success:
            raise TransportError(f"PUT {shown} answered HTTP {response.status_code}")

    def _attempt(
        self, method: str, path: str, params: Params | None, body: JSON | None, attempt: int
    ) -> httpx.Response | httpx.RequestError:
        started = self._clock()
        shown = f"{path}?{httpx.QueryParams(params)}" if params else path
        try:
            response = self.http.request(
                method,
                self.api_url + path,
                params=params,
                json=body,
                headers=self._headers,
                extensions=self._extensions,
            )
        except httpx.RequestError as exc:
            self._record(method, shown, None, started, attempt, type(exc).__name__)
            return exc
        self._record(method, shown, response.status_code, started, attempt, None)
        return response

    def _record(
        self,
        method: str,
        path: str,
        status: int | None,
        started: float,
        attempt: int,
        error: str | None,
    ) -> None:
        if self._on_request is not None:
            duration = self._clock() - started
            path = self.redactor.redact(path)
            self._on_request(RequestRecord(method, path, status, duration, attempt, error))

    def _check_status(
        self, method: str, path: str, response: httpx.Response, creates: bool, attempt: int
    ) -> None:
        """Raise unless this error status is worth another attempt."""
        status = response.status_code
        if creates and status >= 500:
            raise self._unknown(method, path, f"HTTP {status}")
        if not is_retryable_status(status) or attempt > self._policy.max_retries:
            raise api_error(method, path, response, self.redactor)

    def _check_failure(
        self, method: str, path: str, exc: httpx.RequestError, creates: bool, attempt: int
    ) -> None:
        """Raise unless this transport failure is worth another attempt."""
        fault = classify(exc)
        if creates and fault is Fault.MAYBE_SENT:
            raise self._unknown(method, path, type(exc).__name__)
        if fault is Fault.FATAL or attempt > self._policy.max_retries:
            reason = self.redactor.redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
            tries = "" if attempt == 1 else f" after {attempt} attempts"
            raise TransportError(
                f"{method} {path} failed{tries}: {reason}",
                detail=f"API URL: {redact_url(self.api_url)} (--api-url or "
                "WEBSETS_SYNC_API_URL); check the address and your network.",
            ) from None

    def _unknown(self, method: str, path: str, reason: str) -> UnknownOutcomeError:
        return UnknownOutcomeError(
            f"{method} {path}: outcome unknown ({reason}); it may have taken effect",
            method=method,
            path=path,
        )


def _on_sent(sent: Callable[[], None]) -> Callable[[str, dict[str, object]], None]:
    """A trace callback that calls ``sent`` when the request's last byte was written."""

    def trace(event: str, info: dict[str, object]) -> None:
        if event.endswith(".send_request_body.complete"):
            sent()

    return trace
