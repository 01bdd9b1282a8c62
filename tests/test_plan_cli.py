"""The plan command's options, saved plan files and staleness, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from websets_sync.cli.root import cli
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator
from websets_sync.errors import PlanError, StalePlanError
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest.schema import load_desired_state
from websets_sync.plan import Plan, PlanOptions, build_plan
from websets_sync.plan.saved import check_saved_plan, read_saved_plan, saved_plan_text

BASE = Path(__file__).parent / "scenarios" / "_manifests" / "base.yaml"


def plan(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    options = ["--emulator", str(tmp_path / "em.json"), "--state", str(tmp_path / "state.json")]
    return CliRunner().invoke(cli, [*options, "plan", str(BASE), *args], env=env or {})


def test_detailed_exitcode(tmp_path: Path) -> None:
    assert plan(tmp_path).exit_code == 0
    assert plan(tmp_path, "--detailed-exitcode").exit_code == 2


def test_out_writes_a_saved_plan_that_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "plans" / "plan.json"
    result = plan(tmp_path, "--out", str(out), "--allow-delete")
    assert result.exit_code == 0, result.stderr
    saved = read_saved_plan(out.read_text())
    assert saved.project == "growth"
    assert saved.options == PlanOptions(allow_delete=True)
    assert saved.manifest_paths == (str(BASE),)
    assert len(saved.manifest_fingerprint) == 64
    assert saved.contract["summary"]["create"] == 4
    assert "abc123" not in out.read_text()


def test_a_saved_plan_follows_the_published_plan_schema(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    assert plan(tmp_path, "--out", str(out)).exit_code == 0
    schema = json.loads((Path(__file__).parent.parent / "schemas" / "plan.schema.json").read_text())
    document = json.loads(out.read_text())
    assert [e.message for e in Draft202012Validator(schema).iter_errors(document)] == []
    assert {"manifest_paths", "manifest_fingerprint", "live_fingerprints"} <= document.keys()


def test_step_summary_gets_the_markdown_view(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    result = plan(tmp_path, "--json", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0
    json.loads(result.stdout)  # stdout stays pure JSON
    text = summary.read_text()
    assert text.startswith("earlier step\n## websets-sync plan for `growth`")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--json", "--markdown"], "cannot be used together"),
        (["--target", "nonsense"], "invalid address"),
        (["--replace", "webset/eu-ai"], "applies only to declared webhooks"),
    ],
)
def test_bad_options_are_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = plan(tmp_path, *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_no_color_by_default_under_a_runner(tmp_path: Path) -> None:
    assert "\x1b[" not in plan(tmp_path).stdout


# --- saved plans --------------------------------------------------------------------------------


def make_plan(emulator: Emulator, allow_delete: bool = False) -> Plan:
    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key="k",
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    desired, _ = load_desired_state([BASE], {})
    return build_plan(desired, fetch_live_state(client), None, PlanOptions(allow_delete))


def test_unrelated_live_changes_do_not_make_a_saved_plan_stale() -> None:
    emulator = Emulator()
    saved = read_saved_plan(saved_plan_text(make_plan(emulator)))
    check_saved_plan(saved, make_plan(emulator))
    emulator.seed("webset", {"externalId": "someone-elses", "title": "Not ours"})
    check_saved_plan(saved, make_plan(emulator))


def test_saved_plan_is_stale_when_a_referenced_object_changes() -> None:
    emulator = Emulator()
    webset = emulator.seed(
        "webset",
        {"externalId": "eu-ai", "title": "EU AI startups", "metadata": {"owner": "growth"}},
    )
    saved = read_saved_plan(saved_plan_text(make_plan(emulator)))
    emulator.edit("webset", webset["id"], {"title": "Edited"})
    with pytest.raises(StalePlanError) as info:
        check_saved_plan(saved, make_plan(emulator))
    assert f"webset/eu-ai ({webset['id']}) was changed" in str(info.value.detail)


def test_saved_plan_is_stale_when_options_or_manifests_differ() -> None:
    emulator = Emulator()
    saved = read_saved_plan(saved_plan_text(make_plan(emulator)))
    changed = json.loads(saved_plan_text(make_plan(emulator)))
    changed["manifest_fingerprint"] = "0" * 64
    with pytest.raises(StalePlanError, match="manifests changed"):
        check_saved_plan(read_saved_plan(json.dumps(changed)), make_plan(emulator))
    check_saved_plan(saved, make_plan(emulator))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('{"format_version": 9}', "format_version 9"),
        ('{"format_version": 1, "project": "p"}', "'options'"),
        (
            '{"format_version": 1, "project": "p", "options": {"allow_delete": false, '
            '"targets": ["bad"]}, "manifest_paths": [], "manifest_fingerprint": "", '
            '"live_fingerprints": {}}',
            "invalid address",
        ),
    ],
)
def test_invalid_saved_plans_are_rejected_clearly(text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        read_saved_plan(text)


def test_searches_finding_items_do_not_make_a_saved_plan_stale() -> None:
    emulator = Emulator()
    tags = {"websets-sync/project": "growth", "websets-sync/initial-search": "initial"}
    webset = emulator.seed(
        "webset",
        {"externalId": "eu-ai", "title": "EU AI startups", "metadata": {"owner": "growth", **tags}},
    )
    search = emulator.seed(
        "search",
        {
            "websetId": webset["id"],
            "query": "AI startups in Europe",
            "count": 20,
            "progress": {"found": 3, "analyzed": 9, "completion": 15, "timeLeft": 9},
        },
    )
    first = make_plan(emulator)
    enrichment = next(c for c in first.changes if c.address.kind.value == "enrichment")
    assert enrichment.estimated_items == 3
    saved = read_saved_plan(saved_plan_text(first))
    emulator.edit("search", search["id"], {"progress": {"found": 20, "completion": 100}})
    later = make_plan(emulator)
    assert next(c for c in later.changes if c.address == enrichment.address).estimated_items == 20
    check_saved_plan(saved, later)
