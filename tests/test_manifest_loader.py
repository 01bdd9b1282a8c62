"""The YAML loader: safe nodes only, exact locations, interpolation, hostile inputs refused fast."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from websets_sync.manifest import load_desired_state, yaml_nodes
from websets_sync.manifest.files import MAX_FILE_BYTES, load_file
from websets_sync.manifest.interpolate import Interpolation, interpolate
from websets_sync.model import SourceLocation

#: Every test here runs with libyaml's composer and with the pure-Python fallback.
pytestmark = pytest.mark.usefixtures("yaml_composer")


def load(
    tmp_path: Path, text: str | bytes, env: dict[str, str] | None = None
) -> tuple[Any, list[str]]:
    path = tmp_path / "m.yaml"
    if isinstance(text, str):
        path.write_text(text)
    else:
        path.write_bytes(text)
    manifest, problems = load_file(path, env or {})
    return manifest, [str(p).removeprefix(f"{path}:") for p in problems]


def test_locations_of_values_and_keys(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, "version: 1\nwebsets:\n  - externalId: a\n    title: T\n")
    assert problems == []
    name = str(tmp_path / "m.yaml")
    assert manifest.location(("websets", 0, "title")) == SourceLocation(name, 4, 12)
    assert manifest.location(("websets", 0, "title"), key=True) == SourceLocation(name, 4, 5)
    # An absent field is located at its nearest written parent.
    assert manifest.location(("websets", 0, "count")) == SourceLocation(name, 3, 5)


def test_plain_scalars_keep_yaml_types_but_dates_stay_text(tmp_path: Path) -> None:
    manifest, _ = load(tmp_path, "a: 1\nb: 2.5\nc: true\nd: null\ne: 2025-01-01\nf: '7'\n")
    assert manifest.data == {"a": 1, "b": 2.5, "c": True, "d": None, "e": "2025-01-01", "f": "7"}


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, "\ufeffversion: 1\n".encode())
    assert problems == [] and manifest.data == {"version": 1}


def test_not_utf8(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, b"version: 1\ntitle: \xff\n")
    assert manifest is None
    assert problems == ["1:1: file is not UTF-8 text (byte 18)"]


def test_too_large(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, b"#" * (MAX_FILE_BYTES + 1))
    assert manifest is None and problems == [f"1:1: file is larger than {MAX_FILE_BYTES} bytes"]


def test_deep_nesting_is_refused_not_crashing(tmp_path: Path, yaml_composer: str) -> None:
    manifest, problems = load(tmp_path, "a: " + "[" * 1500 + "]" * 1500 + "\n")
    assert manifest is None
    too_deep = ["1:1: invalid YAML: nesting is too deep"]
    if yaml_composer == "libyaml" and problems != too_deep:
        # libyaml before PyYAML 6.0.3 composes any depth without recursing; the loader's own
        # limit then refuses it where it starts, in the same words as the 70-level case below.
        assert len(problems) == 1 and problems[0].endswith("nesting is deeper than 64 levels")
    else:
        assert problems == too_deep
    manifest, problems = load(tmp_path, "a: " + "[" * 70 + "]" * 70 + "\n")
    assert manifest is None
    assert len(problems) == 1 and "nesting is deeper than 64 levels" in problems[0]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, 12):  # 10**12 values once expanded
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    started = time.perf_counter()
    manifest, problems = load(tmp_path, "\n".join(levels) + "\n")
    assert time.perf_counter() - started < 1.0
    assert manifest is None
    assert len(problems) == 1
    assert problems[0].startswith(
        "5:4: e: this value expands to 111111 values through YAML aliases"
    )


def test_modest_alias_use_is_fine(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, "a: &x {k: v}\nb: *x\n")
    assert problems == [] and manifest.data == {"a": {"k": "v"}, "b": {"k": "v"}}


def test_complex_keys_are_refused(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, "? [a, b]\n: c\nd: e\n")
    assert problems == ["1:3: mapping keys must be plain strings"]
    assert manifest.data == {"d": "e"}


@pytest.mark.parametrize(
    ("text", "env", "expected", "errors"),
    [
        ("${A}", {"A": "x"}, "x", []),
        ("pre-${A}-post", {"A": "x"}, "pre-x-post", []),
        ("${A:-d}", {}, "d", []),
        ("${A:-}", {}, "", []),
        ("${A:-d}", {"A": ""}, "d", []),
        ("${A}", {"A": ""}, "", []),
        ("$${A}", {"A": "x"}, "${A}", []),
        ("$$${A}", {"A": "x"}, "$${A}", []),  # "$" then the escape
        ("$A ${", {}, "$A ${", ["malformed variable reference '${'"]),
        ("${1A}", {}, "${1A}", ["malformed variable reference '${1A}'"]),
        ("${A}${B}", {}, "", ["variable A is not set", "variable B is not set"]),
        ("${A:-${B}}", {}, "${B}", []),  # a default ends at the first "}"; no nesting
    ],
)
def test_interpolate(text: str, env: dict[str, str], expected: str, errors: list[str]) -> None:
    result = interpolate(text, Interpolation(env))
    assert result.text == expected
    assert len(result.errors) == len(errors)
    for message, fragment in zip(result.errors, errors, strict=True):
        assert fragment in message


def test_interpolation_only_in_values_not_keys(tmp_path: Path) -> None:
    manifest, problems = load(tmp_path, "${K}: ${V}\n", {"K": "k", "V": "v"})
    assert problems == [] and manifest.data == {"${K}": "v"}


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda t: "$" not in t))
def test_text_without_dollar_is_unchanged(text: str) -> None:
    result = interpolate(text, Interpolation({}))
    assert (result.text, result.errors, result.substituted) == (text, [], False)


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda t: "$" not in t), names, st.text().filter(lambda t: "$" not in t))
def test_escape_and_substitution(prefix: str, name: str, value: str) -> None:
    env = Interpolation({name: value})
    assert interpolate(f"{prefix}$${{{name}}}", env).text == f"{prefix}${{{name}}}"
    assert interpolate(f"{prefix}${{{name}}}", env).text == prefix + value
    assert interpolate(f"${{{name}:-{prefix.replace('}', '')}}}", env).text == (
        value or prefix.replace("}", "")
    )


def test_libyaml_is_the_composer_when_pyyaml_has_it(yaml_composer: str) -> None:
    import yaml

    from websets_sync.manifest import files

    if yaml_composer == "libyaml":
        assert files.C_LOADER is not None and issubclass(files.C_LOADER, yaml.CSafeLoader)
    else:
        assert files.C_LOADER is None
    # libyaml's marks carry no buffer: this node was composed in C.
    node = files.compose("a: 1\n", files.C_LOADER)
    assert node is not None and (node.start_mark.buffer is None) == (yaml_composer == "libyaml")


def test_a_document_libyaml_refuses_is_reported_in_the_pure_python_words(tmp_path: Path) -> None:
    # libyaml says "mapping values are not allowed in this context"; the explained words are
    # PyYAML's, whichever composer ran first.
    _, problems = load(tmp_path, "a: b: c\n")
    assert problems == [
        "1:5: invalid YAML: a second ': ' on this line; put the value in quotes if it contains "
        "': ', or start the key on a line of its own (YAML parser: mapping values are not "
        "allowed here)"
    ]


@pytest.fixture
def value_limit(yaml_composer: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """The alias limit the scale tests run against: the real one with libyaml; a tenth of it with
    the pure-Python composer, which takes seconds per 100,000 values and builds the same nodes
    for the same counting code."""
    if yaml_composer == "pure-python":
        monkeypatch.setattr(yaml_nodes, "MAX_VALUES", yaml_nodes.MAX_VALUES // 10)
    return yaml_nodes.MAX_VALUES


def test_a_long_file_is_no_alias_bomb(tmp_path: Path, value_limit: int) -> None:
    # 1,000 websets written out (at the real limit): over MAX_VALUES values, none added by an alias.
    websets = value_limit // 100
    lines = ["version: 1", "project: big", "websets:"]
    for w in range(websets):
        lines += [f"  - externalId: ws-{w}", f"    title: Webset {w}"]
        lines += ["    metadata: {team: growth, owner: ana, region: eu}", "    searches:"]
        criteria = "[{description: based in Europe}, {description: over 50 staff}]"
        lines += [
            f"      - {{externalId: s{s}, query: q {w} {s}, count: 5, criteria: {criteria}}}"
            for s in range(2)
        ]
        lines.append("    enrichments:")
        lines += [f"      - {{externalId: e{e}, description: Fact {e}}}" for e in range(5)]
        lines += [
            "    monitors:",
            "      - {externalId: m0, cadence: {cron: '0 9 * * 1'},"
            " behavior: {type: search, config: {query: new ones, count: 3}}}",
        ]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n")
    desired, warnings = load_desired_state([path], {})
    assert warnings == []
    assert len(desired.websets) == websets


def test_a_bomb_beside_a_long_list_is_found_where_the_aliases_are(
    tmp_path: Path, value_limit: int
) -> None:
    long_list = "long: [" + ", ".join(f"v{i}" for i in range(value_limit * 6 // 5)) + "]"
    levels = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    # At the real limit, e expands to 111111 values, 111105 of them added by aliases.
    depth = len(str(value_limit))
    for i in range(1, depth):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    manifest, problems = load(tmp_path, long_list + "\n" + "\n".join(levels) + "\n")
    assert manifest is None
    # The outermost level is not reused; the one it aliases is where the bomb is.
    bomb, expanded = chr(ord("a") + depth - 2), "1" * depth
    assert problems == [
        f"{depth}:4: {bomb}: this value expands to {expanded} values through YAML aliases "
        f"(the limit is {value_limit}): an alias expansion bomb?"
    ]
