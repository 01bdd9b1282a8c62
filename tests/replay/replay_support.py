"""Replaying recorded real API traffic against the emulator: ids, clock, and shape comparison.

A recording (see recordings/README.md) is a list of exchanges. Replaying one sends each request to
the emulator at the moment it was recorded (the emulator's clock follows ``recorded_at``), with
the recorded ids in its path and body replaced by the ids the emulator gave the same objects, and
compares what came back with what the real API answered:

- the status code;
- the shape: the keys of every object at every level, and the JSON type of every value,
  including null against non-null. The values themselves (names, counts, texts) are the real
  world's and are not compared;
- id prefixes (``wsearch_`` …), and the order of listed objects created during the recording.

Answers after a create may catch a field the API fills in late (a generated title, criteria, the
number of items found) a moment earlier or later than the recording did, because real timing
varies between recordings (a search's criteria were filled after 1 s in one and after 6 s in
another). Only those fields, and only outside the answer to the create or update itself, may be
null in one answer and filled in the other. Create answers (201) and enrichment updates (PATCH)
are compared strictly: that is where "null right after create" matters.

How many criteria, evaluations and references the API generates is content, not shape: those
lists may differ in length (their elements are still compared). Lists of objects with ids are
paired by id (the API's order of a webset's enrichments varies between reads); top-level ``data``
lists must list the objects made during the recording in the recorded order (newest first).

One deliberate difference: ``dashboardUrl`` on websets. No recorded answer has it, but exa-py
(2.28) requires it to parse a webset, and the emulator must serve both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RECORDINGS = Path(__file__).parent / "recordings"
BAD_KEY_ERROR = "x-api-key header is invalid"

#: Fields the API fills in late (API-NOTES §9 R3, R13), as paths with ``[]`` for list elements.
#: In reads they may be caught before or after filling; see the module docstring.
LATE_IN_READS = frozenset(
    {
        "title",
        "instructions",
        "criteria",
        "progress.timeLeft",
        "searches[].criteria",
        "searches[].progress.timeLeft",
        "enrichments[].title",
        "enrichments[].instructions",
        "items",
        # An item's enrichment result is null until its enrichment completes.
        "items[].enrichments[].result",
        "items[].enrichments[].reasoning",
        "data[].enrichments[].result",
        "data[].enrichments[].reasoning",
        "enrichments[].result",
        "enrichments[].reasoning",
        "recall",
        "searches[].recall",
    }
)
#: Generated content: how many elements these lists hold is the real world's, not a shape.
CONTENT_LISTS = frozenset({"criteria", "evaluations", "references"})
#: Depends on what else the recorder's account held.
ACCOUNT_DEPENDENT = frozenset({"nextCursor"})
#: Keys the emulator answers beyond the recordings, with the reason in the module docstring.
ALLOWED_EXTRA = {"dashboardUrl"}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: str
    request_body: Any
    status: int
    response_body: Any
    moment: float


@dataclass(frozen=True)
class Recording:
    name: str
    source: str
    exchanges: tuple[Exchange, ...]


def recording_names() -> list[str]:
    return sorted(path.stem for path in RECORDINGS.glob("*.json"))


def load(name: str) -> Recording:
    data = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    exchanges = tuple(
        Exchange(
            method=e["method"],
            path=e["path"],
            query=e["query"],
            request_body=e["request_body"],
            status=e["status"],
            response_body=e["response_body"],
            moment=parsedate_to_datetime(e["recorded_at"]).timestamp(),
        )
        for e in data["exchanges"]
    )
    return Recording(name, data["source"], exchanges)


def sent_with_a_bad_key(exchange: Exchange) -> bool:
    """The recorder scrubbed headers; the answer tells which request carried a wrong key."""
    body = exchange.response_body
    return isinstance(body, dict) and body.get("error") == BAD_KEY_ERROR


@dataclass
class IdMap:
    """Recorded ids → the emulator's ids for the same objects, learnt from parallel answers."""

    ids: dict[str, str] = field(default_factory=dict)
    #: Recorded upload URL path (a presigned S3 URL) → the emulator's upload URL.
    uploads: dict[str, str] = field(default_factory=dict)

    def learn(self, recorded: Any, emulated: Any) -> None:
        if isinstance(recorded, dict) and isinstance(emulated, dict):
            for key, value in recorded.items():
                other = emulated.get(key)
                if key == "id" and isinstance(value, str) and isinstance(other, str):
                    self.ids.setdefault(value, other)
                elif key == "uploadUrl" and isinstance(value, str) and isinstance(other, str):
                    self.uploads[urlsplit(value).path] = other
                else:
                    self.learn(value, other)
        elif isinstance(recorded, list) and isinstance(emulated, list):
            for pair in zip(recorded, emulated, strict=False):
                self.learn(*pair)

    def path(self, path: str) -> str:
        return "/".join(self.ids.get(part, part) for part in path.split("/"))

    def body(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.ids.get(value, value)
        if isinstance(value, dict):
            return {k: self.body(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v) for v in value]
        return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@dataclass
class ShapeComparison:
    """Differences between a recorded and an emulated answer, as readable lines."""

    ids: IdMap
    strict: bool  # False in reads: LATE_IN_READS fields may be at another stage
    problems: list[str] = field(default_factory=list)

    def compare(self, recorded: Any, emulated: Any, where: str = "") -> list[str]:
        self._value(recorded, emulated, where)
        return self.problems

    def _late(self, where: str) -> bool:
        if _pattern(where) in ACCOUNT_DEPENDENT:
            return True
        return not self.strict and _pattern(where) in LATE_IN_READS

    def _value(self, recorded: Any, emulated: Any, where: str) -> None:
        kinds = json_type(recorded), json_type(emulated)
        if kinds[0] != kinds[1]:
            if not ("null" in kinds and self._late(where)):
                self.problems.append(f"{where or '(body)'}: recorded {kinds[0]}, got {kinds[1]}")
            return
        if isinstance(recorded, dict):
            self._object(recorded, emulated, where)
        elif isinstance(recorded, list):
            self._list(recorded, emulated, where)
        elif isinstance(recorded, str) and _is_id_field(where):
            self._id_prefix(recorded, emulated, where)

    def _object(self, recorded: dict[str, Any], emulated: dict[str, Any], where: str) -> None:
        missing = sorted(set(recorded) - set(emulated))
        extra = sorted(set(emulated) - set(recorded) - ALLOWED_EXTRA)
        prefix = f"{where}." if where else ""
        if missing:
            self.problems.append(f"{where or '(body)'}: missing keys {missing}")
        if extra:
            self.problems.append(f"{where or '(body)'}: extra keys {extra}")
        for key in recorded.keys() & emulated.keys():
            self._value(recorded[key], emulated[key], f"{prefix}{key}")

    def _list(self, recorded: list[Any], emulated: list[Any], where: str) -> None:
        if where == "data":
            recorded = self._created_here(recorded, emulated, where)
        else:
            emulated = self._paired_by_id(recorded, emulated)
        content = where.rsplit(".", 1)[-1].partition("[")[0] in CONTENT_LISTS
        if len(recorded) != len(emulated) and not (content or self._late(where)):
            self.problems.append(f"{where}: recorded {len(recorded)} elements, got {len(emulated)}")
        for index, (one, other) in enumerate(zip(recorded, emulated, strict=False)):
            self._value(one, other, f"{where}[{index}]")

    def _paired_by_id(self, recorded: list[Any], emulated: list[Any]) -> list[Any]:
        """``emulated`` reordered to follow ``recorded`` when every element's id is known."""
        by_id = {o.get("id"): o for o in emulated if isinstance(o, dict)}
        wanted = [self.ids.ids.get(o.get("id")) if isinstance(o, dict) else None for o in recorded]
        if len(recorded) != len(emulated) or not all(w in by_id for w in wanted):
            return emulated
        return [by_id[w] for w in wanted]

    def _created_here(self, recorded: list[Any], emulated: list[Any], where: str) -> list[Any]:
        """A list answer also shows what the recorder's account held before: compare only the
        objects this recording made, and check the emulator lists them in the same order."""
        ours = [o for o in recorded if isinstance(o, dict) and o.get("id") in self.ids.ids]
        if not ours:
            return recorded
        wanted = [self.ids.ids[o["id"]] for o in ours]
        got = [o.get("id") for o in emulated if isinstance(o, dict)]
        if got != wanted:
            self.problems.append(f"{where}: listed {got}, recorded order {wanted}")
        return ours

    def _id_prefix(self, recorded: str, emulated: Any, where: str) -> None:
        want = recorded.partition("_")[0]
        if not str(emulated).startswith(f"{want}_"):
            self.problems.append(f"{where}: id {emulated!r} lacks the recorded prefix {want}_")


def _pattern(where: str) -> str:
    """``searches[0].criteria`` → ``searches[].criteria``."""
    parts = []
    for part in where.split("."):
        name, bracket, _ = part.partition("[")
        parts.append(f"{name}[]" if bracket else name)
    return ".".join(parts)


def _is_id_field(where: str) -> bool:
    last = where.rsplit(".", 1)[-1]
    return last == "id" or (last.endswith("Id") and last not in ("externalId", "requestId"))
