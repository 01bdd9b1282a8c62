"""The emulator's memory: objects per kind in creation order, ids, clock, optional JSON file.

Stored objects are the API's JSON shapes plus private fields whose names start with ``_``
(creation sequence, creation time, links). ``public`` strips those before anything is answered.
"""

from __future__ import annotations

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
ID_PREFIX = {
    "webset": "webset",
    "search": "webset_search",
    "enrichment": "webset_enrichment",
    "monitor": "monitor",
    "webhook": "webhook",
    "import": "import",
    "item": "witem",
    "event": "event",
}
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
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
        if data_file is not None and data_file.exists():
            self.load(data_file)

    # ids and time
    def now(self) -> float:
        return self.clock()

    def now_iso(self) -> str:
        return iso(self.clock())

    def new_id(self, kind: str) -> str:
        """Unique, deterministic for a seed, and sorting in creation order."""
        self.counter += 1
        rng = random.Random(f"{self.seed}:{kind}:{self.counter}")
        tail = "".join(rng.choices(_ALPHABET, k=16))
        return f"{ID_PREFIX[kind]}_{_base36(self.counter).rjust(6, '0')}{tail}"

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
        self.dirty = True
        return obj

    def find(self, kind: str, ident: str) -> JSON | None:
        return self.objects[kind].get(ident)

    def remove(self, kind: str, ident: str) -> JSON | None:
        obj = self.objects[kind].pop(ident, None)
        if obj is not None:
            self.dirty = True
        return obj

    def all(self, kind: str) -> list[JSON]:
        return sorted(self.objects[kind].values(), key=lambda obj: int(obj["_seq"]))

    def touch(self, obj: JSON) -> None:
        obj["updatedAt"] = self.now_iso()
        self.dirty = True

    def emit(self, event_type: str, data: JSON) -> None:
        """Record an API event (GET /events) carrying a snapshot of ``data``."""
        event = self.insert("event", {"object": "event", "type": event_type, "data": public(data)})
        del event["updatedAt"]  # events are immutable: the API gives them createdAt only
        events = self.objects["event"]
        while len(events) > _MAX_EVENTS:
            del events[next(iter(events))]

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


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _ALPHABET[rest] + digits
        if number == 0:
            return digits
