"""A monitor's runs start searches in its webset; they are the monitor's, never a declared search.

Found on the emulator with emulated time: after the quickstart monitor had run, `export` wrote
the run's search as a search of the webset and the plan of that export ran a paid search.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from click.testing import CliRunner

from websets_sync.cli.root import cli
from websets_sync.emulator import Emulator

QUICKSTART = Path(__file__).resolve().parent.parent / "examples" / "quickstart"
WEEK_AND_A_DAY = 8 * 24 * 3600


def test_after_a_monitor_ran_plan_and_export_plan_nothing(tmp_path: Path) -> None:
    data, state = tmp_path / "emulator.json", tmp_path / "state.json"
    base = ["--emulator", str(data), "--state", str(state), "--no-color"]
    runner = CliRunner()
    applied = runner.invoke(cli, [*base, "apply", str(QUICKSTART), "--auto-approve"])
    assert applied.exit_code == 0, applied.output

    emulator = Emulator(data_file=data)
    emulator.advance_clock(WEEK_AND_A_DAY)
    with httpx.Client(transport=emulator.transport()) as http:
        webset = http.get(
            "http://emulator.local/websets/v0/websets/eu-ai-series-a",
            headers={"x-api-key": "k"},
        ).json()
    assert len(webset["searches"]) == 2, "the monitor should have started a search by now"

    planned = runner.invoke(cli, [*base, "plan", str(QUICKSTART), "--detailed-exitcode"])
    assert planned.exit_code == 0, planned.output
    out = tmp_path / "exported"
    exported = runner.invoke(cli, [*base, "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    text = (out / "eu-ai-series-a.yaml").read_text()
    assert text.count("query:") == 2  # the declared search and the monitor's own config
    replanned = runner.invoke(cli, [*base, "plan", str(out), "--detailed-exitcode"])
    assert replanned.exit_code == 0, replanned.output


def test_a_declared_search_like_a_monitor_run_is_still_the_declared_one(tmp_path: Path) -> None:
    """The run heuristic (monitor's query and count, append, after the monitor) must not hide a
    search the state file knows: hidden, it would be re-run, and paid for, by every apply."""
    first = (
        "version: 1\nproject: p\nwebsets:\n  - externalId: w\n    searches:\n"
        "      - externalId: base\n        query: Fintech startups in London\n"
        "    monitors:\n      - externalId: weekly\n"
        '        cadence: {cron: "0 9 * * 1"}\n'
        "        behavior: {type: search, config: {query: New fintechs, count: 5}}\n"
    )
    manifest = tmp_path / "m.yaml"
    manifest.write_text(first)
    base = ["--emulator", str(tmp_path / "e.json"), "--state", str(tmp_path / "s.json")]
    runner = CliRunner()
    assert runner.invoke(cli, [*base, "apply", str(manifest), "--auto-approve"]).exit_code == 0
    manifest.write_text(
        first.replace(
            "    monitors:",
            "      - externalId: like-a-run\n        query: New fintechs\n        count: 5\n"
            "        behavior: append\n    monitors:",
        )
    )
    added = runner.invoke(cli, [*base, "apply", str(manifest), "--auto-approve"])
    assert added.exit_code == 0, added.output
    replanned = runner.invoke(cli, [*base, "plan", str(manifest), "--detailed-exitcode"])
    assert replanned.exit_code == 0, replanned.output
    out = tmp_path / "exported"
    exported = runner.invoke(cli, [*base, "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "externalId: like-a-run" in (out / "w.yaml").read_text()
    again = runner.invoke(cli, [*base, "plan", str(out), "--detailed-exitcode"])
    assert again.exit_code == 0, again.output
