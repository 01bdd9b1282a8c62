"""The vocabulary of the per-kind comparison table (``kinds.RULES``), and the one view of
references that both sides of a comparison share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from websets_sync.model.paths import Path


@dataclass(frozen=True)
class KindRules:
    """How one kind's fields are compared.

    ``compared``: top-level fields a manifest may declare; every other field is server-owned.
    ``server_owned``: nested server-owned fields inside compared ones (dropped on both sides).
    ``server_filled``: omitted in the manifest → the server picks a value → not compared.
    ``defaults``: documented defaults; a value equal to its default is treated as absent.
    ``set_like``: lists whose order carries no meaning (sorted before comparing).
    ``live_views``: how a live field's shape maps onto the request field it came from.
    ``paid_fields``: fields whose change makes the API redo paid work over existing items.
    ``adopt_keys``: fields that recognise an untagged live child (made in the dashboard, or
    before the tool managed the webset) as a declared one, so adopting never duplicates it.
    All of them must be declared: a manifest silent on one (e.g. a monitor's server-filled
    query) cannot tell its object from an unrelated one, so nothing is adopted by content.
    Empty: this kind is never adopted by content.
    ``late``: fields the API answers null until it has worked them out, while the object's
    ``status`` is one of the given ones (a new search's recall estimate, API-NOTES §9): a null
    then says nothing about what was asked for, so it is not compared.
    """

    compared: tuple[str, ...]
    server_owned: tuple[Path, ...] = ()
    server_filled: tuple[Path, ...] = ()
    defaults: Mapping[Path, Any] = field(default_factory=dict)
    set_like: tuple[Path, ...] = ()
    live_views: Mapping[Path, Callable[[Any], Any]] = field(default_factory=dict)
    paid_fields: tuple[str, ...] = ()
    adopt_keys: tuple[Path, ...] = ()
    late: Mapping[Path, tuple[str, ...]] = field(default_factory=dict)
    #: ``{source, …}`` reference lists (``exclude``, ``scope``): compared by what they name
    #: (``import/<ext>``, ``webset/<ext>``, or a raw API id nobody declared), never by id.
    references: tuple[str, ...] = ()
    #: Compared fields no request can change: a difference makes the object be replaced.
    create_only: tuple[str, ...] = ()
    #: Fields sent and shown only when the object is created: the API cannot change them later
    #: and does not answer them in the same shape, so a live object is never compared on them.
    at_create: tuple[str, ...] = ()


def reference_view(value: Any) -> Any:
    """A ``{source, externalId | id, relationship?}`` list as the names it refers to:
    ``{ref: import/<ext>}`` (``webset/<ext>``), or ``{ref: import id <id>}`` for a raw id."""
    if not isinstance(value, list):
        return value
    view = []
    for item in value:
        if not isinstance(item, Mapping):
            view.append(item)
            continue
        source = item.get("source")
        if "externalId" in item:
            entry: dict[str, Any] = {"ref": f"{source}/{item['externalId']}"}
        else:
            entry = {"ref": f"{source} id {item.get('id')}"}
        if item.get("relationship") is not None:
            entry["relationship"] = item["relationship"]
        view.append(entry)
    return view
