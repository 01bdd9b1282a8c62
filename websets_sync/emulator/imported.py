"""What a webset does with its sources in the emulator: ``import`` embeds the imported rows as
items (``source: import``), and a search leaves out what its ``exclude`` names (an excluded
webset's items, an excluded import's rows), matched by URL.

Cheap by construction: a webset's items come from the store's per-webset index, an import's rows
were kept at upload, and a search computes its excluded URLs once, when it is created.
"""

from __future__ import annotations

import csv
import io

from websets_sync.emulator import generate
from websets_sync.emulator.store import JSON, Store

#: Rows of one import embedded in a webset at most (memory guard, not an API rule).
MAX_EMBEDDED = 1000


def upload_rows(content: bytes, identifier: int) -> list[str]:
    """The identifying cell of every data row of an uploaded CSV (blank rows left out)."""
    text = content.decode("utf-8-sig", errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)][1:]
    return [row[identifier] if identifier < len(row) else "" for row in rows][:MAX_EMBEDDED]


def embed_imports(store: Store, webset: JSON, import_ids: list[str]) -> None:
    """One ``source: import`` item per row of each imported import (its URL as the row says)."""
    for import_id in import_ids:
        record = store.find("import", import_id)
        if record is None:
            continue
        rows = record.get("_rows") or []
        for index in range(min(int(record.get("count", 0)), MAX_EMBEDDED)):
            rng = store.rng("import-item", webset["id"], import_id, index)
            properties = generate.item_properties(record.get("entity"), rng, record["title"])
            if index < len(rows) and rows[index]:
                properties["url"] = rows[index]
            item = {
                "object": "webset_item",
                "source": "import",
                "sourceId": import_id,
                "websetId": webset["id"],
                "properties": properties,
                "evaluations": [],
            }
            store.insert("item", item)


def excluded_urls(store: Store, refs: list[JSON]) -> list[str]:
    """The URLs a search's ``exclude`` leaves out, computed once when the search starts."""
    urls: list[str] = []
    for ref in refs:
        if ref.get("source") == "webset":
            items = store.children("item", str(ref.get("id")))
            urls += [str(i.get("properties", {}).get("url")) for i in items]
        elif ref.get("source") == "import":
            record = store.find("import", str(ref.get("id")))
            urls += list((record or {}).get("_rows") or [])
    return urls
