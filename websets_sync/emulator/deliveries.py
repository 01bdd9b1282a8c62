"""Signed webhook deliveries: real HTTP POSTs of events, with retries in emulated time.

Every event is offered to each active webhook subscribed to its type. Attempts are sent outside
the emulator's lock (a receiver may call the emulator back) and recorded under it, both as the
webhook's attempts (``GET /webhooks/{id}/attempts``) and in the harness log
(``GET /__emulator/deliveries``). By default only loopback addresses are contacted, so a test
suite never reaches the internet by accident.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from websets_sync.emulator.store import JSON, Store, iso, public

#: Seconds after a failed attempt before the next one (then the delivery is given up).
#: Exa documents retries but not their schedule; this one is the emulator's choice.
RETRY_DELAYS = (60.0, 300.0, 1800.0, 7200.0, 18000.0)
DELIVER_TO = ("loopback", "any")
#: Attempts kept per webhook (the API's retention is not documented; memory guard).
_MAX_ATTEMPTS_KEPT = 500
_MAX_BODY_KEPT = 2000
USER_AGENT = "websets-sync-emulator"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Exa-Signature`` value: ``t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}">``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Pending:
    """One attempt waiting for its time: which event, to which webhook, the how-many-th."""

    due: float
    webhook_id: str
    event_id: str
    event_type: str
    body: bytes
    attempt: int = 1


@dataclass
class Outcome:
    url: str
    headers: dict[str, str]
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    error: str | None = None
    refused: bool = False

    @property
    def successful(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Deliveries:
    """The delivery queue and the harness log. Callers hold the emulator lock except in ``send``."""

    deliver_to: str = "loopback"
    timeout: float = 5.0
    pending: list[Pending] = field(default_factory=list)
    log: list[JSON] = field(default_factory=list)
    event_mark: int = 0

    def __post_init__(self) -> None:
        if self.deliver_to not in DELIVER_TO:
            raise ValueError(f"deliver_to must be one of {', '.join(DELIVER_TO)}")

    def reset(self, mark: int) -> None:
        self.pending.clear()
        self.log.clear()
        self.event_mark = mark

    def collect(self, store: Store) -> None:
        """Queue every event emitted since the last call for the webhooks that subscribe to it."""
        fresh = []
        for event in reversed(store.objects["event"].values()):
            if int(event["_seq"]) <= self.event_mark:
                break
            fresh.append(event)
        if not fresh:
            return
        self.event_mark = max(int(event["_seq"]) for event in fresh)
        # Webhooks are configuration (a handful per account, unlike items or events): read once
        # per batch of new events.
        webhooks = store.objects["webhook"].values()
        hooks = [w for w in webhooks if w.get("status") == "active"]
        now = store.now()
        for event in reversed(fresh):
            body = None
            for hook in hooks:
                if event["type"] not in hook.get("events", []):
                    continue
                if body is None:
                    body = json.dumps(public(event), separators=(",", ":")).encode()
                self.pending.append(Pending(now, hook["id"], event["id"], event["type"], body))

    def take_due(self, now: float) -> list[Pending]:
        due = [p for p in self.pending if p.due <= now]
        self.pending = [p for p in self.pending if p.due > now]
        return due

    def prepare(self, store: Store, pending: Pending) -> tuple[str, str] | None:
        """(url, secret) of a webhook still there and active; None drops the delivery."""
        hook = store.find("webhook", pending.webhook_id)
        if hook is None or hook.get("status") != "active" or not hook.get("_secret"):
            return None
        return str(hook["url"]), str(hook["_secret"])

    def send(self, pending: Pending, url: str, secret: str, now: float) -> Outcome:
        """POST the event (no lock held). Refused targets are logged, not attempted."""
        timestamp = int(now)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Exa-Signature": signature(secret, timestamp, pending.body),
        }
        if self.deliver_to == "loopback" and not is_loopback(url):
            reason = "not a loopback address; serve with --deliver-to any to deliver elsewhere"
            return Outcome(url, headers, error=reason, refused=True)
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(url, content=pending.body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(url, headers, error=f"{type(exc).__name__}: {exc}")
        return Outcome(
            url,
            headers,
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=response.text[:_MAX_BODY_KEPT],
        )

    def record(self, store: Store, pending: Pending, outcome: Outcome, now: float) -> None:
        entry: JSON = {
            "webhookId": pending.webhook_id,
            "eventId": pending.event_id,
            "eventType": pending.event_type,
            "url": outcome.url,
            "attempt": pending.attempt,
            "status": outcome.status,
            "successful": outcome.successful,
            "error": outcome.error,
            "headers": outcome.headers,
            "body": pending.body.decode(),
            "attemptedAt": iso(now),
        }
        self.log.append(entry)
        if outcome.refused:
            return
        hook = store.find("webhook", pending.webhook_id)
        if hook is not None:
            attempts = hook.setdefault("_attempts", [])
            store.counter += 1
            attempts.append(
                {
                    "id": f"{pending.webhook_id}_attempt_{store.counter}",
                    "object": "webhook_attempt",
                    "eventId": pending.event_id,
                    "eventType": pending.event_type,
                    "webhookId": pending.webhook_id,
                    "url": outcome.url,
                    "successful": outcome.successful,
                    "responseHeaders": outcome.response_headers,
                    "responseBody": outcome.response_body,
                    # The spec requires a number; 0 stands for "no response" (timeout, refused).
                    "responseStatusCode": outcome.status or 0,
                    "attempt": pending.attempt,
                    "attemptedAt": iso(now),
                    "_seq": store.counter,
                }
            )
            del attempts[:-_MAX_ATTEMPTS_KEPT]
            store.dirty = True
        if not outcome.successful and pending.attempt <= len(RETRY_DELAYS):
            pending.due = now + RETRY_DELAYS[pending.attempt - 1]
            pending.attempt += 1
            self.pending.append(pending)


def attempts(hook: JSON) -> list[JSON]:
    return list(hook.get("_attempts", []))
