"""Bad imports and references are said once each, at file:line, before any request (issue 12).
The other cases are in tests/fixtures/manifests/imports.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from apply_support import World, write

from websets_sync.errors import ManifestError, PlanError
from websets_sync.manifest.csvfile import MAX_IMPORT_BYTES, data_rows
from websets_sync.manifest.schema import load_desired_state

HEAD = "version: 1\nproject: p\n"


def test_a_csv_over_50_mb_is_refused_at_its_file_line(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # sparse: no 50 MB written to disk
        handle.truncate(MAX_IMPORT_BYTES + 1)
    manifest = write(
        tmp_path / "m.yaml",
        HEAD + "imports:\n  - externalId: big\n    file: big.csv\n    entity: {type: company}\n",
    )
    with pytest.raises(ManifestError) as caught:
        load_desired_state([manifest], {})
    (problem,) = caught.value.problems
    assert (problem.line, problem.path) == (5, "imports[0].file")
    assert f"is {MAX_IMPORT_BYTES + 1} bytes; the API takes at most" in problem.message


def test_an_import_needs_a_file_or_an_id(tmp_path: Path) -> None:
    manifest = write(
        tmp_path / "m.yaml", HEAD + "imports:\n  - externalId: x\n    entity: {type: company}\n"
    )
    with pytest.raises(ManifestError) as caught:
        load_desired_state([manifest], {})
    assert [(p.line, p.path, p.message) for p in caught.value.problems] == [
        (4, "imports[0]", "needs one of: file or id")
    ]


def test_data_rows_leave_out_the_header_and_blank_lines_and_keep_quoted_newlines() -> None:
    assert data_rows('url,note\n\nhttps://a,"two\nlines"\nhttps://b,x\n\n') == 2
    assert data_rows("url\n") == 0


def test_a_webset_reference_to_no_webset_at_all_fails_the_plan(tmp_path: Path) -> None:
    manifest = write(
        tmp_path / "m.yaml",
        HEAD + "websets:\n  - externalId: a\n    exclude: [{source: webset, externalId: nope}]\n",
    )
    with pytest.raises(PlanError, match="refers to webset/nope, which the manifests do not"):
        World(tmp_path).plan([manifest])
