"""README: the quickstart, generated references in sync, every command and flag documented, every
command line it shows real, local links alive, shell completion as documented."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import click
import pytest
from ecosystem_support import ROOT, assert_command_exists, websets_sync_commands

import websets_sync.cli.root as cli_module
from websets_sync.cli.root import cli
from websets_sync.manifest.pricing import load_pricing
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model.pricing import Pricing

README = ROOT / "README.md"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_generator", ROOT / "scripts/readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*path, name))


def command(path: tuple[str, ...]) -> click.Command:
    found: click.Command = cli
    for name in path:
        assert isinstance(found, click.Group)
        sub = found.get_command(click.Context(found), name)
        assert sub is not None
        found = sub
    return found


def test_quickstart_has_exactly_the_two_commands() -> None:
    block = re.search(r"## Quickstart\n\n```sh\n(.*?)```", readme(), re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]


def test_generated_reference_sections_are_up_to_date() -> None:
    current = readme()
    assert generator().updated(current) == current, "run: .venv/bin/python scripts/readme.py"


def test_manifest_reference_lists_every_schema_property() -> None:
    schema = generator().json.loads((ROOT / "schemas/manifest.schema.json").read_text())
    section = readme().split("## Manifest reference", 1)[1].split("## CLI reference", 1)[0]
    for name in ("", *schema["$defs"]):
        node = schema if not name else schema["$defs"][name]
        for prop in node["properties"]:
            assert f"| `{prop}` |" in section, f"{name or 'root'}.{prop} is not documented"


def test_every_command_and_flag_is_in_the_readme() -> None:
    text = readme()
    paths = list(all_commands(cli))
    assert {("validate",), ("plan",), ("apply",), ("export",), ("state", "list")} <= set(paths)
    for path in paths:
        assert f"`{' '.join(path)}`" in text or f"websets-sync {' '.join(path)}" in text, path
        params = command(path).params
        for option in [p for p in params if isinstance(p, click.Option) and not p.hidden]:
            for flag in option.opts:
                assert flag in text, f"{' '.join(path)} {flag} is not in the README"
    for option in cli.params:
        assert all(flag in text for flag in getattr(option, "opts", [])), option.name


def readme_command_lines() -> list[list[str]]:
    text = readme()
    commands: list[list[str]] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        commands += websets_sync_commands(block)
    for span in re.findall(r"`(websets-sync [^`]+)`", text):
        commands += websets_sync_commands(" ".join(span.split()).replace("…", ""))
    # a bare `websets-sync` is the shell-completion line (tested below on its own)
    return [argv for argv in commands if argv]


def test_every_command_line_the_readme_shows_exists_with_its_flags() -> None:
    commands = readme_command_lines()
    assert len(commands) >= 10
    for argv in commands:
        assert_command_exists(argv)


def test_concepts_a_newcomer_needs_are_explained() -> None:
    text = readme()
    for heading in (
        "## Concepts",
        "## Exporting what you already have",
        "## CI: plan on pull requests, apply on merge, check for drift daily",
        "## Exit codes",
        "## Troubleshooting",
        "## Shell completion",
        "## Security notes",
    ):
        assert f"\n{heading}\n" in text
    for term in (
        "**Identity: externalId.**",
        "**Projects and ownership.**",
        "**Adoption.**",
        "**Searches are paid jobs.**",
        "**Deletions and `--allow-delete`.**",
        "**`preventDestroy`.**",
        "**The state file and webhook secrets.**",
        "**Pinning dashboard websets by id.**",
        "EXA_API_KEY",
        "WEBSETS_SYNC_STATE_KEY",
        "<!-- websets-sync-plan -->",
        "websets-sync-apply",
    ):
        assert term in text, term


def test_exit_codes_table_matches_the_cli() -> None:
    table = readme().split("## Exit codes", 1)[1].split("##", 1)[0]
    codes = re.findall(r"^\| (\d) \|", table, re.MULTILINE)
    expected = [
        cli_module.EXIT_OK,
        cli_module.EXIT_ERROR,
        cli_module.EXIT_CHANGES,
        cli_module.EXIT_OVER_BUDGET,
    ]
    assert [int(code) for code in codes] == expected


def test_local_links_point_at_files_that_exist() -> None:
    targets = re.findall(r"\]\(([^)]+)\)", readme())
    local = [t.split("#")[0] for t in targets if not t.startswith(("http", "#"))]
    assert local
    for target in local:
        assert (ROOT / target).exists(), target
    anchors = [t[1:] for t in targets if t.startswith("#")]
    headings = re.findall(r"^#+ (.+)$", readme(), re.MULTILINE)
    slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
    assert set(anchors) <= slugs, set(anchors) - slugs


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_works_as_documented(shell: str) -> None:
    assert f"_WEBSETS_SYNC_COMPLETE={shell}_source websets-sync" in readme()
    env = {**os.environ, "_WEBSETS_SYNC_COMPLETE": f"{shell}_source"}
    script = "from websets_sync.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "_WEBSETS_SYNC_COMPLETE" in result.stdout  # the function the shell will call back

    complete = {**os.environ, "_WEBSETS_SYNC_COMPLETE": f"{shell}_complete"}
    if shell == "bash" or shell == "zsh":
        complete.update(COMP_WORDS="websets-sync ex", COMP_CWORD="1")
    else:
        complete.update(COMP_WORDS="websets-sync ex", COMP_CWORD="ex")
    answer = subprocess.run(
        [sys.executable, "-c", script], env=complete, capture_output=True, text=True, check=False
    )
    assert "export" in answer.stdout


def test_the_manifest_example_in_the_readme_is_valid(tmp_path: Path) -> None:
    blocks = [b for b in yaml_blocks() if "version: 1" in b and "project:" in b]
    assert len(blocks) == 1
    (tmp_path / "example.yaml").write_text(blocks[0], encoding="utf-8")
    env = {"CRM_WEBHOOK_URL": "https://crm.example.com/hook"}
    desired, warnings = load_desired_state([tmp_path / "example.yaml"], env)
    assert warnings == []
    assert [str(a) for a in desired.addresses()] == [
        "webset/eu-ai-series-a",
        "webset/eu-ai-series-a/search/initial",
        "webset/eu-ai-series-a/enrichment/ceo",
        "webset/eu-ai-series-a/monitor/weekly",
        "webhook/crm-sync",
    ]


GIT_INSTALL = 'pip install "websets-sync @ git+https://github.com/<owner>/websets-sync@'


def test_install_docs_name_no_release_that_does_not_exist() -> None:
    # No tag and no PyPI release may exist: every place that says how to install or pin also
    # says how to do it from git at a commit, and none names a made-up version.
    docs = {
        "README.md": readme(),
        ".pre-commit-hooks.yaml": (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
        **{
            f"examples/github/{p.name}": p.read_text(encoding="utf-8")
            for p in (ROOT / "examples" / "github").glob("*.yml")
        },
    }
    for name, text in docs.items():
        assert "0.1.0" not in text, name
        assert not re.search(r"rev: v\d", text), name
    assert GIT_INSTALL in docs["README.md"]
    # the workflows install from git at a pinned commit unless WEBSETS_SYNC_VERSION names a
    # release (tests/test_ecosystem_workflow_hardening.py runs that step)
    for name in (
        "examples/github/websets-plan.yml",
        "examples/github/websets-apply.yml",
        "examples/github/websets-drift.yml",
    ):
        assert 'WEBSETS_SYNC_VERSION: ""' in docs[name], name
        assert (
            'requirement="websets-sync @ git+$WEBSETS_SYNC_GIT@$WEBSETS_SYNC_COMMIT"'
            in (docs[name])
        ), name
    usage = readme().split("## Using it on your account", 1)[1].split("```", 2)[1]
    assert "pip install websets-sync " in usage and GIT_INSTALL in usage
    for name in ("README.md", ".pre-commit-hooks.yaml"):
        assert "rev: <commit-sha>" in docs[name] and "tag you created" in docs[name], name


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", readme(), re.DOTALL)


def test_the_pricing_file_example_in_the_readme_is_valid(tmp_path: Path) -> None:
    (block,) = [b for b in yaml_blocks() if "perItem:" in b]
    (tmp_path / "pricing.yaml").write_text(block, encoding="utf-8")
    pricing = load_pricing(tmp_path / "pricing.yaml", {})
    assert pricing == Pricing("acme-2026-q3", 0.025, 0.04, 0.004, 0.02)
