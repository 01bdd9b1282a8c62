"""The emulator's memory: objects per kind in creation order, ids, clock, optional JSON file.

Stored objects are the API's JSON shapes plus private fields whose names start with ``_``
(creation sequence, creation time, links). ``public`` strips those before anything is answered.

Every lookup a request makes is indexed (by id, by parent webset, by externalId, by creation
order, and the set of objects that still change with time), so a request costs the same with ten
objects stored as with a hundred thousand.
"""

from __future__ import annotations

import bisect
import copy
import json
import os
import random
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from websets_sync.errors import EmulatorDataError

JSON = dict[str, Any]

KINDS = ("webset", "search", "enrichment", "monitor", "webhook", "import", "item", "event")
#: Recorded real ids (API-NOTES §9 R8): ``webset_01kaq264xhj1h28r5x0xnvdt3r``, ``wsearch_…``.
ID_PREFIX = {
    "webset": "webset",
    "search": "wsearch",
    "enrichment": "wenrich",
    "monitor": "monitor",
    "webhook": "webhook",
    "import": "import",
    "item": "witem",
    "event": "event",
}
#: ULID's alphabet (Crockford base 32, lower case as the API writes it).
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_TIME_CHARS = 10
_COUNTER_CHARS = 6
_RANDOM_CHARS = 10
_FILE_VERSION = 1
#: Events are a convenience, not configuration: keep the file small.
_MAX_EVENTS = 500


def iso(moment: float) -> str:
    """RFC 3339 UTC with milliseconds, the way the API writes timestamps."""
    text = datetime.fromtimestamp(moment, tz=timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def public(obj: JSON) -> JSON:
    """A deep copy without the private ``_`` fields, ``id`` first as the API writes it."""
    view = {"id": obj["id"]} if "id" in obj else {}
    view.update((k, copy.deepcopy(v)) for k, v in obj.items() if not k.startswith("_"))
    return view


class Store:
    """Objects by kind and id. Not thread-safe by itself: the Emulator holds one lock around it."""

    def __init__(self, *, clock: Callable[[], float], seed: int, data_file: Path | None) -> None:
        self.clock = clock
        self.seed = seed
        self.data_file = data_file
        self.objects: dict[str, dict[str, JSON]] = {kind: {} for kind in KINDS}
        self.counter = 0
        self.dirty = False
        self._reset_indexes()
        if data_file is not None and data_file.exists():
            self.load(data_file)

    def _reset_indexes(self) -> None:
        self._ordered: dict[str, list[JSON]] = {kind: [] for kind in KINDS}
        self._children: dict[str, dict[str, dict[str, JSON]]] = {kind: {} for kind in KINDS}
        self._external_ids: dict[str, JSON] = {}
        self._active: dict[str, dict[str, JSON]] = {kind: {} for kind in KINDS}

    # ids and time
    def now(self) -> float:
        return self.clock()

    def now_iso(self) -> str:
        return iso(self.clock())

    def new_id(self, kind: str) -> str:
        """ULID-like (time, then a counter, then seeded randomness): unique, deterministic for a
        seed and clock, sorting in creation order, and carrying the counter a cursor needs."""
        self.counter += 1
        rng = random.Random(f"{self.seed}:{kind}:{self.counter}")
        moment = _base32(max(0, int(self.clock() * 1000)), _TIME_CHARS)
        tail = "".join(rng.choices(_ALPHABET, k=_RANDOM_CHARS))
        return f"{ID_PREFIX[kind]}_{moment}{_base32(self.counter, _COUNTER_CHARS)}{tail}"

    def rng(self, *parts: object) -> random.Random:
        """A random source fixed by the seed and ``parts``: generated content is reproducible."""
        return random.Random(":".join([str(self.seed), *map(str, parts)]))

    # objects
    def insert(self, kind: str, obj: JSON) -> JSON:
        if "id" not in obj:
            obj["id"] = self.new_id(kind)
        else:
            self.counter += 1
        now = self.now()
        obj.setdefault("_seq", self.counter)
        obj.setdefault("_t", now)
        obj.setdefault("createdAt", iso(now))
        obj.setdefault("updatedAt", obj["createdAt"])
        self.objects[kind][obj["id"]] = obj
        self.index(kind, obj)
        self.dirty = True
        return obj

    def index(self, kind: str, obj: JSON) -> None:
        ordered = self._ordered[kind]
        if ordered and int(ordered[-1]["_seq"]) > int(obj["_seq"]):
            bisect.insort(ordered, obj, key=_seq)
        else:
            ordered.append(obj)
        parent = obj.get("websetId")
        if isinstance(parent, str):
            self._children[kind].setdefault(parent, {})[obj["id"]] = obj
        external_id = obj.get("externalId")
        if kind == "webset" and isinstance(external_id, str):
            self._external_ids[external_id] = obj

    def unindex(self, kind: str, obj: JSON) -> None:
        ordered = self._ordered[kind]
        at = bisect.bisect_left(ordered, _seq(obj), key=_seq)
        while at < len(ordered) and ordered[at] is not obj and _seq(ordered[at]) == _seq(obj):
            at += 1
        if at < len(ordered) and ordered[at] is obj:
            del ordered[at]
        siblings = self._children[kind].get(obj.get("websetId") or "")
        if siblings is not None:
            siblings.pop(obj["id"], None)
            if not siblings:
                del self._children[kind][obj["websetId"]]
        if kind == "webset" and self._external_ids.get(obj.get("externalId") or "") is obj:
            del self._external_ids[obj["externalId"]]
        self._active[kind].pop(obj["id"], None)

    def find(self, kind: str, ident: str) -> JSON | None:
        return self.objects[kind].get(ident)

    def find_external(self, external_id: str) -> JSON | None:
        """The webset with this externalId."""
        return self._external_ids.get(external_id)

    def remove(self, kind: str, ident: str) -> JSON | None:
        obj = self.objects[kind].pop(ident, None)
        if obj is not None:
            self.unindex(kind, obj)
            self.dirty = True
        return obj

    def all(self, kind: str) -> list[JSON]:
        """A copy of the kind's objects, oldest first (safe to remove from while iterating)."""
        return list(self._ordered[kind])

    def ordered(self, kind: str) -> list[JSON]:
        """The kind's objects oldest first, without copying: read it, never change it."""
        return self._ordered[kind]

    def children(self, kind: str, webset_id: str) -> list[JSON]:
        """A webset's searches, enrichments, monitors or items, oldest first."""
        return list(self._children[kind].get(webset_id, {}).values())

    def position(self, kind: str, ident: str) -> int | None:
        """The creation sequence of an object, also of a deleted one whose id this store made."""
        found = self.objects[kind].get(ident)
        if found is not None:
            return _seq(found)
        body = ident.partition("_")[2]
        counter = body[_TIME_CHARS : _TIME_CHARS + _COUNTER_CHARS]
        length = _TIME_CHARS + _COUNTER_CHARS + _RANDOM_CHARS
        if len(body) != length or any(char not in _ALPHABET for char in body):
            return None
        return _from_base32(counter)

    # objects that still change as time passes (lifecycle.advance visits only those)
    def watch(self, kind: str, obj: JSON) -> None:
        obj["_active"] = True  # persisted, so a reloaded file resumes where it stopped
        self._active[kind][obj["id"]] = obj

    def settle(self, kind: str, obj: JSON) -> None:
        obj.pop("_active", None)
        self._active[kind].pop(obj["id"], None)

    def active(self, kind: str) -> list[JSON]:
        return list(self._active[kind].values())

    def touch(self, obj: JSON) -> None:
        obj["updatedAt"] = self.now_iso()
        self.dirty = True

    def emit(self, event_type: str, data: JSON) -> None:
        """Record an API event (GET /events) carrying a snapshot of ``data``."""
        event = self.insert("event", {"object": "event", "type": event_type, "data": public(data)})
        del event["updatedAt"]  # events are immutable: the API gives them createdAt only
        events = self._ordered["event"]
        while len(events) > _MAX_EVENTS:
            self.remove("event", events[0]["id"])

    # persistence
    def save(self) -> None:
        """Write the file atomically (temp file, fsync, rename) when something changed."""
        if self.data_file is None or not self.dirty:
            return
        payload = {"version": _FILE_VERSION, "counter": self.counter, "objects": self.objects}
        folder = self.data_file.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".emulator-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.data_file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.dirty = False

    def load(self, path: Path) -> None:
        try:
            payload = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EmulatorDataError(f"cannot read the emulator data file {path}: {exc}") from None
        if not payload:
            return
        if not isinstance(payload, dict) or payload.get("version") != _FILE_VERSION:
            raise EmulatorDataError(
                f"{path} is not an emulator data file (expected version {_FILE_VERSION})",
                detail="Point --emulator/--data at another file, or delete it to start empty.",
            )
        try:
            counter = int(payload["counter"])
            objects = {kind: dict(payload["objects"].get(kind, {})) for kind in KINDS}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EmulatorDataError(f"{path} is a damaged emulator data file: {exc!r}") from None
        self.counter = counter
        self.objects.update(objects)
        self._reset_indexes()
        for kind, stored in self.objects.items():
            for obj in sorted(stored.values(), key=_seq):
                self.index(kind, obj)
                if obj.get("_active"):
                    self.watch(kind, obj)


def _seq(obj: JSON) -> int:
    return int(obj["_seq"])


def _base32(number: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        number, rest = divmod(number, 32)
        digits = _ALPHABET[rest] + digits
    return digits


def _from_base32(text: str) -> int:
    number = 0
    for char in text:
        number = number * 32 + _ALPHABET.index(char)
    return number
