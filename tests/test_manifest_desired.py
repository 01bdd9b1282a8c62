"""Manifests → DesiredState: API field names, tool-only fields mapped away, locations, sources."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from websets_sync.errors import ManifestError
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model import Address, Kind, SourceLocation

#: Every test here runs with libyaml's composer and with the pure-Python fallback.
pytestmark = pytest.mark.usefixtures("yaml_composer")

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"

MANIFEST = """\
version: 1
project: growth
websets:
  - externalId: leads
    title: "  Leads  "
    metadata: {owner: "  growth  "}
    preventDestroy: true
    searches:
      - externalId: initial
        query: AI startups
        count: ${COUNT:-25}
        entity: {type: custom, description: " Startup "}
    enrichments:
      - {externalId: ceo, description: CEO name, format: text, metadata: {k: v}}
    monitors:
      - externalId: weekly
        cadence: {cron: "0 9 * * 1"}
        behavior: {type: search, config: {count: 5}}
      - externalId: paused
        enabled: false
        cadence: {cron: "0 9 * * 2", timezone: Europe/Paris}
        behavior: {type: search, config: {count: 5, query: new ones}}
  - externalId: dashboard-made
    id: webset_01abc
    preventDestroy: false
  - externalId: plain
webhooks:
  - externalId: crm
    url: ${URL}
    events: [webset.idle]
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "websets.yaml"
    path.write_text(MANIFEST)
    return path


def test_websets_and_children(manifest: Path) -> None:
    desired, warnings = load_desired_state([manifest], {"URL": "https://h.example.com/x"})
    assert warnings == []
    assert desired.project == "growth"
    leads, pinned, plain = desired.websets
    assert leads.address == Address.for_webset("leads")
    assert leads.spec == {"title": "Leads", "metadata": {"owner": "  growth  "}}
    assert (leads.prevent_destroy, pinned.prevent_destroy, plain.prevent_destroy) == (
        True,
        False,
        None,
    )
    assert (leads.pinned_id, pinned.pinned_id) == (None, "webset_01abc")
    assert plain.spec == {}
    (search,) = leads.searches
    assert search.address == Address.for_child(Kind.SEARCH, "leads", "initial")
    assert search.spec == {
        "query": "AI startups",
        "count": 25,
        "entity": {"type": "custom", "description": "Startup"},
    }
    assert leads.enrichments[0].spec == {
        "description": "CEO name",
        "format": "text",
        "metadata": {"k": "v"},
    }


def test_monitor_enabled_becomes_status(manifest: Path) -> None:
    desired, _ = load_desired_state([manifest], {"URL": "https://h.example.com/x"})
    weekly, paused = desired.websets[0].monitors
    assert weekly.spec == {
        "cadence": {"cron": "0 9 * * 1"},
        "behavior": {"type": "search", "config": {"count": 5}},
        "status": "enabled",
    }
    assert paused.spec["status"] == "disabled"
    assert "enabled" not in paused.spec and "externalId" not in paused.spec


def test_webhook_spec_and_env_interpolation(manifest: Path) -> None:
    desired, _ = load_desired_state([manifest], {"URL": "https://h.example.com/x", "COUNT": "7"})
    (hook,) = desired.webhooks
    assert hook.address == Address.for_webhook("crm")
    assert hook.spec == {"url": "https://h.example.com/x", "events": ["webset.idle"]}
    assert desired.websets[0].searches[0].spec["count"] == 7  # unquoted ${COUNT} reads as a number


def test_locations_and_sources(manifest: Path) -> None:
    desired, _ = load_desired_state([manifest], {"URL": "https://h.example.com/x"})
    name = str(manifest)
    assert desired.websets[0].location == SourceLocation(name, 4, 5)
    assert desired.websets[0].searches[0].location == SourceLocation(name, 9, 9)
    assert desired.websets[0].monitors[1].location == SourceLocation(name, 19, 9)
    assert desired.webhooks[0].location == SourceLocation(name, 28, 5)
    (source,) = desired.sources
    assert source.path == name
    assert source.sha256 == hashlib.sha256(manifest.read_bytes()).hexdigest()


def test_escape_gives_literal_dollar_brace() -> None:
    desired, _ = load_desired_state([FIXTURES / "escape.yaml"], {"SET_VAR": "value"})
    (webset,) = desired.websets
    assert webset.spec == {
        "title": "Cost in ${CURRENCY} for ${SET_VAR}",
        "metadata": {"template": "${SET_VAR:-x} and value", "dollars": "$5 and $$ are fine"},
    }


def test_default_used_when_variable_unset_or_empty(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\nproject: p\nwebsets:\n  - externalId: w\n    title: ${T:-dflt}\n")
    for env in ({}, {"T": ""}):
        desired, _ = load_desired_state([path], env)
        assert desired.websets[0].spec["title"] == "dflt"
    desired, _ = load_desired_state([path], {"T": "given"})
    assert desired.websets[0].spec["title"] == "given"


def test_invalid_raises_manifest_error_with_every_problem(manifest: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_desired_state([manifest], {})
    assert str(caught.value) == "manifests are invalid (1 error)"
    assert [p.path for p in caught.value.problems] == ["webhooks[0].url"]


def test_no_paths_is_an_error() -> None:
    with pytest.raises(ManifestError, match="1 error"):
        load_desired_state([], {})
