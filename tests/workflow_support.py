"""Helpers for the tests of the GitHub Actions recipe (examples/github/): read the workflows, and
run their github-script steps under node against a fake GitHub API that records every call."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from ecosystem_support import ROOT

WORKFLOWS = ROOT / "examples" / "github"
PLAN = WORKFLOWS / "websets-plan.yml"
APPLY = WORKFLOWS / "websets-apply.yml"
DRIFT = WORKFLOWS / "websets-drift.yml"
RECIPE = (PLAN, APPLY, DRIFT)
CI = ROOT / ".github" / "workflows" / "ci.yml"


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean True.
    document["on"] = document.pop(True)
    return dict(document)


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [s for s in steps(workflow) if s.get("name") == name]
    assert len(matches) == 1, f"expected one step named {name!r}"
    return matches[0]


def run_scripts(workflow: dict[str, Any]) -> list[str]:
    return [s["run"] for s in steps(workflow) if "run" in s]


# A fake of what actions/github-script hands a script: `github` (its REST calls are recorded and
# answered from WORLD), `context` and `core`. Comment calls keep the short names `create` and
# `update` the first tests were written with; every other call is named by its method.
_HARNESS = r"""
const fs = require('fs');
const script = fs.readFileSync(process.argv[2], 'utf8');
const world = JSON.parse(process.argv[3]);
const calls = [];
const log = [];
// world.fail = {op: status}: that call is recorded, then fails with that HTTP status
const record = (op) => async (args) => {
  calls.push({ op, ...args });
  const status = (world.fail || {})[op];
  if (status) throw Object.assign(new Error(`HTTP ${status}`), { status });
  return { data: {} };
};
const github = {
  paginate: async (fn, args) => fn(args),
  rest: { issues: {
    listComments: (args) => world.comments || [],
    listLabelsOnIssue: (args) => (world.labels || []).map((name) => ({ name })),
    listForRepo: (args) => {
      calls.push({ op: 'listForRepo', ...args });
      return world.issues || [];
    },
    updateComment: record('update'),
    createComment: record('create'),
    addLabels: record('addLabels'),
    removeLabel: record('removeLabel'),
    update: record('updateIssue'),
    create: async (args) => {
      calls.push({ op: 'createIssue', ...args });
      return { data: { number: world.next_issue_number || 1 } };
    },
  } },
};
const context = {
  serverUrl: 'https://github.com', runId: 42, repo: { owner: 'o', repo: 'r' },
  issue: { number: 7 }, payload: { pull_request: { head: { sha: 'abcdef1234567' } } },
};
const core = {
  notice: (m) => log.push(['notice', m]),
  warning: (m) => log.push(['warning', m]),
  setFailed: (m) => log.push(['failed', m]),
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', script)(require, github, context, core)
  .then(() => console.log(JSON.stringify({ calls, log })))
  .catch((e) => { console.error(e); process.exit(1); });
"""


def run_github_script(
    tmp_path: Path,
    script_step: dict[str, Any],
    world: dict[str, Any],
    env: dict[str, str],
) -> dict[str, Any]:
    """Run a github-script step's script in ``tmp_path`` (its working directory, where it finds
    plan.md and friends); returns ``{"calls": [...], "log": [...]}``."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    (tmp_path / "script.js").write_text(script_step["with"]["script"], encoding="utf-8")
    (tmp_path / "harness.js").write_text(_HARNESS, encoding="utf-8")
    full_env = {**os.environ, **script_step.get("env", {}), **env}
    result = subprocess.run(
        [node, "harness.js", "script.js", json.dumps(world)],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))
