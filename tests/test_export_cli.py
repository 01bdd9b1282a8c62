"""`websets-sync export` through the real CLI against an emulator file: output modes, selection,
errors, and the requests it costs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from websets_sync.cli.root import cli
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.model import TAG_EXTERNAL_ID, TAG_PROJECT
from websets_sync.workflows import _export_live_state

ENV = {"EXA_API_KEY": "", "NO_COLOR": "1", "GITHUB_STEP_SUMMARY": ""}


@pytest.fixture
def account(tmp_path: Path) -> Emulator:
    emulator = Emulator(data_file=tmp_path / "emulator.json")
    mine = {TAG_PROJECT: "growth"}
    emulator.seed("webset", {"externalId": "leads", "title": "Leads", "metadata": mine})
    dash = emulator.seed("webset", {"title": "From the dashboard"})
    emulator.seed("search", {"websetId": dash["id"], "query": "Seed-stage fintech", "count": 30})
    emulator.seed("webset", {"externalId": "theirs", "metadata": {TAG_PROJECT: "sales"}})
    emulator.seed(
        "webhook",
        {
            "url": "https://hooks.example.com/in",
            "events": ["webset.idle"],
            "secret": None,
            "metadata": {**mine, TAG_EXTERNAL_ID: "crm"},
        },
    )
    return emulator


def export(tmp_path: Path, *args: str) -> Result:
    options = ["--emulator", str(tmp_path / "emulator.json"), "--state", str(tmp_path / "s.json")]
    return CliRunner().invoke(cli, [*options, "export", *args], env=ENV)


def test_stdout_is_one_manifest_with_the_schema_line(account: Emulator, tmp_path: Path) -> None:
    result = export(tmp_path, "--project", "growth")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# yaml-language-server: $schema=")
    manifest = yaml.safe_load(result.stdout)
    assert manifest["project"] == "growth"
    assert [w["externalId"] for w in manifest["websets"]] == ["leads", "from-the-dashboard"]
    assert manifest["websets"][1]["id"].startswith("webset_")
    assert manifest["webhooks"] == [
        {"externalId": "crm", "url": "https://hooks.example.com/in", "events": ["webset.idle"]}
    ]
    assert "note: skipped 1 webset of project 'sales'\n" in result.stderr
    assert "note: webset/from-the-dashboard is pinned by id" in result.stderr


def test_project_is_inferred_when_only_one_is_tagged(account: Emulator, tmp_path: Path) -> None:
    result = export(tmp_path)
    assert result.exit_code == 1
    assert "several projects: growth, sales" in result.stderr

    single = tmp_path / "single"
    emulator = Emulator(data_file=single / "emulator.json")
    emulator.seed("webset", {"externalId": "a", "metadata": {TAG_PROJECT: "growth"}})
    emulator.seed("webset", {"externalId": "b"})
    inferred = export(single)
    assert inferred.exit_code == 0, inferred.output
    manifest = yaml.safe_load(inferred.stdout)
    assert manifest["project"] == "growth"
    assert [w["externalId"] for w in manifest["websets"]] == ["a", "b"]


def test_untagged_account_needs_a_project(tmp_path: Path) -> None:
    Emulator(data_file=tmp_path / "emulator.json").seed("webset", {"title": "Mine"})
    result = export(tmp_path)
    assert result.exit_code == 1
    assert "Error: no live object carries a project tag: pass --project NAME" in result.stderr
    assert export(tmp_path, "--project", "bad name").exit_code == 1


def test_chosen_websets_by_external_id_or_id(account: Emulator, tmp_path: Path) -> None:
    dash_id = next(
        w["id"] for w in account.store.all("webset") if w["title"] == "From the dashboard"
    )
    result = export(tmp_path, "--project", "growth", "--webset", "leads", "--webset", dash_id)
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.stdout)
    assert [w["externalId"] for w in manifest["websets"]] == ["leads", "from-the-dashboard"]
    assert "webhooks" not in manifest  # webhooks belong to the project, not to a webset

    other = export(tmp_path, "--project", "growth", "--webset", "theirs")
    assert other.exit_code == 1
    assert "webset theirs belongs to project 'sales', not 'growth'" in other.stderr
    missing = export(tmp_path, "--project", "growth", "--webset", "nope")
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.startswith("Error: no webset with id or externalId 'nope'\n")
    assert "404" not in missing.stderr and "GET" not in missing.stderr


def test_unknown_project_is_an_error_naming_the_projects(tmp_path: Path) -> None:
    emulator = Emulator(data_file=tmp_path / "emulator.json")
    emulator.seed("webset", {"externalId": "leads", "metadata": {TAG_PROJECT: "growth"}})
    emulator.seed("webset", {"externalId": "theirs", "metadata": {TAG_PROJECT: "sales"}})
    out = tmp_path / "out"
    for args in ([], ["--out", str(out)]):
        result = export(tmp_path, "--project", "nope", *args)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith(
            "Error: no webset or webhook belongs to project 'nope'; "
            "this account has projects: growth, sales\n"
        )
    assert not out.exists()  # no empty manifest written
    # untagged (dashboard) websets are anybody's to adopt: a new project name takes them
    emulator.seed("webset", {"title": "From the dashboard"})
    adopted = export(tmp_path, "--project", "nope")
    assert adopted.exit_code == 0, adopted.output
    assert yaml.safe_load(adopted.stdout)["websets"][0]["externalId"] == "from-the-dashboard"


def test_out_dir_writes_files_and_never_overwrites_silently(
    account: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "websets"
    first = export(tmp_path, "--project", "growth", "--out", str(out))
    assert first.exit_code == 0, first.output
    assert first.stdout == f"Wrote 3 files to {out}\n"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["from-the-dashboard.yaml", "leads.yaml", "webhooks.yaml"]
    (out / "leads.yaml").write_text("# edited by hand\n")

    again = export(tmp_path, "--project", "growth", "--out", str(out))
    assert again.exit_code == 1
    assert "already has from-the-dashboard.yaml, leads.yaml, webhooks.yaml" in again.stderr
    assert (out / "leads.yaml").read_text() == "# edited by hand\n"

    forced = export(tmp_path, "--project", "growth", "--out", str(out), "--force")
    assert forced.exit_code == 0
    assert yaml.safe_load((out / "leads.yaml").read_text())["websets"][0]["externalId"] == "leads"


def test_export_reads_three_listings_or_one_get_per_chosen_webset(account: Emulator) -> None:
    client = WebsetsClient(
        httpx.Client(transport=account.transport()),
        api_key="k",
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    live = _export_live_state(client, ())
    assert len(live.websets) == 3 and len(live.webhooks) == 1
    assert [(e.method, e.path) for e in account.request_log] == [
        ("GET", "/websets"),
        ("GET", "/webhooks"),
        ("GET", "/imports"),  # imports are exported too, pinned by id (issue 12)
    ]
    account.clear_log()
    chosen = _export_live_state(client, ("leads",))
    assert [w.external_id for w in chosen.websets] == ["leads"]
    assert [(e.method, e.path) for e in account.request_log] == [("GET", "/websets/leads")]
