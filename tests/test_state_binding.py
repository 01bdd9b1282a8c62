"""The state file is bound to its target (issue 10, finding 2; DESIGN §7), and the CLI wires the
new safety options: --emulator's own state, --rate-limit and its variable, force-unlock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apply_support import API_KEY, manifest, write
from click.testing import CliRunner, Result

from websets_sync.cli.root import cli
from websets_sync.emulator import Emulator
from websets_sync.errors import StateError
from websets_sync.state.binding import check_state_target, public_api_url
from websets_sync.state.lease import ProjectLease
from websets_sync.state.store import ResourceState, State, load_state, write_state_atomically


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--no-color", *args], env={"EXA_API_KEY": API_KEY, **(env or {})}
    )


def test_the_emulator_never_touches_the_real_state_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    real = tmp_path / ".websets-sync" / "state.json"
    write_state_atomically(
        real,
        State(
            serial=3,
            lineage="l",
            project="proj",
            api_url="https://api.exa.ai/websets/v0",
            resources={"webhook/hook-0": ResourceState(id="webhook_real", secret="whsec_REAL")},
        ),
    )
    before = real.read_bytes()
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=1))
    result = _run("--emulator", "a.json", "apply", "--auto-approve", str(path))
    assert result.exit_code == 0, result.output
    assert real.read_bytes() == before
    own = load_state(tmp_path / "a.state.json")
    assert own.get("webhook/hook-0") is not None and own.api_url is not None


def test_apply_refuses_a_state_file_recorded_for_another_api_before_any_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = tmp_path / "state.json"
    write_state_atomically(
        state, State(serial=1, lineage="l", project="proj", api_url="https://api.exa.ai/websets/v0")
    )
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=1))
    result = _run(
        "--emulator", "e.json", "--state", str(state), "apply", "--auto-approve", str(path)
    )
    assert result.exit_code == 1
    assert "belongs to https://api.exa.ai/websets/v0, not to http://emulator.local" in (
        result.stderr
    )
    assert "--state" in result.stderr
    emulator = Emulator(data_file=tmp_path / "e.json")
    assert [e.method for e in emulator.request_log if e.method != "GET"] == []
    assert emulator.store.all("webset") == [] and emulator.store.all("webhook") == []


def test_apply_refuses_a_state_file_none_of_whose_objects_exists_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = tmp_path / "state.json"
    write_state_atomically(
        state,
        State(
            serial=1,
            lineage="l",
            project="proj",
            resources={
                "webset/ws-0": ResourceState(id="webset_elsewhere"),
                "webhook/hook-0": ResourceState(id="webhook_elsewhere", secret="whsec_OTHER"),
            },
        ),
    )
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=1))
    result = _run(
        "--emulator", "e.json", "--state", str(state), "apply", "--auto-approve", str(path)
    )
    assert result.exit_code == 1
    assert "none of the 2 objects the state file" in result.stderr
    assert "whsec_OTHER" not in result.output + result.stderr
    assert load_state(state).get("webhook/hook-0") == ResourceState(
        id="webhook_elsewhere", secret="whsec_OTHER"
    )


def test_public_api_url_drops_credentials() -> None:
    assert public_api_url("https://user:pw@api.exa.ai:8443/websets/v0/?key=k#f") == (
        "https://api.exa.ai:8443/websets/v0"
    )
    with pytest.raises(StateError, match="belongs to https://a.test/v0, not to https://b.test"):
        check_state_target(
            State(project="p", api_url="https://a.test/v0"),
            Path("s"),
            "https://x:y@b.test/v0",
            set(),
        )


def test_rate_limit_comes_from_the_option_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import websets_sync.cli.wiring as wiring
    from websets_sync.cli.root import App

    seen: list[float] = []
    real = wiring.make_client

    def spy(app: App, **kwargs: object) -> object:
        seen.append(app.rate_limit)
        return real(app, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(wiring, "make_client", spy)
    path = write(tmp_path / "m.yaml", manifest(websets=0, webhooks=0))
    em = ["--emulator", str(tmp_path / "e.json")]
    assert _run("--rate-limit", "2.5", *em, "plan", str(path)).exit_code == 0
    assert _run(*em, "plan", str(path), env={"WEBSETS_SYNC_RATE_LIMIT": "3"}).exit_code == 0
    assert _run(*em, "plan", str(path)).exit_code == 0
    assert seen == [2.5, 3.0, 9.8]  # the default: just under Exa's 10 QPS (issue 16)
    bad = _run(*em, "plan", str(path), env={"WEBSETS_SYNC_RATE_LIMIT": "fast"})
    assert bad.exit_code == 1 and "WEBSETS_SYNC_RATE_LIMIT must be a positive number" in bad.stderr
    assert _run("--rate-limit", "0", *em, "plan", str(path)).exit_code == 1


def test_force_unlock_releases_a_lease_and_says_whose(tmp_path: Path) -> None:
    data = tmp_path / "e.json"
    emulator = Emulator(data_file=data)
    import httpx

    from websets_sync.client.endpoints import WebsetsClient

    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key=API_KEY,
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    ProjectLease(client, "proj", renew=False, host="ci-runner-7", pid=31337).acquire()
    result = _run("--emulator", str(data), "force-unlock", "--project", "proj")
    assert result.exit_code == 0, result.output
    assert "held by pid 31337 on host ci-runner-7" in result.stdout
    again = _run("--emulator", str(data), "force-unlock", "--project", "proj")
    assert "has no lease" in again.stdout
    assert json.loads(data.read_text())  # the emulator file is intact


def test_apply_refuses_while_another_apply_holds_the_project_lease(tmp_path: Path) -> None:
    data = tmp_path / "e.json"
    emulator = Emulator(data_file=data)
    import httpx

    from websets_sync.client.endpoints import WebsetsClient

    client = WebsetsClient(
        httpx.Client(transport=emulator.transport()),
        api_key=API_KEY,
        api_url="http://emulator.local/websets/v0",
        rate_limit=None,
    )
    ProjectLease(client, "proj", renew=False, host="ci-runner-7", pid=31337).acquire()
    path = write(tmp_path / "m.yaml", manifest(websets=1, webhooks=1))
    state = str(tmp_path / "other-runner.json")
    result = _run("--emulator", str(data), "--state", state, "apply", "--auto-approve", str(path))
    assert result.exit_code == 1
    assert "is being applied by another apply: pid 31337 on host ci-runner-7" in result.stderr
    live = Emulator(data_file=data)
    assert [w["externalId"] for w in live.store.all("webset")] == ["websets-sync.lease.proj"]
    assert live.store.all("webhook") == []
    # plan takes no lease: it still works while the other apply runs
    assert _run("--emulator", str(data), "--state", state, "plan", str(path)).exit_code == 0
