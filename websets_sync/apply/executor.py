"""Sending one step's request, and recording what the state file remembers afterwards.

Every successful mutation is recorded in the state file before the next request is sent, so an
apply killed at any moment has saved everything it did (secrets included).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from websets_sync.apply.reconcile import create_once, find_lost
from websets_sync.apply.references import fill_references
from websets_sync.apply.step_types import IdRef, Purpose, Request, Step
from websets_sync.apply.uploads import upload_csv
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import ApplyError, NotFoundError
from websets_sync.model import TAG_APPLY_NONCE, TAG_EXTERNAL_ID, Address
from websets_sync.model.operations import InlineId, Memory
from websets_sync.state.store import ResourceState, StateStore
from websets_sync.state.surgery import store_move

JSON = dict[str, Any]

LOST_RESPONSE_NOTE = "its create had already happened (answer lost); found it, not created again"
ALREADY_GONE_NOTE = "it was already gone"


@dataclass(frozen=True)
class StepOutcome:
    """What one step did: the live id it ended with, an optional note, the answer (for an empty
    answer: the body sent, which the confirming read is compared with) and the ids it used."""

    id: str | None
    note: str | None = None
    data: JSON | None = None
    ids: Mapping[str, str] | None = None
    #: Found by reconciliation: its create had happened, but the answer was lost.
    found: bool = False
    #: A webhook whose create answer (the only one holding its secret) was lost.
    secret_lost: bool = False


class Executor:
    """Sends the requests of single steps; shared by the threads of one apply."""

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
        #: Import id → the presigned upload URL of its create answer (never logged or stored).
        self.upload_urls: dict[str, str] = {}

    def keep_upload_url(self, created: Mapping[str, Any]) -> None:
        url = created.get("uploadUrl")
        if isinstance(url, str) and url:
            self.upload_urls[str(created["id"])] = url

    def execute(self, step: Step, produced: Mapping[Address, str]) -> StepOutcome:
        """Send ``step``'s request (ids produced by earlier steps in ``produced``) and record it."""
        if step.problem is not None or step.request is None:
            raise ApplyError(step.problem or f"{step.address}: nothing to send")
        request = step.request
        ids = {name: _resolve(step, ref, produced) for name, ref in request.ids}
        body = _filled(request, ids)
        if request.upload is not None:
            uploaded, note = upload_csv(self, step, request, ids["id"])
            return StepOutcome(uploaded, note, ids=ids)
        if step.purpose is Purpose.DELETE:
            outcome = self._delete(request, ids)
        else:
            outcome = self._send(request, ids, body)
        return self._remember(step, replace(outcome, ids=ids))

    def _send(self, request: Request, ids: dict[str, str], body: JSON | None) -> StepOutcome:
        def send() -> JSON | None:
            return self.client.send_step(
                request.method,
                request.path,
                ids,
                body=body,
                creates=request.reconcile is not None,
                empty_answer=request.empty_answer,
            )

        spec = request.reconcile
        if spec is None:
            data = send()
            own = ids.get("id") or str((data or {})["id"])
            return StepOutcome(own, data=body if request.empty_answer else data)
        body = self._stamped(body)

        def find() -> JSON | None:
            webset_id = ids.get("webset")
            return find_lost(
                self.client, spec, webset_id, body, self.project, self.known_ids, self.nonce
            )

        created, found = create_once(lambda: send() or {}, find)
        self.keep_upload_url(created)
        note = LOST_RESPONSE_NOTE if found else None
        return StepOutcome(str(created["id"]), note, created, found=found)

    def _stamped(self, body: JSON | None) -> JSON | None:
        """A create ``body`` with this apply's nonce in its metadata (and its carried
        enrichments'); bodies without metadata (an inline search) stay as they are."""
        if body is None or not isinstance(body.get("metadata"), dict):
            return body
        stamped = {**body, "metadata": {**body["metadata"], TAG_APPLY_NONCE: self.nonce}}
        if isinstance(body.get("enrichments"), list):
            stamped["enrichments"] = [self._stamped(e) for e in body["enrichments"]]
        return stamped

    def stamped_create(self, body: JSON) -> JSON:
        """A create body of this apply (a fresh import after a failed upload), nonce included."""
        return self._stamped(body) or body

    def _delete(self, request: Request, ids: dict[str, str]) -> StepOutcome:
        """Delete; an object already gone (e.g. a retried delete whose answer was lost) is fine."""
        try:
            self.client.send_step(request.method, request.path, ids)
        except NotFoundError:
            return StepOutcome(ids.get("id"), ALREADY_GONE_NOTE)
        return StepOutcome(ids.get("id"))

    def carried(self, step: Step, carrier: JSON) -> str | None:
        """The id of a child carried in its webset's create, found in that create's answer and
        recorded; None when the answer does not show it."""
        child_id = inline_child_id(step, carrier)
        if child_id is not None:
            self._remember(step, StepOutcome(child_id))
        return child_id

    # --- state -----------------------------------------------------------------------------------

    def _remember(self, step: Step, outcome: StepOutcome) -> StepOutcome:
        address, memory = str(step.address), step.remembers
        if memory in (Memory.FORGET, Memory.FORGET_WITH_CHILDREN):
            self.store.forget(address, children=memory is Memory.FORGET_WITH_CHILDREN)
        elif outcome.id is None or memory is Memory.NOTHING:
            pass
        elif memory in (Memory.MOVE, Memory.MOVE_WITH_CHILDREN):
            self._remember_move(step, outcome.id)
        elif memory is Memory.ID_AND_PROTECTION:
            record = ResourceState(id=outcome.id, prevent_destroy=step.prevent_destroy)
            self.store.record(address, record)
        elif memory is Memory.ID_AND_SECRET:
            return self._remember_secret(step, outcome)
        elif memory is Memory.ID_IF_MISSING:
            if self.store.state.get(address) is None:
                self.store.record(address, ResourceState(id=outcome.id))
        else:
            self.remember(address, outcome.id)
        return outcome

    def _remember_move(self, step: Step, live_id: str) -> None:
        """The moved entry follows (a webhook's secret, a webset's children), then the id and a
        webset's protection are made current."""
        children = step.remembers is Memory.MOVE_WITH_CHILDREN
        if step.request is None and self.store.state.get(str(step.address)) is not None:
            # A new run of the moved search is already recorded under its new name.
            for source in step.moved_from:
                self.store.forget(str(source))
            return
        for source in step.moved_from:
            if store_move(self.store, str(source), str(step.address), children=children):
                break
        self.remember(str(step.address), live_id)
        if children:
            entry = self.store.state.get(str(step.address))
            if entry is not None:
                self.store.record(
                    str(step.address), replace(entry, prevent_destroy=step.prevent_destroy)
                )

    def _remember_secret(self, step: Step, outcome: StepOutcome) -> StepOutcome:
        """The secret is only in the create answer; one found after a lost answer is unknown."""
        secret = None if outcome.found or outcome.data is None else outcome.data.get("secret")
        known = isinstance(secret, str) and secret != ""
        state = ResourceState(
            id=str(outcome.id), secret=secret if known else None, secret_unknown=not known
        )
        self.store.record(str(step.address), state)
        note = None
        if not known:
            note = f"its secret is unknown; apply --replace {step.address} to get a new one"
        return replace(outcome, note=note, secret_lost=not known)

    def remember(self, address: str, live_id: str) -> None:
        """Record ``live_id`` at ``address``, keeping what else the state knows."""
        previous = self.store.state.get(address)
        if previous is None or previous.id != live_id:
            # Another object now: a remembered webhook secret belonged to the old one.
            self.store.record(address, ResourceState(id=live_id))
        else:
            self.store.record(address, replace(previous, id=live_id))

    def record_unchanged(self, step: Step) -> None:
        """A no-op keeps the state file current without any request: a webset's preventDestroy
        as the manifest now says, and ids of declared objects the state lost. A remembered
        entry is otherwise left alone (it may hold the only copy of a webhook secret)."""
        self._remember(step, StepOutcome(step.live_id))


def inline_child_id(step: Step, webset: JSON) -> str | None:
    """Find a carried child in its webset's create answer, as ``step.found_in`` says."""
    if step.found_in is None:
        return None
    listed, how = step.found_in
    children = [c for c in webset.get(listed) or [] if isinstance(c, dict)]
    if how is InlineId.FIRST:
        return str(children[0]["id"]) if children else None
    for child in children:
        metadata = child.get("metadata") or {}
        if metadata.get(TAG_EXTERNAL_ID) == step.address.name:
            return str(child["id"])
    return None


def _resolve(step: Step, ref: IdRef, produced: Mapping[Address, str]) -> str:
    if ref.known is not None:
        return ref.known
    if ref.produced_by is not None and ref.produced_by in produced:
        return produced[ref.produced_by]
    raise ApplyError(f"{step.address}: {ref.missing}")


def _filled(request: Request, ids: Mapping[str, str]) -> JSON | None:
    """The body with its id fields (e.g. a monitor's ``websetId``) and its references set to
    the resolved ids."""
    if request.body is None:
        return None
    body: JSON = fill_references(request.body, ids)
    return {**body, **{name: ids[ref] for name, ref in request.body_ids}}
