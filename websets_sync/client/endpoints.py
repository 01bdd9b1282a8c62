"""httpx client for the Websets API: one method per endpoint, lists as lazy iterators.

Every method returns the decoded JSON object (or None for the empty enrichment PATCH answer) and
raises the types in :mod:`websets_sync.errors`. One client may be used from several threads.
Throttling and retries live in :mod:`websets_sync.client.sender`: every ``create_*`` may raise
:class:`~websets_sync.errors.UnknownOutcomeError` when it may or may not have taken effect.

The API key goes only into the ``x-api-key`` request header. It never reaches an error, a
:class:`RequestRecord` or a repr, and is masked if the API echoes it back.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from websets_sync.client.ratelimit import DEFAULT_RATE_LIMIT, pacer
from websets_sync.client.responses import decode_object
from websets_sync.client.retry import RetryPolicy
from websets_sync.client.sender import Params, RequestRecord, Sender
from websets_sync.errors import NotFoundError, TransportError
from websets_sync.model.redact import redact_url

__all__ = ["DEFAULT_API_URL", "JSON", "RequestRecord", "WebsetsClient"]

DEFAULT_API_URL = "https://api.exa.ai/websets/v0"

JSON = dict[str, Any]

# Largest page each list accepts (API-NOTES §2): fewer requests per fetch.
WEBSETS_PAGE = 100
ITEMS_PAGE = 100
MONITORS_PAGE = WEBHOOKS_PAGE = IMPORTS_PAGE = 200
_PAGES = {"/monitors": MONITORS_PAGE, "/webhooks": WEBHOOKS_PAGE, "/imports": IMPORTS_PAGE}


def _segment(value: str) -> str:
    """One path segment: every reserved character percent-encoded (ids may contain / ? #)."""
    if value in (".", ".."):
        return value.replace(".", "%2E")  # or URL normalisation would resolve them away
    return quote(value, safe="")


def _wrong_base_url(api_url: str) -> str:
    shown = redact_url(api_url)
    hint = (
        f"The API URL {shown} does not end in /websets/v0: did you mean {shown.rstrip('/')}"
        "/websets/v0?"
        if not api_url.rstrip("/").endswith("/websets/v0")
        else f"Is {shown} the Websets API? Its collections were not found there."
    )
    return hint + " (set with --api-url or WEBSETS_SYNC_API_URL)"


class WebsetsClient:
    """The Websets API over an injected ``httpx.Client``; safe to share between threads."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_key: str,
        api_url: str = DEFAULT_API_URL,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        max_retries: int = 5,
        burst: int = 1,
        backoff_base: float = 0.5,
        backoff_cap: float = 20.0,
        max_retry_after: float = 60.0,
        on_request: Callable[[RequestRecord], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        now: Callable[[], float] = time.time,
    ) -> None:
        """``rate_limit`` is requests per second (0 or None: unlimited). ``sleep``, ``clock``
        (monotonic), ``random`` and ``now`` (wall clock, for Retry-After dates) are injectable."""
        bucket = pacer(rate_limit, burst, clock, sleep)
        self._sender = Sender(
            http,
            api_key=api_key,
            api_url=api_url,
            policy=RetryPolicy(max_retries, backoff_base, backoff_cap, max_retry_after),
            bucket=bucket,
            on_request=on_request,
            sleep=sleep,
            clock=clock,
            random=random,
            now=now,
        )

    def __repr__(self) -> str:
        sender = self._sender
        rate = sender.bucket.rate if sender.bucket else None
        url = redact_url(sender.api_url)
        return f"WebsetsClient(api_url={url!r}, rate_limit={rate!r})"

    @property
    def api_url(self) -> str:
        """The API base URL this client talks to (may hold credentials: never print it raw)."""
        return self._sender.api_url

    def close(self) -> None:
        """Close the underlying httpx client."""
        self._sender.http.close()

    def __enter__(self) -> WebsetsClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # websets
    def iter_websets(self) -> Iterator[JSON]:
        return self._paginate("/websets", WEBSETS_PAGE)

    def get_webset(self, id_or_external_id: str) -> JSON:
        return self._json("GET", f"/websets/{_segment(id_or_external_id)}")

    def create_webset(self, body: JSON) -> JSON:
        return self._json("POST", "/websets", body=body, creates=True)

    def update_webset(self, webset_id: str, body: JSON) -> JSON:
        # The API updates websets with POST; unlike a create it is safe to repeat.
        return self._json("POST", f"/websets/{_segment(webset_id)}", body=body)

    def delete_webset(self, webset_id: str) -> JSON:
        return self._json("DELETE", f"/websets/{_segment(webset_id)}")

    def cancel_webset(self, webset_id: str) -> JSON:
        return self._json("POST", f"/websets/{_segment(webset_id)}/cancel")

    # searches
    def create_search(self, webset_id: str, body: JSON) -> JSON:
        path = f"/websets/{_segment(webset_id)}/searches"
        return self._json("POST", path, body=body, creates=True)

    def get_search(self, webset_id: str, search_id: str) -> JSON:
        return self._json("GET", f"/websets/{_segment(webset_id)}/searches/{_segment(search_id)}")

    def cancel_search(self, webset_id: str, search_id: str) -> JSON:
        path = f"/websets/{_segment(webset_id)}/searches/{_segment(search_id)}/cancel"
        return self._json("POST", path)

    # enrichments
    def create_enrichment(self, webset_id: str, body: JSON) -> JSON:
        path = f"/websets/{_segment(webset_id)}/enrichments"
        return self._json("POST", path, body=body, creates=True)

    def get_enrichment(self, webset_id: str, enrichment_id: str) -> JSON:
        return self._json("GET", self._enrichment_path(webset_id, enrichment_id))

    def update_enrichment(self, webset_id: str, enrichment_id: str, body: JSON) -> None:
        # The API answers 200 with an empty body: nothing to decode; re-GET for the new object.
        self._sender.send("PATCH", self._enrichment_path(webset_id, enrichment_id), body=body)

    def delete_enrichment(self, webset_id: str, enrichment_id: str) -> JSON:
        return self._json("DELETE", self._enrichment_path(webset_id, enrichment_id))

    @staticmethod
    def _enrichment_path(webset_id: str, enrichment_id: str) -> str:
        return f"/websets/{_segment(webset_id)}/enrichments/{_segment(enrichment_id)}"

    # monitors
    def iter_monitors(self, webset_id: str | None = None) -> Iterator[JSON]:
        params = {"websetId": webset_id} if webset_id is not None else {}
        return self._paginate("/monitors", MONITORS_PAGE, params)

    def create_monitor(self, body: JSON) -> JSON:
        return self._json("POST", "/monitors", body=body, creates=True)

    def get_monitor(self, monitor_id: str) -> JSON:
        return self._json("GET", f"/monitors/{_segment(monitor_id)}")

    def update_monitor(self, monitor_id: str, body: JSON) -> JSON:
        return self._json("PATCH", f"/monitors/{_segment(monitor_id)}", body=body)

    def delete_monitor(self, monitor_id: str) -> JSON:
        return self._json("DELETE", f"/monitors/{_segment(monitor_id)}")

    # webhooks
    def iter_webhooks(self) -> Iterator[JSON]:
        return self._paginate("/webhooks", WEBHOOKS_PAGE)

    def create_webhook(self, body: JSON) -> JSON:
        return self._json("POST", "/webhooks", body=body, creates=True)

    def get_webhook(self, webhook_id: str) -> JSON:
        return self._json("GET", f"/webhooks/{_segment(webhook_id)}")

    def update_webhook(self, webhook_id: str, body: JSON) -> JSON:
        return self._json("PATCH", f"/webhooks/{_segment(webhook_id)}", body=body)

    def delete_webhook(self, webhook_id: str) -> JSON:
        return self._json("DELETE", f"/webhooks/{_segment(webhook_id)}")

    # items and imports
    def iter_items(self, webset_id: str) -> Iterator[JSON]:
        return self._paginate(f"/websets/{_segment(webset_id)}/items", ITEMS_PAGE)

    def create_import(self, body: JSON) -> JSON:
        return self._json("POST", "/imports", body=body, creates=True)

    def get_import(self, import_id: str) -> JSON:
        return self._json("GET", f"/imports/{_segment(import_id)}")

    def iter_imports(self) -> Iterator[JSON]:
        return self._paginate("/imports", IMPORTS_PAGE)

    def delete_import(self, import_id: str) -> JSON:
        return self._json("DELETE", f"/imports/{_segment(import_id)}")

    def upload(self, url: str, content: bytes) -> None:
        """PUT an import's CSV to the ``uploadUrl`` of its create answer (no API key)."""
        self._sender.upload(url, content)

    # apply steps
    def send_step(
        self,
        method: str,
        template: str,
        ids: Mapping[str, str],
        *,
        body: JSON | None = None,
        creates: bool = False,
        empty_answer: bool = False,
    ) -> JSON | None:
        """One request of an apply step. ``template`` names ids by placeholder (``{webset}``,
        ``{id}``); each is filled in percent-encoded as one path segment. ``empty_answer``:
        the endpoint answers 200 with no body (None is returned)."""
        path = template.format_map({name: _segment(value) for name, value in ids.items()})
        if empty_answer:
            self._sender.send(method, path, body=body)
            return None
        return self._json(method, path, body=body, creates=creates)

    def iter_list(self, path: str, **params: str) -> Iterator[JSON]:
        """Every object of the list at ``path`` (e.g. ``/monitors`` with ``websetId``)."""
        return self._paginate(path, _PAGES.get(path, WEBSETS_PAGE), params)

    # --- plumbing ---------------------------------------------------------------------------

    def _paginate(self, path: str, limit: int, params: Params | None = None) -> Iterator[JSON]:
        """Every object of a list, page by page (lazily), following nextCursor while hasMore."""
        query: dict[str, str | int] = {**(params or {}), "limit": limit}
        while True:
            try:
                page = self._json("GET", path, params=query)
            except NotFoundError as exc:
                if path.count("/") == 1:  # a top-level collection is never missing
                    exc.detail = _wrong_base_url(self._sender.api_url)
                raise
            data = page.get("data")
            if not isinstance(data, list):
                raise TransportError(f"GET {path}: the list response has no data array")
            yield from data
            cursor = page.get("nextCursor")
            if not page.get("hasMore") or not isinstance(cursor, str) or not cursor:
                return
            if cursor == query.get("cursor"):  # a server bug would otherwise loop forever
                raise TransportError(f"GET {path}: the list cursor did not advance")
            query = {**query, "cursor": cursor}

    def _json(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: JSON | None = None,
        creates: bool = False,
    ) -> JSON:
        response = self._sender.send(method, path, params=params, body=body, creates=creates)
        return decode_object(method, path, response, self._sender.redactor)
