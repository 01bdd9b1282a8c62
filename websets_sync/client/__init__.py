"""The HTTP client of the Websets API: endpoints, transport (retries, unknown outcomes), rate
limit. :class:`WebsetsClient` is the front door."""

from websets_sync.client.endpoints import DEFAULT_API_URL, WebsetsClient

__all__ = ["DEFAULT_API_URL", "WebsetsClient"]
