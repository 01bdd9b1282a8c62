"""httpx client for the Websets API.

CONTRACT STUB — the foundation work replaces the bodies; the names and signatures below are what
fetch.py, apply.py and export use. Every method returns the decoded JSON (dicts) or None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

DEFAULT_API_URL = "https://api.exa.ai/websets/v0"

JSON = dict[str, Any]


class WebsetsClient:
    def __init__(
        self,
        http: httpx.Client,
        *,
        api_key: str,
        api_url: str = DEFAULT_API_URL,
        rate_limit: float = 8.0,
        max_retries: int = 5,
    ) -> None:
        raise NotImplementedError

    # websets
    def iter_websets(self) -> Iterator[JSON]:
        raise NotImplementedError

    def get_webset(self, id_or_external_id: str) -> JSON:
        raise NotImplementedError

    def create_webset(self, body: JSON) -> JSON:
        raise NotImplementedError

    def update_webset(self, webset_id: str, body: JSON) -> JSON:
        raise NotImplementedError

    def delete_webset(self, webset_id: str) -> JSON:
        raise NotImplementedError

    def cancel_webset(self, webset_id: str) -> JSON:
        raise NotImplementedError

    # searches
    def create_search(self, webset_id: str, body: JSON) -> JSON:
        raise NotImplementedError

    def get_search(self, webset_id: str, search_id: str) -> JSON:
        raise NotImplementedError

    def cancel_search(self, webset_id: str, search_id: str) -> JSON:
        raise NotImplementedError

    # enrichments
    def create_enrichment(self, webset_id: str, body: JSON) -> JSON:
        raise NotImplementedError

    def get_enrichment(self, webset_id: str, enrichment_id: str) -> JSON:
        raise NotImplementedError

    def update_enrichment(self, webset_id: str, enrichment_id: str, body: JSON) -> None:
        raise NotImplementedError

    def delete_enrichment(self, webset_id: str, enrichment_id: str) -> JSON:
        raise NotImplementedError

    # monitors
    def iter_monitors(self, webset_id: str | None = None) -> Iterator[JSON]:
        raise NotImplementedError

    def create_monitor(self, body: JSON) -> JSON:
        raise NotImplementedError

    def get_monitor(self, monitor_id: str) -> JSON:
        raise NotImplementedError

    def update_monitor(self, monitor_id: str, body: JSON) -> JSON:
        raise NotImplementedError

    def delete_monitor(self, monitor_id: str) -> JSON:
        raise NotImplementedError

    # webhooks
    def iter_webhooks(self) -> Iterator[JSON]:
        raise NotImplementedError

    def create_webhook(self, body: JSON) -> JSON:
        raise NotImplementedError

    def get_webhook(self, webhook_id: str) -> JSON:
        raise NotImplementedError

    def update_webhook(self, webhook_id: str, body: JSON) -> JSON:
        raise NotImplementedError

    def delete_webhook(self, webhook_id: str) -> JSON:
        raise NotImplementedError

    # items and imports
    def iter_items(self, webset_id: str) -> Iterator[JSON]:
        raise NotImplementedError

    def create_import(self, body: JSON) -> JSON:
        raise NotImplementedError

    def get_import(self, import_id: str) -> JSON:
        raise NotImplementedError

    def iter_imports(self) -> Iterator[JSON]:
        raise NotImplementedError

    def delete_import(self, import_id: str) -> JSON:
        raise NotImplementedError
