"""The manifest format mirrors the API's create bodies: checked against exa-py's own models.

exa-py models accept unknown fields (``extra='allow'``), so validation alone would not catch a
misspelt field; the tests also compare field names with each model's declared aliases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from exa_py.websets import types as sdk
from pydantic import BaseModel

from websets_sync.manifest.schema import load_desired_state, manifest_schema
from websets_sync.model import DesiredState

EXAMPLES = Path(__file__).parent.parent / "examples"
SETS = ["quickstart", "multi-file", "research"]
TOOL_ONLY = {
    "externalId", "enabled", "preventDestroy", "id", "searches", "enrichments", "monitors", "file",
}  # fmt: skip
#: Aliases exa-py declares inside a string annotation, where model_fields does not see them.
ANNOTATED_ALIASES = {"imports": "import"}


def api_fields(model: type[BaseModel]) -> set[str]:
    return {
        info.alias or ANNOTATED_ALIASES.get(name, name) for name, info in model.model_fields.items()
    }


def declared(kind: str, *inner: str) -> set[str]:
    schema = manifest_schema()["$defs"][kind]
    for name in inner:
        schema = schema["properties"][name]
    return set(schema["properties"]) - TOOL_ONLY


@pytest.mark.parametrize(
    ("kind", "inner", "model"),
    [
        ("webset", (), sdk.CreateWebsetParameters),
        ("search", (), sdk.CreateWebsetSearchParameters),
        ("enrichment", (), sdk.CreateEnrichmentParameters),
        ("monitor", (), sdk.CreateMonitorParameters),
        ("monitor", ("cadence",), sdk.MonitorCadence),
        ("monitor", ("behavior",), sdk.MonitorBehaviorSearch),
        ("monitor", ("behavior", "config"), sdk.MonitorBehaviorSearchConfig),
        ("webhook", (), sdk.CreateWebhookParameters),
        ("import", (), sdk.CreateImportParameters),
    ],
)
def test_every_manifest_field_is_an_api_field(
    kind: str, inner: tuple[str, ...], model: type[BaseModel]
) -> None:
    assert declared(kind, *inner) <= api_fields(model)


def test_search_offers_every_user_settable_api_field() -> None:
    assert api_fields(sdk.CreateWebsetSearchParameters) <= declared("search") | {"externalId"}
    assert api_fields(sdk.CreateEnrichmentParameters) == declared("enrichment")
    assert api_fields(sdk.CreateWebhookParameters) == declared("webhook")


def desired_of(example: str) -> DesiredState:
    desired, _ = load_desired_state([EXAMPLES / example], {})
    return desired


def checked(model: type[BaseModel], body: dict[str, Any]) -> None:
    # Every key must be one the model declares, and the model must accept the values.
    assert set(body) <= api_fields(model), set(body) - api_fields(model)
    model.model_validate(body)


@pytest.mark.parametrize("example", SETS)
def test_example_specs_are_valid_sdk_bodies(example: str) -> None:
    desired = desired_of(example)
    for webset in desired.websets:
        checked(sdk.CreateWebsetParameters, {"externalId": webset.external_id, **webset.spec})
        for search in webset.searches:
            checked(sdk.CreateWebsetSearchParameters, {"count": 10, **search.spec})
        first = {
            k: v for k, v in webset.searches[0].spec.items() if k not in ("metadata", "behavior")
        }
        checked(sdk.CreateWebsetParametersSearch, first)
        for enrichment in webset.enrichments:
            checked(sdk.CreateEnrichmentParameters, dict(enrichment.spec))
        for monitor in webset.monitors:
            body = {k: v for k, v in monitor.spec.items() if k != "status"}
            checked(sdk.CreateMonitorParameters, {"websetId": "webset_1", **body})
            assert monitor.spec["status"] in ("enabled", "disabled")
    for webhook in desired.webhooks:
        checked(sdk.CreateWebhookParameters, dict(webhook.spec))
