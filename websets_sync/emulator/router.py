"""Request context, route table and the helpers every resource's handlers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from websets_sync.emulator.failures import bad_query, not_found
from websets_sync.emulator.lifecycle import Timing
from websets_sync.emulator.store import JSON, Store


@dataclass
class Ctx:
    """One request as handlers see it; ``origin`` is scheme://host (used for upload URLs)."""

    store: Store
    timing: Timing
    query: dict[str, list[str]]
    body: JSON
    origin: str

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


def page(ctx: Ctx, objs: list[JSON], *, maximum: int, default: int = 25) -> tuple[list[JSON], JSON]:
    """Cursor pagination in creation order: (this page, ``{hasMore, nextCursor}``)."""
    limit_text = ctx.arg("limit")
    limit = default
    if limit_text is not None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= maximum:
            raise bad_query(f"limit: must be an integer between 1 and {maximum}")
        limit = int(limit_text)
    cursor = ctx.arg("cursor")
    if cursor is not None:
        if not cursor.startswith("cur_") or not cursor[4:].isdigit():
            raise bad_query("cursor: invalid cursor")
        after = int(cursor[4:])
        objs = [obj for obj in objs if int(obj["_seq"]) > after]
    chunk = objs[:limit]
    more = len(objs) > limit
    next_cursor = f"cur_{chunk[-1]['_seq']}" if more and chunk else None
    return chunk, {"hasMore": more, "nextCursor": next_cursor}


def listing(data: list[JSON], paging: JSON) -> Reply:
    return Reply(200, {"data": data, **paging})


def find_webset(store: Store, ident: str) -> JSON:
    """A webset by id or externalId (the API accepts either in webset paths)."""
    found = store.find("webset", ident)
    if found is not None:
        return found
    for webset in store.all("webset"):
        if webset.get("externalId") == ident:
            return webset
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
