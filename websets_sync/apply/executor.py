"""One change of the plan → its request(s), and what the state file remembers afterwards.

Every successful mutation is recorded in the state file before the next request is sent, so an
apply killed at any moment has saved everything it did (secrets included).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from websets_sync.apply import bodies
from websets_sync.apply.reconcile import (
    create_once,
    find_child,
    find_webhook,
    find_webset,
)
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import ApplyError, NotFoundError
from websets_sync.model import (
    TAG_APPLY_NONCE,
    TAG_EXTERNAL_ID,
    DesiredResource,
    DesiredWebset,
    Kind,
)
from websets_sync.plan import protection
from websets_sync.plan.types import Action, Change
from websets_sync.state.store import ResourceState, StateStore

JSON = dict[str, Any]

LOST_RESPONSE_NOTE = "its create had already happened (answer lost); found it, not created again"


@dataclass(frozen=True)
class StepOutcome:
    """What one change did: the live id it ended with, an optional note, the returned object."""

    id: str | None
    note: str | None = None
    data: JSON | None = None
    #: A webhook whose create answer (the only one holding its secret) was lost.
    secret_lost: bool = False


class Executor:
    """Sends the requests of single changes; shared by the threads of one apply."""

    def __init__(
        self,
        client: WebsetsClient,
        store: StateStore,
        project: str,
        known_ids: frozenset[str],
    ) -> None:
        self.client = client
        self.store = store
        self.project = project
        self.known_ids = known_ids
        #: On every create of this apply: what it finds after a lost answer or a 409 is its own
        #: only when it carries this value (another writer's object never passes for ours).
        self.nonce = secrets.token_hex(8)

    def execute(self, change: Change, webset_id: str | None) -> StepOutcome:
        if change.action is Action.DELETE:
            return self._delete(change, webset_id)
        if change.kind is Kind.WEBSET:
            return self._webset(change)
        if change.kind is Kind.WEBHOOK:
            return self._webhook(change)
        if webset_id is None:
            raise ApplyError(f"{change.address}: the parent webset has no id")
        if change.action in (Action.UPDATE, Action.ADOPT):
            # Adopting a child is an update that also adds our tags (the body always has them).
            return self._update_child(change, webset_id)
        return self._create_child(change, webset_id)

    # --- websets ---------------------------------------------------------------------------------

    def _webset(self, change: Change) -> StepOutcome:
        desired = _desired_webset(change)
        if change.action is Action.CREATE:
            body = self._stamped(bodies.webset_create_body(desired, self.project))
            data, found = create_once(
                lambda: self.client.create_webset(body),
                lambda: find_webset(self.client, desired.external_id, self.project, self.nonce),
            )
        else:  # update or adopt: adopting is an update that adds our tags
            protect = protection.in_force(desired, change.live, self.store.state)
            body = bodies.webset_update_body(desired, self.project, change.live, protect=protect)
            data = self.client.update_webset(_live_id(change), body)
            found = False
        self.remember_webset(change, str(data["id"]))
        return StepOutcome(str(data["id"]), LOST_RESPONSE_NOTE if found else None, data)

    def remember_webset(self, change: Change, webset_id: str) -> None:
        """Record the id and the preventDestroy in force (the manifest's, else the remembered)."""
        desired = _desired_webset(change)
        protect = protection.in_force(desired, change.live, self.store.state)
        record = ResourceState(id=webset_id, prevent_destroy=protect)
        self.store.record(str(change.address), record)

    # --- searches, enrichments, monitors ---------------------------------------------------------

    def _create_child(self, change: Change, webset_id: str) -> StepOutcome:
        desired = _desired_resource(change)
        body, create = self._child_create_request(desired, webset_id)
        data, found = create_once(
            create,
            lambda: find_child(
                self.client,
                change.kind,
                webset_id,
                change.address.name,
                self.project,
                body,
                self.known_ids,
                self.nonce,
            ),
        )
        self.remember(change, str(data["id"]))
        if desired.kind is Kind.MONITOR:
            self._disable_if_declared(desired, str(data["id"]))
        return StepOutcome(str(data["id"]), LOST_RESPONSE_NOTE if found else None, data)

    def _disable_if_declared(self, monitor: DesiredResource, monitor_id: str) -> None:
        """Monitors are created enabled; one declared ``enabled: false`` is disabled at once."""
        follow_up = bodies.monitor_after_create(monitor)
        if follow_up is not None:
            self.client.update_monitor(monitor_id, follow_up)

    def _child_create_request(
        self, desired: DesiredResource, webset_id: str
    ) -> tuple[JSON, Callable[[], JSON]]:
        client = self.client
        if desired.kind is Kind.SEARCH:
            body = self._stamped(bodies.search_body(desired, self.project))
            return body, lambda: client.create_search(webset_id, body)
        if desired.kind is Kind.ENRICHMENT:
            body = self._stamped(bodies.enrichment_body(desired, self.project))
            return body, lambda: client.create_enrichment(webset_id, body)
        body = self._stamped(bodies.monitor_create_body(desired, self.project, webset_id))
        return body, lambda: client.create_monitor(body)

    def _stamped(self, body: JSON) -> JSON:
        """``body`` with this apply's nonce in its metadata (and its inline enrichments')."""
        stamped = {
            **body,
            "metadata": {**(body.get("metadata") or {}), TAG_APPLY_NONCE: self.nonce},
        }
        if isinstance(body.get("enrichments"), list):
            stamped["enrichments"] = [self._stamped(e) for e in body["enrichments"]]
        return stamped

    def _update_child(self, change: Change, webset_id: str) -> StepOutcome:
        desired = _desired_resource(change)
        live_id = _live_id(change)
        if change.kind is Kind.ENRICHMENT:
            body = bodies.enrichment_update_body(desired, self.project)
            # Empty 200 body: the caller confirms all of a webset's PATCHes with one re-read.
            self.client.update_enrichment(webset_id, live_id, body)
            self.remember(change, live_id)
            return StepOutcome(live_id, data=body)
        if change.kind is Kind.MONITOR:
            data = self.client.update_monitor(
                live_id, bodies.monitor_update_body(desired, self.project)
            )
            self.remember(change, live_id)
            return StepOutcome(live_id, data=data)
        raise ApplyError(f"{change.address}: a {change.kind.value} cannot be updated in place")

    def remember_inline(self, change: Change, webset: JSON) -> str | None:
        """Record the id of a child that was created inside its webset's create request."""
        child_id = inline_child_id(change, webset)
        if child_id is not None:
            self.remember(change, child_id)
        return child_id

    # --- webhooks --------------------------------------------------------------------------------

    def _webhook(self, change: Change) -> StepOutcome:
        desired = _desired_resource(change)
        body = bodies.webhook_body(desired, self.project)
        address = str(change.address)
        if change.action in (Action.UPDATE, Action.ADOPT):
            # Adopting (a webhook that lost its tags) is an update that also adds our tags.
            data = self.client.update_webhook(_live_id(change), body)
            self.remember(change, _live_id(change))
            return StepOutcome(_live_id(change), data=data)
        if change.action is Action.REPLACE:
            self._delete_object(lambda: self.client.delete_webhook(_live_id(change)))
            self.store.forget(address)
        created = self._stamped(body)
        data, found = create_once(
            lambda: self.client.create_webhook(created),
            lambda: find_webhook(
                self.client, change.address.name, self.project, self.known_ids, self.nonce
            ),
        )
        secret = None if found else data.get("secret")
        known = isinstance(secret, str) and secret != ""
        self.store.record(
            address,
            ResourceState(
                id=str(data["id"]), secret=secret if known else None, secret_unknown=not known
            ),
        )
        note = None
        if not known:
            note = f"its secret is unknown; apply --replace {address} to get a new one"
        return StepOutcome(str(data["id"]), note, secret_lost=not known)

    # --- deletes ---------------------------------------------------------------------------------

    def _delete(self, change: Change, webset_id: str | None) -> StepOutcome:
        live_id = _live_id(change)
        client = self.client
        deletes: dict[Kind, Callable[[], object]] = {
            Kind.WEBSET: lambda: client.delete_webset(live_id),
            Kind.MONITOR: lambda: client.delete_monitor(live_id),
            Kind.WEBHOOK: lambda: client.delete_webhook(live_id),
        }
        if change.kind is Kind.ENRICHMENT and webset_id is not None:
            deletes[Kind.ENRICHMENT] = lambda: client.delete_enrichment(webset_id, live_id)
        if change.kind not in deletes:
            raise ApplyError(f"{change.address}: a {change.kind.value} cannot be deleted")
        gone_already = self._delete_object(deletes[change.kind])
        # Deleting a webset deletes its children with it.
        self.store.forget(str(change.address), children=change.kind is Kind.WEBSET)
        return StepOutcome(live_id, "it was already gone" if gone_already else None)

    @staticmethod
    def _delete_object(delete: Callable[[], object]) -> bool:
        """Delete; True when it was already gone (e.g. a retried delete whose answer was lost)."""
        try:
            delete()
        except NotFoundError:
            return True
        return False

    # --- state -----------------------------------------------------------------------------------

    def remember(self, change: Change, live_id: str) -> None:
        """Record ``live_id`` at the change's address, keeping what else the state knows."""
        address = str(change.address)
        previous = self.store.state.get(address)
        if previous is None:
            self.store.record(address, ResourceState(id=live_id))
        elif previous.id != live_id:
            # Another object now: a remembered webhook secret belonged to the old one.
            self.store.record(address, ResourceState(id=live_id))
        else:
            self.store.record(address, replace(previous, id=live_id))

    def remember_unchanged(self, change: Change) -> None:
        """A no-op keeps the state file current without any request: a webset's preventDestroy
        as the manifest now says, and ids of declared objects the state lost. A remembered
        entry is otherwise left alone (it may hold the only copy of a webhook secret)."""
        if change.id is None:
            return
        if change.kind is Kind.WEBSET:
            self.remember_webset(change, change.id)
        elif change.desired is not None and self.store.state.get(str(change.address)) is None:
            self.store.record(str(change.address), ResourceState(id=change.id))


def inline_child_id(change: Change, webset: JSON) -> str | None:
    """Find the inline first search (the oldest) or a tagged enrichment in a webset body."""
    if change.kind is Kind.SEARCH:
        searches = webset.get("searches") or []
        return str(searches[0]["id"]) if searches else None
    for enrichment in webset.get("enrichments") or []:
        metadata = enrichment.get("metadata") or {}
        if metadata.get(TAG_EXTERNAL_ID) == change.address.name:
            return str(enrichment["id"])
    return None


def _live_id(change: Change) -> str:
    if change.id is None:
        raise ApplyError(
            f"{change.address}: the plan has no live id for this {change.action.value}"
        )
    return change.id


def _desired_webset(change: Change) -> DesiredWebset:
    if not isinstance(change.desired, DesiredWebset):
        raise ApplyError(f"{change.address}: the plan carries no declared webset")
    return change.desired


def _desired_resource(change: Change) -> DesiredResource:
    if not isinstance(change.desired, DesiredResource):
        raise ApplyError(f"{change.address}: the plan carries no declared {change.kind.value}")
    return change.desired
