"""The pre-commit hook definition offers a real `websets-sync validate` and picks sensible files."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from ecosystem_support import ROOT, assert_command_exists

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    return dict(hooks[0])


def test_hook_definition_has_what_pre_commit_requires() -> None:
    definition = hook()
    assert definition["id"] == "websets-sync-validate"
    assert definition["language"] == "python"
    assert definition["pass_filenames"] is True
    # one invocation for all files: version/project agreement is checked across files
    assert definition["require_serial"] is True
    for key in ("name", "entry", "files"):
        assert isinstance(definition[key], str) and definition[key]


def test_hook_entry_is_a_real_command() -> None:
    entry = shlex.split(str(hook()["entry"]))
    assert entry[0] == "websets-sync"
    assert_command_exists([*entry[1:], "manifest.yaml"])


def test_files_pattern_takes_manifests_not_other_yaml() -> None:
    pattern = re.compile(str(hook()["files"]))
    for manifest in ("websets/leads.yaml", "infra/websets/crm.yml", "websets/team/a.yaml"):
        assert pattern.search(manifest), manifest
    for other in (".github/workflows/ci.yml", "docker-compose.yaml", "websets.yaml", "README.md"):
        assert not pattern.search(other), other


def test_hook_runs_validate_on_the_files_pre_commit_passes(tmp_path: Path) -> None:
    """What pre-commit runs: `<entry> <file>...` — exit 0 for valid files, 1 with the location."""
    good = tmp_path / "websets" / "good.yaml"
    good.parent.mkdir()
    good.write_text("version: 1\nproject: demo\nwebsets:\n  - externalId: leads\n")
    bad = tmp_path / "websets" / "bad.yaml"
    bad.write_text("version: 1\nproject: demo\nwebsets:\n  - externalId: leads2\n    titel: x\n")
    entry = shlex.split(str(hook()["entry"]))
    command = [sys.executable, "-m", "websets_sync", *entry[1:]]
    ok = subprocess.run([*command, str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run(
        [*command, str(good), str(bad)], capture_output=True, text=True, cwd=tmp_path
    )
    assert failed.returncode == 1
    assert f"{bad}:5:5" in failed.stdout + failed.stderr
