"""The manifest JSON Schema: one canonical file, published copy identical, strict everywhere.

Canonical: ``websets_sync/data/manifest.schema.json`` (package data, so the validator and the
wheel use the same bytes). ``schemas/manifest.schema.json`` is the published copy that editors
reference from ``# yaml-language-server: $schema=…`` lines; it is a real file rather than a
symlink because symlinks do not survive every checkout (Windows) or raw-file URLs. This test
keeps the two byte-identical: after editing the canonical file, copy it over the published one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from websets_sync.manifest.schema import manifest_schema, schema_text
from websets_sync.model import EXTERNAL_ID_PATTERN

ROOT = Path(__file__).parent.parent
CANONICAL = ROOT / "websets_sync" / "data" / "manifest.schema.json"
PUBLISHED = ROOT / "schemas" / "manifest.schema.json"
EVENTS = {
    "webset.created", "webset.deleted", "webset.paused", "webset.idle",
    "webset.search.created", "webset.search.canceled", "webset.search.completed",
    "webset.search.updated", "import.created", "import.completed", "webset.item.created",
    "webset.item.enriched", "monitor.created", "monitor.updated", "monitor.deleted",
    "monitor.run.created", "monitor.run.completed", "webset.export.created",
    "webset.export.completed",
}  # fmt: skip


def object_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from object_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from object_schemas(value, f"{where}/{index}")


def test_published_copy_is_byte_identical_to_the_packaged_schema() -> None:
    assert PUBLISHED.read_bytes() == CANONICAL.read_bytes(), (
        "schemas/manifest.schema.json differs: cp websets_sync/data/manifest.schema.json schemas/"
    )


def test_validator_uses_the_packaged_file() -> None:
    assert schema_text() == CANONICAL.read_text()
    assert manifest_schema() == json.loads(CANONICAL.read_text())


def test_is_a_valid_2020_12_schema() -> None:
    schema = manifest_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_object_is_closed_and_every_property_described() -> None:
    found = list(object_schemas(manifest_schema()))
    assert len(found) >= 12
    for where, schema in found:
        if where.endswith(("/if", "/then", "/else")) or "/if/" in where:
            continue  # conditions, not declarations
        assert schema.get("additionalProperties") is False, where
        for name, prop in schema["properties"].items():
            assert prop.get("description"), f"{where}/properties/{name} has no description"


def test_metadata_values_are_limited_strings() -> None:
    metadata = manifest_schema()["$defs"]["webset"]["properties"]["metadata"]
    assert metadata["additionalProperties"] == {
        "type": "string",
        "maxLength": 1000,
        "description": "A metadata value (a string, at most 1000 characters).",
    }


def test_external_id_pattern_matches_the_model() -> None:
    defs = manifest_schema()["$defs"]
    for kind in ("webset", "search", "enrichment", "monitor", "webhook"):
        assert defs[kind]["properties"]["externalId"]["pattern"] == EXTERNAL_ID_PATTERN.pattern


def test_webhook_events_are_the_nineteen_api_events() -> None:
    events = manifest_schema()["$defs"]["webhook"]["properties"]["events"]
    assert set(events["items"]["enum"]) == EVENTS
    assert (events["minItems"], events["maxItems"], events["uniqueItems"]) == (1, 19, True)


def test_monitor_offers_only_search_behavior() -> None:
    behavior = manifest_schema()["$defs"]["monitor"]["properties"]["behavior"]
    assert behavior["properties"]["type"]["const"] == "search"
    assert "refresh" not in json.dumps(behavior)


def test_search_covers_every_create_body_field() -> None:
    search = manifest_schema()["$defs"]["search"]["properties"]
    assert set(search) == {
        "externalId", "query", "count", "entity", "criteria", "behavior", "exclude", "scope",
        "recall", "maxPeoplePerCompany", "metadata",
    }  # fmt: skip
    # A scope names its source by API id or, since issue 12, by externalId.
    assert search["scope"]["items"] == {"$ref": "#/$defs/scopeRef"}
    scope = manifest_schema()["$defs"]["scopeRef"]["properties"]
    assert set(scope) == {"source", "id", "externalId", "relationship"}


def test_schema_is_declared_as_package_data() -> None:
    # Verified by hand with `setup.py build_py`: the built package contains data/*.json.
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["websets_sync"]
    assert any(CANONICAL.relative_to(ROOT / "websets_sync").match(p) for p in patterns)
