"""cli.make_client: the real API or the in-process emulator, and --debug request logs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from client_support import API_KEY, Script, answer

from websets_sync.cli.root import App
from websets_sync.cli.wiring import EMULATOR_API_URL, make_client
from websets_sync.errors import WebsetsSyncError
from websets_sync.render.console import Console

PAGE = {"data": [], "hasMore": False, "nextCursor": None}


def _app(
    *, api_url: str | None = None, emulator_file: Path | None = None, debug: bool = False
) -> tuple[App, io.StringIO]:
    err = io.StringIO()
    console = Console(out=io.StringIO(), err=err)
    app = App(
        api_url=api_url,
        state_path=Path("state.json"),
        emulator_file=emulator_file,
        console=console,
        debug=debug,
    )
    return app, err


def test_real_api_client_uses_the_key_from_the_environment_and_the_default_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXA_API_KEY", API_KEY)
    script = Script(answer(200, PAGE))
    app, _ = _app()
    assert list(make_client(app, transport=httpx.MockTransport(script)).iter_websets()) == []
    (request,) = script.requests
    assert str(request.url) == "https://api.exa.ai/websets/v0/websets?limit=100"
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["user-agent"].startswith("websets-sync/")


def test_api_url_option_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXA_API_KEY", API_KEY)
    script = Script(answer(200, {"id": "w"}))
    app, _ = _app(api_url="http://127.0.0.1:9/websets/v0")
    make_client(app, transport=httpx.MockTransport(script)).get_webset("w")
    assert str(script.requests[0].url) == "http://127.0.0.1:9/websets/v0/websets/w"


def test_missing_api_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXA_API_KEY", raising=False)
    app, _ = _app()
    with pytest.raises(WebsetsSyncError, match="EXA_API_KEY is not set"):
        make_client(app)


def test_debug_logs_each_request_without_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXA_API_KEY", API_KEY)
    script = Script(answer(503), answer(404, {"error": f"bad key {API_KEY}"}))
    app, err = _app(debug=True)
    client = make_client(app, transport=httpx.MockTransport(script))
    with pytest.raises(WebsetsSyncError) as caught:
        client.get_webset("a b")
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"debug: GET /websets/a%20b -> 503 \d+ ms", lines[0])
    assert re.fullmatch(r"debug: GET /websets/a%20b -> 404 \d+ ms \(attempt 2\)", lines[1])
    assert API_KEY not in err.getvalue()
    assert "x-api-key" not in err.getvalue().lower()
    assert API_KEY not in str(caught.value)


def test_without_debug_nothing_is_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXA_API_KEY", API_KEY)
    app, err = _app()
    make_client(app, transport=httpx.MockTransport(Script(answer(200, PAGE))))
    assert err.getvalue() == ""


def test_emulator_mode_needs_no_key_and_persists_to_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXA_API_KEY", raising=False)
    data = tmp_path / "emulator.json"
    app, err = _app(emulator_file=data, debug=True)
    client = make_client(app)
    assert repr(client) == f"WebsetsClient(api_url={EMULATOR_API_URL!r}, rate_limit=None)"
    created = client.create_webset({"externalId": "eu-ai"})
    client.close()
    assert "debug: POST /websets -> 201" in err.getvalue()
    again = make_client(_app(emulator_file=data)[0])
    assert again.get_webset("eu-ai")["id"] == created["id"]
