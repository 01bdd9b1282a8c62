"""Request context, route table and the helpers every resource's handlers share."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from websets_sync.emulator.failures import bad_query, not_found
from websets_sync.emulator.lifecycle import Timing
from websets_sync.emulator.store import ID_PREFIX, JSON, Store


@dataclass
class Ctx:
    """One request as handlers see it; ``origin`` is scheme://host (used for upload URLs)."""

    store: Store
    timing: Timing
    query: dict[str, list[str]]
    body: JSON
    origin: str
    raw: bytes = b""  # the request body as sent (the import upload reads its CSV from it)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Reply:
    status: int
    body: JSON | None  # None: an empty body (enrichment PATCH)


Handler = Callable[[Ctx, list[str]], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: tuple[str, ...]  # literal segments; "*" captures one path parameter
    handler: Handler
    auth: bool = True


@dataclass
class Routes:
    table: list[Route] = field(default_factory=list)

    def add(self, method: str, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        pattern = tuple(path.strip("/").split("/"))

        def register(handler: Handler) -> Handler:
            self.table.append(Route(method, pattern, handler, auth))
            return handler

        return register

    def match(self, method: str, segments: list[str]) -> tuple[Route, list[str]] | None:
        """Literal segments win over captures (``/websets/preview`` before ``/websets/{id}``)."""
        best: tuple[int, Route, list[str]] | None = None
        for route in self.table:
            if route.method != method or len(route.pattern) != len(segments):
                continue
            params = []
            literal = 0
            for want, got in zip(route.pattern, segments, strict=True):
                if want == "*":
                    params.append(got)
                elif want == got:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, route, params)
        return None if best is None else (best[1], best[2])


ROUTES = Routes()


def page(
    ctx: Ctx, kind: str, objs: Sequence[JSON], *, maximum: int, default: int = 25
) -> tuple[list[JSON], JSON]:
    """Cursor pagination, newest first (recorded, API-NOTES §9 R7): (this page, paging fields).

    ``objs`` is oldest first, as the store keeps them, so a page costs O(log n + limit): the
    cursor (opaque to clients: the last id given, without its prefix, as the real API does)
    finds its place by bisection.
    """
    limit_text = ctx.arg("limit")
    limit = default
    if limit_text is not None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= maximum:
            raise bad_query(f"limit: must be an integer between 1 and {maximum}")
        limit = int(limit_text)
    end = len(objs)
    cursor = ctx.arg("cursor")
    if cursor:
        before = ctx.store.position(kind, f"{ID_PREFIX[kind]}_{cursor}")
        if before is None:
            raise bad_query("cursor: unknown cursor")
        end = bisect.bisect_left(objs, before, key=_seq)
    chunk = [objs[at] for at in range(end - 1, max(end - limit, 0) - 1, -1)]
    more = end > limit
    next_cursor = str(chunk[-1]["id"]).partition("_")[2] if more and chunk else None
    return chunk, {"hasMore": more, "nextCursor": next_cursor}


def page_kept(
    ctx: Ctx, objs: Sequence[JSON], *, maximum: int, default: int = 25
) -> tuple[list[JSON], JSON]:
    """Pagination, newest first, of a short list kept inside its parent (a monitor's runs, a
    webhook's attempts; oldest first, a few hundred at most): the cursor is the last id given."""
    limit_text = ctx.arg("limit")
    limit = default
    if limit_text is not None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= maximum:
            raise bad_query(f"limit: must be an integer between 1 and {maximum}")
        limit = int(limit_text)
    newest_first = list(reversed(objs))
    cursor = ctx.arg("cursor")
    if cursor:
        ids = [str(obj["id"]) for obj in newest_first]
        if cursor not in ids:
            raise bad_query("cursor: unknown cursor")
        newest_first = newest_first[ids.index(cursor) + 1 :]
    chunk = newest_first[:limit]
    more = len(newest_first) > limit
    return chunk, {"hasMore": more, "nextCursor": str(chunk[-1]["id"]) if more else None}


def _seq(obj: JSON) -> int:
    return int(obj["_seq"])


def listing(data: list[JSON], paging: JSON) -> Reply:
    return Reply(200, {"data": data, **paging})


def find_webset(store: Store, ident: str) -> JSON:
    """A webset by id or externalId (the API accepts either in webset paths)."""
    found = store.find("webset", ident) or store.find_external(ident)
    if found is not None:
        return found
    raise not_found("Webset", ident)


def find_child(store: Store, kind: str, webset: JSON, ident: str, what: str) -> JSON:
    found = store.find(kind, ident)
    if found is None or found.get("websetId") != webset["id"]:
        raise not_found(what, ident)
    return found


def find(store: Store, kind: str, ident: str, what: str) -> JSON:
    found = store.find(kind, ident)
    if found is None:
        raise not_found(what, ident)
    return found
