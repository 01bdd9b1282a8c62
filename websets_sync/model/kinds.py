"""What each kind's fields mean, and what apply sends for it: declarative tables (DESIGN §4,
STYLE §4).

The planner never asks ``if kind == …`` about fields. It asks this table which fields a manifest
can declare (everything else is server-owned and never compared), which ones the server fills in
when the manifest omits them, which values are documented defaults (equal to absence), and which
lists are sets. ``normalize`` turns a desired spec or a live object into the comparable view.
Apply never asks ``if kind == …`` either: ``OPERATIONS`` says which request creates, updates or
deletes each kind (``apply.steps`` reads it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from websets_sync.model.address import RESERVED_PREFIX, Kind
from websets_sync.model.operations import InlineId, KindOperations, Lookup, Memory, Operation
from websets_sync.model.paths import Path, clean, delete_path, get_path, prune_map, set_path
from websets_sync.model.rules import KindRules, reference_view


def _recall_requested(value: Any) -> Any:
    # The create body takes ``recall: bool``; a live search answers with the recall *estimate*
    # object (or null). An estimate means recall was requested.
    if isinstance(value, Mapping):
        return True
    return value


#: The definition of a search: what decides which items it finds.
SEARCH_DEFINITION = (
    "query",
    "count",
    "entity",
    "criteria",
    "behavior",
    "exclude",
    "scope",
    "recall",
    "maxPeoplePerCompany",
)

#: Documented defaults of a search (API-NOTES §3.2): the count and behavior sent when omitted.
SEARCH_DEFAULTS: Mapping[str, Any] = {"count": 10, "behavior": "override", "recall": False}
DEFAULT_SEARCH_COUNT: int = SEARCH_DEFAULTS["count"]
#: Documented monitor defaults: cadence timezone and the behavior of the search a run starts.
MONITOR_DEFAULTS: Mapping[Path, Any] = {
    "cadence.timezone": "Etc/UTC",
    "behavior.config.behavior": "append",
}

RULES: Mapping[Kind, KindRules] = {
    Kind.WEBSET: KindRules(
        compared=("title", "metadata", "import", "exclude"),
        server_filled=("title",),
        references=("import", "exclude"),
        at_create=("import", "exclude"),
    ),
    Kind.SEARCH: KindRules(
        compared=SEARCH_DEFINITION,
        server_owned=("criteria[].successRate",),
        server_filled=("entity", "criteria"),
        defaults=SEARCH_DEFAULTS,
        live_views={"recall": _recall_requested},
        paid_fields=SEARCH_DEFINITION,
        late={"recall": ("created", "running")},
        references=("exclude", "scope"),
    ),
    Kind.ENRICHMENT: KindRules(
        compared=("description", "format", "options", "metadata"),
        # Options left out are the server's to keep: the PATCH body cannot clear them (only
        # another format does), so comparing them against silence would never settle.
        server_filled=("format", "options"),
        paid_fields=("description", "format", "options"),
        adopt_keys=("description",),
    ),
    Kind.MONITOR: KindRules(
        compared=("cadence", "behavior", "status", "metadata"),
        server_filled=(
            "behavior.config.query",
            "behavior.config.criteria",
            "behavior.config.entity",
        ),
        server_owned=("behavior.config.criteria[].successRate",),
        defaults=MONITOR_DEFAULTS,
        adopt_keys=("cadence.cron", "behavior.config.query"),
    ),
    Kind.WEBHOOK: KindRules(
        compared=("url", "events", "metadata"),
        set_like=("events",),
    ),
    # The CSV itself is compared by its SHA-256 tag (plan/imports.py): a changed file, like a
    # changed entity, can only be a new import. Title and metadata are PATCHed in place.
    Kind.IMPORT: KindRules(
        compared=("entity", "title", "metadata"),
        server_filled=("title",),
        create_only=("entity",),
    ),
}


#: What apply sends per kind (DESIGN §4), read by ``apply.steps``; bodies are built by the named
#: builders of ``apply.bodies``. Searches are never updated or deleted: a changed search is a new
#: run (its create), a removed one is history; a moved one is followed in the state file only.
OPERATIONS: Mapping[Kind, KindOperations] = {
    Kind.WEBSET: KindOperations(
        create=Operation(
            "POST", "/websets", "webset_create", creates=True, remembers=Memory.ID_AND_PROTECTION
        ),
        # The API updates websets with POST; unlike a create it is safe to repeat.
        update=Operation(
            "POST", "/websets/{id}", "webset_update", remembers=Memory.ID_AND_PROTECTION
        ),
        delete=Operation("DELETE", "/websets/{id}", remembers=Memory.FORGET_WITH_CHILDREN),
        # The native externalId cannot change: a moved webset is tagged with an alias.
        move=Operation("POST", "/websets/{id}", "webset_move", remembers=Memory.MOVE_WITH_CHILDREN),
        lookup=Lookup.EXTERNAL_ID,
        unchanged=Memory.ID_AND_PROTECTION,
    ),
    Kind.SEARCH: KindOperations(
        create=Operation("POST", "/websets/{webset}/searches", "search", creates=True),
        update=None,
        delete=None,
        lookup=Lookup.CHILD_TAG,
        parent_list="searches",
        inline_id=InlineId.FIRST,
        reruns=True,
    ),
    Kind.ENRICHMENT: KindOperations(
        create=Operation("POST", "/websets/{webset}/enrichments", "enrichment", creates=True),
        update=Operation(
            "PATCH", "/websets/{webset}/enrichments/{id}", "enrichment_update", empty_answer=True
        ),
        delete=Operation("DELETE", "/websets/{webset}/enrichments/{id}", remembers=Memory.FORGET),
        move=Operation(
            "PATCH",
            "/websets/{webset}/enrichments/{id}",
            "retag",
            empty_answer=True,
            remembers=Memory.MOVE,
        ),
        lookup=Lookup.CHILD_TAG,
        confirm=Operation("GET", "/websets/{webset}", remembers=Memory.NOTHING),
        parent_list="enrichments",
    ),
    Kind.MONITOR: KindOperations(
        create=Operation(
            "POST", "/monitors", "monitor_create", body_ids=(("websetId", "webset"),), creates=True
        ),
        update=Operation("PATCH", "/monitors/{id}", "monitor_update"),
        delete=Operation("DELETE", "/monitors/{id}", remembers=Memory.FORGET),
        move=Operation("PATCH", "/monitors/{id}", "retag", remembers=Memory.MOVE),
        lookup=Lookup.CHILD_TAG,
        after_create=Operation(
            "PATCH", "/monitors/{id}", "monitor_after_create", remembers=Memory.NOTHING
        ),
        parent_list="monitors",
        listed_at="/monitors",
    ),
    Kind.WEBHOOK: KindOperations(
        create=Operation(
            "POST", "/webhooks", "webhook", creates=True, remembers=Memory.ID_AND_SECRET
        ),
        update=Operation("PATCH", "/webhooks/{id}", "webhook"),
        delete=Operation("DELETE", "/webhooks/{id}", remembers=Memory.FORGET),
        # The secret stays with the webhook: only the tag (and the state entry) moves.
        move=Operation("PATCH", "/webhooks/{id}", "retag", remembers=Memory.MOVE),
        lookup=Lookup.ACCOUNT_TAG,
        listed_at="/webhooks",
    ),
    Kind.IMPORT: KindOperations(
        create=Operation("POST", "/imports", "import_create", creates=True),
        update=Operation("PATCH", "/imports/{id}", "import_update"),
        delete=Operation("DELETE", "/imports/{id}", remembers=Memory.FORGET),
        lookup=Lookup.ACCOUNT_TAG,
        # The file goes to the presigned URL of the create answer, without the API key.
        after_create=Operation("PUT", "<uploadUrl of {id}>", upload=True, remembers=Memory.NOTHING),
        listed_at="/imports",
    ),
}


def normalize(
    kind: Kind,
    data: Mapping[str, Any],
    *,
    live: bool,
    keep_reserved: bool = False,
    keep_defaults: bool = False,
) -> dict[str, Any]:
    """The comparable view of a desired spec (``live=False``) or a live object (``live=True``).

    Keeps only compared fields, drops server-owned nested fields and reserved metadata tags,
    strips strings (the API and exa-py store them stripped), turns integral floats into ints,
    removes documented defaults and empty values, and sorts set-like lists.
    ``keep_reserved`` keeps the reserved tags (for fingerprints, where ownership matters);
    ``keep_defaults`` keeps declared defaults (to show what a create will send).
    """
    rules = RULES[kind]
    view: dict[str, Any] = {}
    for name in rules.compared:
        if name in data:
            value = data[name]
            if live and name in rules.live_views:
                value = rules.live_views[name](value)
            if name in rules.references:
                value = reference_view(value)
            view[name] = clean(value)
    for path in rules.server_owned:
        delete_path(view, path)
    if isinstance(view.get("metadata"), dict) and not keep_reserved:
        view["metadata"] = user_metadata(view["metadata"])
    for path, default in rules.defaults.items():
        if not keep_defaults and get_path(view, path) == default:
            delete_path(view, path)
    for path in rules.set_like:
        value = get_path(view, path)
        if isinstance(value, list):
            set_path(view, path, sorted(value, key=repr))
    return prune_map(view)


def comparable_pair(
    kind: Kind, desired_spec: Mapping[str, Any], live_data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(live view, desired view); server-filled fields are ignored where the manifest is silent."""
    desired = normalize(kind, desired_spec, live=False)
    live = normalize(kind, live_data, live=True)
    for name in RULES[kind].at_create:
        desired.pop(name, None)
        live.pop(name, None)
    for path in RULES[kind].server_filled:
        if get_path(desired, path) is None:
            delete_path(live, path)
    for path, statuses in RULES[kind].late.items():
        if live_data.get("status") in statuses and get_path(live_data, path) is None:
            delete_path(desired, path)
    return prune_map(live), desired


def differing_fields(
    kind: Kind, desired_spec: Mapping[str, Any], live_data: Mapping[str, Any]
) -> list[str]:
    """The compared top-level fields where ``live_data`` is not what ``desired_spec`` asks for.

    This is THE "same object" rule: the planner's field diff (plan/diff.py) describes exactly
    these differences, apply uses it to confirm an update took effect, and reconciliation uses
    it to recognise a search it created whose answer was lost.
    """
    live, desired = comparable_pair(kind, desired_spec, live_data)
    return sorted(key for key in {*live, *desired} if live.get(key) != desired.get(key))


def same_definition(
    kind: Kind, desired_spec: Mapping[str, Any], live_data: Mapping[str, Any]
) -> bool:
    """Whether the live object is, in every compared field, what the spec declares."""
    return not differing_fields(kind, desired_spec, live_data)


def same_identity(
    kind: Kind, desired_spec: Mapping[str, Any], live_data: Mapping[str, Any]
) -> bool:
    """True when the manifest declares every ``adopt_keys`` field and the live object has
    exactly those values. An undeclared key never matches: with the query of a monitor left to
    the server, its cron alone would take over any unrelated monitor on the same schedule."""
    keys = RULES[kind].adopt_keys
    if not keys:
        return False
    live, desired = comparable_pair(kind, desired_spec, live_data)
    for path in keys:
        declared = get_path(desired, path)
        if declared is None or get_path(live, path) != declared:
            return False
    return True


def user_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata without the tool's reserved ``websets-sync/…`` tags."""
    return {k: v for k, v in metadata.items() if not str(k).startswith(RESERVED_PREFIX)}
