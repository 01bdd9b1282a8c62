"""The rough edges a new user hits (issue 15, items 1–12), each through the real CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from apply_support import API_KEY, manifest, write
from click.testing import CliRunner, Result

import websets_sync.cli.wiring as wiring
from websets_sync.cli.root import cli
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.errors import NotFoundError
from websets_sync.export import schema_reference
from websets_sync.model import Address, Kind
from websets_sync.plan import Action, Change, FieldChange, Plan, PlanOptions
from websets_sync.render.console import Console
from websets_sync.render.text import render_plan_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if any(p.glob("*.yaml")))
QUICKSTART = ROOT / "examples" / "quickstart"
ENV = {"EXA_API_KEY": API_KEY, "NO_COLOR": "1", "GITHUB_STEP_SUMMARY": ""}


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, env={**ENV, **(env or {})})


# --- 1, 2: global options anywhere; --api-url and --emulator together refused -------------------


def test_global_options_work_after_the_command(tmp_path: Path) -> None:
    data, state = tmp_path / "emu.json", tmp_path / "state.json"
    after = [f"--emulator={data}", "--state", str(state), "--no-color", "--debug"]
    applied = run("apply", str(QUICKSTART), "--auto-approve", *after)
    assert applied.exit_code == 0, applied.output
    assert data.exists() and state.exists()
    assert "debug: POST /websets" in applied.stderr  # --debug after the command took effect
    planned = run("plan", str(QUICKSTART), "--detailed-exitcode", *after)
    assert planned.exit_code == 0, planned.output
    assert "\x1b[" not in planned.stdout


def test_a_bare_emulator_after_the_command_means_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("apply", "--emulator", str(QUICKSTART), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".websets-sync" / "emulator.json").exists()


@pytest.mark.parametrize("command", ["validate", "plan", "apply", "export", "show"])
def test_every_command_lists_the_global_options_in_its_help(command: str) -> None:
    text = run(command, "--help").stdout
    for option in ("--api-url", "--state", "--emulator", "--no-color", "--debug"):
        assert option in text, (command, option)


@pytest.mark.parametrize("order", ["before", "after"])
def test_api_url_and_emulator_together_are_refused(tmp_path: Path, order: str) -> None:
    both = ["--api-url", "http://127.0.0.1:9/websets/v0", f"--emulator={tmp_path / 'e.json'}"]
    args = [*both, "plan", str(QUICKSTART)] if order == "before" else ["plan", str(QUICKSTART)]
    result = run(*args) if order == "before" else run(*args, *both)
    assert result.exit_code == 1
    assert "--api-url and --emulator cannot be used together" in result.stderr
    assert not (tmp_path / "e.json").exists()


# --- 3, 4: empty variables and wrong URLs are named ---------------------------------------------


def test_a_set_but_empty_variable_is_named_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.yaml",
        "version: 1\nproject: p\nwebhooks:\n  - externalId: crm\n"
        "    url: ${CRM_WEBHOOK_URL}\n    events: [webset.idle]\n",
    )
    result = run("validate", str(path), env={"CRM_WEBHOOK_URL": ""})
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    assert problems == [
        f"{path}:5:10: webhooks[0].url: environment variable CRM_WEBHOOK_URL is set but empty "
        "(in GitHub Actions: a secret that is not configured); give it a value, or a default "
        "with ${NAME:-default}"
    ]


@pytest.mark.parametrize(
    ("api_url", "hint"),
    [
        (
            "http://api.test",
            "does not end in /websets/v0: did you mean http://api.test/websets/v0?",
        ),
        ("http://api.test/websets/v0", "Is http://api.test/websets/v0 the Websets API?"),
    ],
)
def test_a_missing_collection_hints_at_the_api_url(api_url: str, hint: str) -> None:
    def not_found(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": f"Cannot GET {request.url.path}"})

    http = httpx.Client(transport=httpx.MockTransport(not_found))
    client = WebsetsClient(http, api_key="k", api_url=api_url, rate_limit=None)
    with pytest.raises(NotFoundError) as caught:
        list(client.iter_websets())
    assert caught.value.detail is not None and hint in caught.value.detail


# --- 5: YAML syntax errors in plain words --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("a: 1\n  b: 2\n", "2:4", "a second ': ' on this line"),
        ("a:\n  - 1\n b: 2\n", "3:2", "indented differently from the lines above it"),
        ("a: [1, 2\n", "2:1", "a '[' list is never closed"),
        ('a: "x\n', "2:1", "a quoted value is never closed"),
        ("a:\n\t- b\n", "2:1", "a tab character: YAML indents with spaces only"),
        ("a: @x\n", "1:4", "this character cannot start a value"),
    ],
)
def test_yaml_syntax_errors_are_said_in_plain_words(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    path = write(tmp_path / "m.yaml", text)
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:{where}: invalid YAML: " in result.stderr
    assert words in result.stderr


# --- 6: typing `yes` before anything is destroyed -------------------------------------------------


def _project(tmp_path: Path) -> tuple[list[str], Path]:
    path = write(tmp_path / "m.yaml", manifest(websets=1, searches=1, enrichments=0, monitors=0))
    base = ["--emulator", str(tmp_path / "emu.json"), "--state", str(tmp_path / "s.json")]
    assert run(*base, "apply", str(path), "--auto-approve").exit_code == 0
    return base, path


def test_replacing_a_webhook_needs_yes_typed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, path = _project(tmp_path)
    monkeypatch.setattr(wiring, "is_terminal", lambda: True)
    args = [*base, "apply", str(path), "--replace", "webhook/hook-0"]
    declined = run(*args, stdin="y\n")
    assert declined.exit_code == 1
    assert "1 change destroys data or replace objects." in declined.stdout
    assert "Only 'yes' will be accepted to apply" in declined.stdout
    assert "Apply cancelled; nothing was changed." in declined.stdout
    accepted = run(*args, stdin="yes\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Apply complete: 1 applied" in accepted.stdout


def test_a_plan_that_only_adds_still_takes_y(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "m.yaml", manifest(websets=1, searches=1, enrichments=0, monitors=0))
    monkeypatch.setattr(wiring, "is_terminal", lambda: True)
    base = [f"--emulator={tmp_path / 'e.json'}", "--state", str(tmp_path / "s.json")]
    result = run(*base, "apply", str(path), stdin="y\n")
    assert result.exit_code == 0, result.output
    assert "Apply these changes? [y/N]" in result.stdout


# --- 7, 9: colours mean something; long values are shortened -------------------------------------


def _text(*changes: Change) -> str:
    plan = Plan(project="p", options=PlanOptions(), changes=changes)
    return render_plan_text(plan, Console(color=True))


def test_inline_is_dim_paid_is_yellow_destructive_is_red() -> None:
    enrichment = Address.for_child(Kind.ENRICHMENT, "w", "e")
    search = Address.for_child(Kind.SEARCH, "w", "s")
    text = _text(
        Change(enrichment, Action.CREATE, "new webset", inline=True),
        Change(search, Action.RUN, "query changed", paid=True, destructive=True),
    )
    assert "\x1b[2minline\x1b[0m" in text
    assert "\x1b[33mpaid\x1b[0m" in text and "\x1b[31mdestructive\x1b[0m" in text
    assert "\x1b[31minline" not in text


def test_very_long_values_are_shortened_in_the_text_view_only() -> None:
    long = "x" * 1000
    change = Change(
        Address.for_webset("w"), Action.UPDATE, "drift", fields=(FieldChange("title", "a", long),)
    )
    text = _text(change)
    assert long not in text and "more characters; --json shows all" in text
    assert max(len(line) for line in text.splitlines()) < 250


def test_addresses_are_explained_in_terms_of_external_ids() -> None:
    with pytest.raises(ValueError, match=r"webset/<externalId>.*not API ids"):
        Address.parse("webset")


# --- 8: reviewing a saved plan; a stale one names the files --------------------------------------


def test_show_renders_a_saved_plan_in_every_view(tmp_path: Path) -> None:
    base = ["--emulator", str(tmp_path / "emu.json"), "--state", str(tmp_path / "s.json")]
    out = tmp_path / "plan.json"
    planned = run(*base, "plan", str(QUICKSTART), "--out", str(out))
    assert planned.exit_code == 0
    shown = run("show", str(out))
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == planned.stdout
    as_json = json.loads(run("show", str(out), "--json").stdout)
    assert as_json["changes"] == json.loads(out.read_text())["changes"]
    assert run("show", str(out), "--markdown").stdout.startswith("#")


def test_show_of_a_file_that_is_not_a_plan_is_a_clear_error(tmp_path: Path) -> None:
    bad = write(tmp_path / "plan.json", "{}")
    result = run("show", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the saved plan has format_version None")


def test_a_stale_saved_plan_names_the_manifest_that_changed(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    first = write(folder / "a.yaml", manifest(websets=1, webhooks=0))
    write(folder / "b.yaml", "version: 1\nproject: proj\nwebhooks: []\n")
    base = ["--emulator", str(tmp_path / "emu.json"), "--state", str(tmp_path / "s.json")]
    out = tmp_path / "plan.json"
    assert run(*base, "plan", str(folder), "--out", str(out)).exit_code == 0
    first.write_text(first.read_text().replace("Webset 0", "Webset zero"))
    result = run(*base, "apply", "--plan", str(out))
    assert result.exit_code == 1
    assert f"manifests changed since the plan was saved: {first}" in result.stderr
    assert "b.yaml" not in result.stderr


# --- 10: export never writes a $schema path into the installed package --------------------------


def test_export_outside_a_clone_writes_no_schema_path(tmp_path: Path) -> None:
    assert schema_reference(tmp_path) is None
    base = [f"--emulator={tmp_path / 'emu.json'}", "--state", str(tmp_path / "s.json")]
    assert run(*base, "apply", str(QUICKSTART), "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    result = run(*base, "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "carry no $schema line" in result.stderr
    for written in out.glob("*.yaml"):
        assert "$schema" not in written.read_text()
        assert "site-packages" not in written.read_text()


def test_export_inside_a_repository_points_at_its_schema(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "manifest.schema.json").write_text("{}")
    assert schema_reference(tmp_path / "manifests" / "x") == "../../schemas/manifest.schema.json"


# --- explain: every example -----------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_plan_explain_works_on_every_example(tmp_path: Path, example: Path) -> None:
    base = [f"--emulator={tmp_path / 'emu.json'}", "--state", str(tmp_path / "s.json")]
    text = run(*base, "plan", str(example), "--explain")
    assert text.exit_code == 0, text.output
    assert re.match(r"Apply would send \d+ requests? in \d+ units?", text.stdout)
    as_json = json.loads(run(*base, "plan", str(example), "--explain", "--json").stdout)
    assert as_json["units"]
    assert run(*base, "plan", str(example), "--explain", "--markdown").exit_code == 1


# --- 11: the demo is a short tour -----------------------------------------------------------------


@pytest.mark.slow
def test_make_demo_is_a_short_tour_that_ends_well(tmp_path: Path) -> None:
    env = {**os.environ, "WEBSETS_SYNC": str(Path(sys.executable).parent / "websets-sync")}
    env.pop("NO_COLOR", None)
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run(
        ["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) <= 200
    for step in ("1. validate", "2. plan", "3. apply", "4. plan again", "5. export"):
        assert any(line.startswith(step) for line in lines), step
    assert lines[-1].startswith("Demo finished.")
    assert done.stderr == ""


# --- 9: a state file that is not ours is not "from a newer websets-sync" ------------------------


@pytest.mark.parametrize(
    ("content", "message", "detail"),
    [
        ("{}", "is not a websets-sync state file (no version)", "Point --state at"),
        ('{"version": "1"}', "is not a websets-sync state file (version '1')", "Point --state"),
        ('{"version": 7}', "has version 7; this websets-sync reads version 1", "newer"),
    ],
)
def test_a_foreign_state_file_is_told_apart_from_a_newer_one(
    tmp_path: Path, content: str, message: str, detail: str
) -> None:
    state = write(tmp_path / "state.json", content)
    result = run("--state", str(state), "state", "list")
    assert result.exit_code == 1
    assert message in result.stderr and detail in result.stderr
    assert "Traceback" not in result.stderr
