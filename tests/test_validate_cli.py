"""`websets-sync validate` through the real CLI: output format, exit codes, JSON, no API needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from websets_sync.cli.root import cli

#: Every test here runs with libyaml's composer and with the pure-Python fallback.
pytestmark = pytest.mark.usefixtures("yaml_composer")

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).parent / "fixtures" / "manifests"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    # No EXA_API_KEY: validate must never need one (and never make a request).
    base = {"EXA_API_KEY": "", "NO_COLOR": "1"}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})}, catch_exceptions=False)


@pytest.mark.parametrize(
    ("example", "summary"),
    [
        ("quickstart", "ok: 1 webset, 1 search, 2 enrichments, 1 monitor, 0 webhooks"),
        ("multi-file", "ok: 2 websets, 3 searches, 5 enrichments, 1 monitor, 2 webhooks"),
        ("research", "ok: 3 websets, 3 searches, 7 enrichments, 2 monitors, 0 webhooks"),
    ],
)
def test_examples_validate_with_no_environment(example: str, summary: str) -> None:
    result = run("validate", str(EXAMPLES / example))
    assert result.exit_code == 0, result.output
    assert result.stdout == summary + "\n"
    assert result.stderr == ""


MANIFEST_SETS = sorted(d.name for d in EXAMPLES.iterdir() if d.is_dir() and d.name != "github")


@pytest.mark.parametrize("example", MANIFEST_SETS)
def test_every_example_set_validates(example: str) -> None:
    # examples/github holds CI recipes, not manifests; every other folder is a manifest set.
    result = run("validate", str(EXAMPLES / example))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_every_example_file_declares_the_schema_by_a_working_relative_path() -> None:
    files = [p for p in EXAMPLES.rglob("*.y*ml") if "github" not in p.relative_to(EXAMPLES).parts]
    assert len(files) >= 6
    for file in files:
        first = file.read_text().splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix), file
        target = (file.parent / first.removeprefix(prefix)).resolve()
        assert target == (ROOT / "schemas" / "manifest.schema.json").resolve(), file


def test_errors_all_at_once_with_locations_and_exit_1() -> None:
    fixture = FIXTURES / "options.yaml"
    result = run("validate", str(fixture))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{fixture}:6:9: websets[0].enrichments[0]: options is required when format is 'options'"
    )
    # Options with another format are accepted (no source forbids them): 3 errors remain.
    assert len(lines) == 4
    assert lines[-1] == "Error: manifests are invalid (3 errors)"


def test_warnings_are_printed_and_do_not_fail() -> None:
    fixture = FIXTURES / "http-warning-only.yaml"
    result = run("validate", str(fixture))
    assert result.exit_code == 0
    assert result.stderr == (
        f"{fixture}:5:10: webhooks[0].url: warning: uses plain http: events travel unencrypted; "
        "use https\n"
    )
    assert result.stdout == "ok: 0 websets, 0 searches, 0 enrichments, 0 monitors, 1 webhook\n"


def test_json_on_success() -> None:
    result = run("validate", "--json", str(EXAMPLES / "quickstart"))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "format_version": 1,
        "valid": True,
        "errors": [],
        "warnings": [],
        "project": "quickstart",
        "summary": {"websets": 1, "searches": 1, "enrichments": 2, "monitors": 1, "webhooks": 0},
    }


def test_json_on_failure() -> None:
    fixture = FIXTURES / "duplicate-key.yaml"
    result = run("validate", "--json", str(fixture))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "format_version": 1,
        "valid": False,
        "errors": [
            {
                "file": str(fixture),
                "line": 6,
                "column": 5,
                "path": "websets[0].title",
                "severity": "error",
                "message": "duplicate key 'title' (first defined at line 5)",
            }
        ],
        "warnings": [],
    }


def test_environment_reaches_interpolation() -> None:
    fixture = FIXTURES / "missing-env.yaml"
    env = {"CRM_WEBHOOK_URL": "https://crm.example.com/h", "REGION": "eu"}
    result = run("validate", str(fixture), env=env)
    assert result.exit_code == 1
    assert "CRM_WEBHOOK_URL" not in result.stderr and "REGION" not in result.stderr
    assert "malformed variable reference" in result.stderr


def test_secret_urls_are_never_echoed(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "version: 1\nproject: p\nwebhooks:\n"
        "  - {externalId: h, url: '${HOOK}', events: [webset.idle]}\n"
    )
    result = run("validate", str(manifest), env={"HOOK": "http://user:s3cret@h.example.com/?t=tok"})
    assert result.exit_code == 0
    assert "s3cret" not in result.output + result.stderr
    assert "tok" not in result.output + result.stderr


def test_paths_are_required() -> None:
    result = run("validate")
    assert result.exit_code == 1
    assert "Missing argument" in result.stderr


def test_missing_path() -> None:
    result = run("validate", "does-not-exist.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "does-not-exist.yaml:1:1: no such file or directory",
        "Error: manifests are invalid (1 error)",
    ]


def test_no_http_client_is_ever_made(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate must not make requests")

    monkeypatch.setattr(httpx.Client, "__init__", refuse)
    assert run("validate", str(EXAMPLES / "multi-file")).exit_code == 0
    assert run("validate", str(FIXTURES / "cron.yaml")).exit_code == 1
