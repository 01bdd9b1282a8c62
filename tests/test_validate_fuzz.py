"""Fuzzing `websets-sync validate` through the real CLI: whatever the input, no traceback, exit 0
or 1, and a message saying what happened."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from websets_sync.cli.root import cli

#: Every test here runs with libyaml's composer and with the pure-Python fallback.
pytestmark = pytest.mark.usefixtures("yaml_composer")

EXAMPLES = Path(__file__).parent.parent / "examples"
EXAMPLE_FILES = sorted(
    p for p in EXAMPLES.rglob("*.yaml") if "github" not in p.relative_to(EXAMPLES).parts
)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELD_NAMES = [
    "version", "project", "websets", "webhooks", "externalId", "title", "metadata", "searches",
    "enrichments", "monitors", "query", "count", "entity", "type", "description", "criteria",
    "format", "options", "label", "cadence", "cron", "timezone", "behavior", "config", "url",
    "events", "enabled", "preventDestroy", "id", "scope", "exclude", "websets-sync/x",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["${X}", "${X:-d}", "$${", "${", "0 9 * * 1", "https://a.example.com"])
)
keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=12)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


def validate_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = CliRunner().invoke(cli, ["validate", str(path)], env={"X": "x"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 0:
        assert result.stdout.startswith("ok: ")
    else:
        assert result.stderr.rstrip().splitlines()[-1].startswith("Error: ")


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    validate_text(text.encode("utf-8", "replace").decode("utf-8"))


@FUZZ
@given(documents, st.booleans())
def test_arbitrary_documents_as_yaml_or_json(document: Any, as_json: bool) -> None:
    text = json.dumps(document) if as_json else yaml.safe_dump(document, allow_unicode=True)
    validate_text(text)


@st.composite
def mutated_manifest(draw: st.DrawFn) -> Any:
    """A valid example with a few random edits: keys dropped, added or renamed; values replaced."""
    document = yaml.safe_load(draw(st.sampled_from(EXAMPLE_FILES)).read_text())
    for _ in range(draw(st.integers(1, 4))):
        containers = list(_containers(document))
        target = draw(st.sampled_from(containers))
        if isinstance(target, list):
            if target and draw(st.booleans()):
                index = draw(st.integers(0, len(target) - 1))
                target.append(json.loads(json.dumps(target[index])))  # duplicate an entry
            elif target:
                target[draw(st.integers(0, len(target) - 1))] = draw(documents)
            continue
        action = draw(st.sampled_from(["drop", "add", "replace", "rename"]))
        names = sorted(target)
        if action == "add" or not names:
            target[draw(keys)] = draw(documents)
            continue
        name = draw(st.sampled_from(names))
        if action == "drop":
            del target[name]
        elif action == "replace":
            target[name] = draw(documents)
        else:
            target[name + draw(st.sampled_from(["s", "_", "X"]))] = target.pop(name)
    return document


def _containers(node: Any) -> Any:
    if isinstance(node, (dict, list)):
        yield node
        for child in node.values() if isinstance(node, dict) else node:
            yield from _containers(child)


@FUZZ
@given(mutated_manifest())
def test_mutated_valid_manifests(document: Any) -> None:
    validate_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


@FUZZ
@given(
    st.sampled_from(EXAMPLE_FILES), st.lists(st.tuples(st.integers(0, 5000), st.text(max_size=3)))
)
def test_text_edits_of_valid_manifests(example: Path, edits: list[tuple[int, str]]) -> None:
    text = example.read_text()
    for position, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + 1 :]
    validate_text(text)
