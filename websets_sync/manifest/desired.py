"""Validated manifest data → the desired model (API field names, tool-only fields mapped away)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from websets_sync.manifest.csvfile import CsvProblem, csv_path, read_csv
from websets_sync.manifest.files import ManifestFile
from websets_sync.manifest.moves import moves_of, parsed
from websets_sync.manifest.semantic import Entry, children_of, imports_of, webhooks_of, websets_of
from websets_sync.model import (
    Address,
    Budget,
    DesiredResource,
    DesiredState,
    DesiredWebset,
    Kind,
    ManifestSource,
    Move,
)

_KINDS = {"searches": Kind.SEARCH, "enrichments": Kind.ENRICHMENT, "monitors": Kind.MONITOR}


def stripped(value: Any, *, verbatim: bool = False) -> Any:
    """``value`` with surrounding whitespace stripped from every string, as exa-py and the API do.

    Metadata values are user data the SDK passes through untouched, so they stay verbatim.
    """
    if isinstance(value, str):
        return value if verbatim else value.strip()
    if isinstance(value, list):
        return [stripped(item, verbatim=verbatim) for item in value]
    if isinstance(value, dict):
        return {
            key: stripped(item, verbatim=verbatim or key == "metadata")
            for key, item in value.items()
        }
    return value


def build_desired_state(manifests: Sequence[ManifestFile]) -> DesiredState:
    """Convert manifests that passed validation (so every shape is as the schema says)."""
    websets = []
    webhooks = []
    imports = []
    for manifest in manifests:
        for declared in imports_of(manifest):
            imports.append(_import(manifest, declared))
        for webset in websets_of(manifest):
            websets.append(_webset(manifest, webset.path, webset.data))
        for hook in webhooks_of(manifest):
            address = Address.for_webhook(hook.data["externalId"])
            webhooks.append(
                DesiredResource(
                    address,
                    _spec(hook.data),
                    manifest.location(hook.path),
                    manifest.raw_texts_below(hook.path),
                )
            )
    return DesiredState(
        project=manifests[0].data["project"],
        websets=tuple(websets),
        webhooks=tuple(webhooks),
        sources=tuple(ManifestSource(m.path, m.sha256) for m in manifests),
        budget=_budget(manifests),
        moves=tuple(_moves(manifests)),
        imports=tuple(imports),
    )


def _import(manifest: ManifestFile, entry: Entry) -> DesiredResource:
    """An import: its create-body fields, with the file measured (count, size, SHA-256); an
    import pinned by ``id`` (exported: its CSV is not in the repository) has no file."""
    data = entry.data
    upload = None
    if "file" in data:
        try:
            upload = read_csv(csv_path(manifest.path, data["file"]))
        except CsvProblem as exc:  # pragma: no cover - semantic checks refused it already
            raise ValueError(str(exc)) from None
    spec: dict[str, Any] = {k: data[k] for k in ("entity", "title", "csv", "metadata") if k in data}
    return DesiredResource(
        Address.for_import(data["externalId"]),
        spec,
        manifest.location(entry.path),
        upload=upload,
    )


def _moves(manifests: Sequence[ManifestFile]) -> list[Move]:
    moves = []
    for manifest in manifests:
        for entry in moves_of(manifest):
            source, target = parsed(entry, "from"), parsed(entry, "to")
            if source is not None and target is not None:
                moves.append(Move(source, target, manifest.location(entry.path)))
    return moves


def _budget(manifests: Sequence[ManifestFile]) -> Budget:
    """The project's budget: the files that declare one agree (semantic checks made sure)."""
    for manifest in manifests:
        declared = manifest.data.get("budget")
        if isinstance(declared, dict):
            once, month = declared.get("maxUsdOnce"), declared.get("maxUsdPerMonth")
            return Budget(
                max_usd_once=float(once) if once is not None else None,
                max_usd_per_month=float(month) if month is not None else None,
            )
    return Budget()


def _webset(
    manifest: ManifestFile, path: tuple[str | int, ...], data: dict[str, Any]
) -> DesiredWebset:
    external_id = data["externalId"]
    entry = Entry(manifest, path, data)
    children: dict[str, tuple[DesiredResource, ...]] = {}
    for field, kind in _KINDS.items():
        children[field] = tuple(
            DesiredResource(
                Address.for_child(kind, external_id, child.data["externalId"]),
                _spec(child.data, monitor=kind is Kind.MONITOR),
                manifest.location(child.path),
                manifest.raw_texts_below(child.path),
            )
            for child in children_of(entry, field)
        )
    return DesiredWebset(
        address=Address.for_webset(external_id),
        spec={k: data[k] for k in ("title", "metadata", "import", "exclude") if k in data},
        prevent_destroy=data.get("preventDestroy"),
        pinned_id=data.get("id"),
        searches=children["searches"],
        enrichments=children["enrichments"],
        monitors=children["monitors"],
        location=manifest.location(path),
        raw_texts={
            steps: text
            for steps, text in manifest.raw_texts_below(path).items()
            if steps[0] in ("title", "metadata")
        },
    )


def _spec(data: dict[str, Any], *, monitor: bool = False) -> dict[str, Any]:
    spec = {k: v for k, v in data.items() if k not in ("externalId", "enabled")}
    if monitor:
        spec["status"] = "enabled" if data.get("enabled", True) else "disabled"
    return spec
