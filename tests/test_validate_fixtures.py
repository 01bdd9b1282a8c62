"""One fixture per failure mode: each file ends with ``# expect:`` lines, the exact problems
(line:column: field path: message) that validating it alone must report, in order.

A fixture without expectations must validate cleanly. To add a case, write the YAML, run
``websets-sync validate`` on it, review every location and message, and append them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from websets_sync.errors import ManifestError, Problem
from websets_sync.manifest.schema import load_desired_state

#: Every test here runs with libyaml's composer and with the pure-Python fallback.
pytestmark = pytest.mark.usefixtures("yaml_composer")

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"
SETS = FIXTURES / "sets"
#: The environment every fixture sees (never os.environ).
ENV = {"SET_VAR": "value", "EMPTY_VAR": ""}
EXPECT = "# expect: "


def problems_of(paths: list[Path]) -> list[Problem]:
    try:
        _, warnings = load_desired_state(paths, ENV)
    except ManifestError as exc:
        return exc.problems
    return warnings


def without_file(problem: Problem) -> str:
    """The problem as printed, with the fixture folder left out of every path."""
    return str(problem).removeprefix(f"{problem.file}:").replace(f"{FIXTURES}/", "")


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_fixture_reports_exactly_its_expected_problems(fixture: Path) -> None:
    lines = fixture.read_text().splitlines()
    expected = [line.removeprefix(EXPECT) for line in lines if line.startswith(EXPECT)]
    problems = problems_of([fixture])
    assert [without_file(p) for p in problems] == expected
    assert all(p.file == str(fixture) for p in problems)


def test_every_failure_mode_has_a_fixture() -> None:
    names = {p.stem for p in FIXTURES.glob("*.yaml")}
    assert {
        "duplicate-key",
        "unknown-field",
        "bad-external-id",
        "duplicate-external-id",
        "reserved-prefix",
        "long-metadata-value",
        "criteria-count",
        "too-many-enrichments",
        "options",
        "cron",
        "timezone",
        "events",
        "webhook-url",
        "http-warning-only",
        "missing-env",
        "escape",
        "alias-bomb",
        "recursive-alias",
        "non-safe-tag",
        "empty",
        "syntax-error",
    } <= names


def test_http_url_is_only_a_warning() -> None:
    desired, warnings = load_desired_state([FIXTURES / "http-warning-only.yaml"], ENV)
    assert [w.severity for w in warnings] == ["warning"]
    assert desired.webhooks[0].spec["url"] == "http://hooks.example.com/plain"


def test_project_must_agree_across_files() -> None:
    problems = problems_of([SETS / "disagree"])
    assert [str(p) for p in problems] == [
        f"{SETS}/disagree/b.yaml:3:10: project: project 'other' differs from 'demo' in "
        f"{SETS}/disagree/a.yaml (all files of a manifest set must agree)",
        f"{SETS}/disagree/c.yaml:1:10: version: must be 1, got 2",
    ]


def test_external_ids_are_unique_across_files() -> None:
    problems = problems_of([SETS / "cross-file"])
    first, second = f"{SETS}/cross-file/1-first.yaml", f"{SETS}/cross-file/2-second.yaml"
    assert [str(p) for p in problems] == [
        f"{second}:5:17: websets[1].externalId: duplicate webset externalId 'leads' "
        f"(first declared at {first}:4:17)",
        f"{second}:7:18: webhooks[0].externalId: duplicate webhook externalId 'crm' "
        f"(first declared at {first}:6:18)",
    ]


def test_directory_loads_every_yaml_below_in_sorted_order() -> None:
    # a.yml, b.yaml, sub/c.yaml; not .hidden/x.yaml, not notes.txt.
    desired, warnings = load_desired_state([SETS / "order"], ENV)
    assert warnings == []
    assert [w.external_id for w in desired.websets] == ["from-a", "from-b", "from-sub-c"]
    assert [Path(s.path).relative_to(SETS / "order").as_posix() for s in desired.sources] == [
        "a.yml",
        "b.yaml",
        "sub/c.yaml",
    ]


def test_files_keep_the_order_given_and_are_read_once() -> None:
    b, a = SETS / "order" / "b.yaml", SETS / "order" / "a.yml"
    desired, _ = load_desired_state([b, a, SETS / "order"], ENV)
    assert [w.external_id for w in desired.websets] == ["from-b", "from-a", "from-sub-c"]


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    problems = problems_of([tmp_path / "nope.yaml", tmp_path])
    assert [str(p) for p in problems] == [
        f"{tmp_path}:1:1: directory contains no *.yaml or *.yml files",
        f"{tmp_path}/nope.yaml:1:1: no such file or directory",
    ]


def test_errors_in_several_files_are_all_reported() -> None:
    problems = problems_of([FIXTURES / "events.yaml", FIXTURES / "cron.yaml"])
    assert [Path(p.file).name for p in problems] == ["cron.yaml"] * 4 + ["events.yaml"] * 3
