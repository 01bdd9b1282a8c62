"""Every endpoint: HTTP method, path (ids percent-encoded), body, and what comes back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from client_support import Script, answer, make_client
from hypothesis import given, settings
from hypothesis import strategies as st

from websets_sync.client.endpoints import WebsetsClient

W = "ws_1"
BODY = {"metadata": {"k": "v"}}
OBJ = {"id": "x_1"}

# name -> (call, method, path under /websets/v0, body sent or None)
ENDPOINTS: dict[str, tuple[Callable[[WebsetsClient], Any], str, str, Any]] = {
    "get_webset": (lambda c: c.get_webset("eu-ai"), "GET", "/websets/eu-ai", None),
    "create_webset": (lambda c: c.create_webset(BODY), "POST", "/websets", BODY),
    "update_webset": (lambda c: c.update_webset(W, BODY), "POST", "/websets/ws_1", BODY),
    "delete_webset": (lambda c: c.delete_webset(W), "DELETE", "/websets/ws_1", None),
    "cancel_webset": (lambda c: c.cancel_webset(W), "POST", "/websets/ws_1/cancel", None),
    "create_search": (
        lambda c: c.create_search(W, BODY),
        "POST",
        "/websets/ws_1/searches",
        BODY,
    ),
    "get_search": (lambda c: c.get_search(W, "s_1"), "GET", "/websets/ws_1/searches/s_1", None),
    "cancel_search": (
        lambda c: c.cancel_search(W, "s_1"),
        "POST",
        "/websets/ws_1/searches/s_1/cancel",
        None,
    ),
    "create_enrichment": (
        lambda c: c.create_enrichment(W, BODY),
        "POST",
        "/websets/ws_1/enrichments",
        BODY,
    ),
    "get_enrichment": (
        lambda c: c.get_enrichment(W, "e_1"),
        "GET",
        "/websets/ws_1/enrichments/e_1",
        None,
    ),
    "delete_enrichment": (
        lambda c: c.delete_enrichment(W, "e_1"),
        "DELETE",
        "/websets/ws_1/enrichments/e_1",
        None,
    ),
    "create_monitor": (lambda c: c.create_monitor(BODY), "POST", "/monitors", BODY),
    "get_monitor": (lambda c: c.get_monitor("m_1"), "GET", "/monitors/m_1", None),
    "update_monitor": (lambda c: c.update_monitor("m_1", BODY), "PATCH", "/monitors/m_1", BODY),
    "delete_monitor": (lambda c: c.delete_monitor("m_1"), "DELETE", "/monitors/m_1", None),
    "create_webhook": (lambda c: c.create_webhook(BODY), "POST", "/webhooks", BODY),
    "get_webhook": (lambda c: c.get_webhook("h_1"), "GET", "/webhooks/h_1", None),
    "update_webhook": (lambda c: c.update_webhook("h_1", BODY), "PATCH", "/webhooks/h_1", BODY),
    "delete_webhook": (lambda c: c.delete_webhook("h_1"), "DELETE", "/webhooks/h_1", None),
    "create_import": (lambda c: c.create_import(BODY), "POST", "/imports", BODY),
    "get_import": (lambda c: c.get_import("i_1"), "GET", "/imports/i_1", None),
    "delete_import": (lambda c: c.delete_import("i_1"), "DELETE", "/imports/i_1", None),
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_endpoint_method_path_and_body(name: str) -> None:
    call, method, path, body = ENDPOINTS[name]
    script = Script(answer(201 if name.startswith("create") else 200, OBJ))
    assert call(make_client(script)) == OBJ
    (request,) = script.requests
    assert request.method == method
    assert request.url.raw_path.decode() == "/websets/v0" + path
    assert request.url.host == "api.test"
    if body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == body
        assert request.headers["content-type"] == "application/json"


def test_enrichment_patch_with_empty_200_body_returns_none() -> None:
    script = Script(lambda request: httpx.Response(200, content=b""))
    result = make_client(script).update_enrichment(W, "e_1", {"description": "CEO name"})
    assert result is None
    (request,) = script.requests
    assert request.method == "PATCH"
    assert request.url.path == "/websets/v0/websets/ws_1/enrichments/e_1"
    assert json.loads(request.content) == {"description": "CEO name"}


def test_enrichment_patch_ignores_a_body_if_one_is_sent() -> None:
    script = Script(answer(200, {"id": "e_1"}))
    assert make_client(script).update_enrichment(W, "e_1", {}) is None


def test_enrichment_patch_is_retried_like_every_update() -> None:
    script = Script(answer(502), lambda request: httpx.Response(200))
    assert make_client(script).update_enrichment(W, "e_1", {}) is None
    assert len(script.requests) == 2


# --- percent-encoding ---------------------------------------------------------------------------

ODD = "a b/c?d#e"
ODD_ENCODED = "a%20b%2Fc%3Fd%23e"

ID_PATHS: list[tuple[Callable[[WebsetsClient], Any], str]] = [
    (lambda c: c.get_webset(ODD), f"/websets/{ODD_ENCODED}"),
    (lambda c: c.update_webset(ODD, {}), f"/websets/{ODD_ENCODED}"),
    (lambda c: c.delete_webset(ODD), f"/websets/{ODD_ENCODED}"),
    (lambda c: c.cancel_webset(ODD), f"/websets/{ODD_ENCODED}/cancel"),
    (lambda c: c.create_search(ODD, {}), f"/websets/{ODD_ENCODED}/searches"),
    (lambda c: c.get_search(ODD, ODD), f"/websets/{ODD_ENCODED}/searches/{ODD_ENCODED}"),
    (
        lambda c: c.cancel_search(ODD, ODD),
        f"/websets/{ODD_ENCODED}/searches/{ODD_ENCODED}/cancel",
    ),
    (lambda c: c.create_enrichment(ODD, {}), f"/websets/{ODD_ENCODED}/enrichments"),
    (lambda c: c.get_enrichment(ODD, ODD), f"/websets/{ODD_ENCODED}/enrichments/{ODD_ENCODED}"),
    (
        lambda c: c.update_enrichment(ODD, ODD, {}),
        f"/websets/{ODD_ENCODED}/enrichments/{ODD_ENCODED}",
    ),
    (
        lambda c: c.delete_enrichment(ODD, ODD),
        f"/websets/{ODD_ENCODED}/enrichments/{ODD_ENCODED}",
    ),
    (lambda c: c.get_monitor(ODD), f"/monitors/{ODD_ENCODED}"),
    (lambda c: c.update_monitor(ODD, {}), f"/monitors/{ODD_ENCODED}"),
    (lambda c: c.delete_monitor(ODD), f"/monitors/{ODD_ENCODED}"),
    (lambda c: c.get_webhook(ODD), f"/webhooks/{ODD_ENCODED}"),
    (lambda c: c.update_webhook(ODD, {}), f"/webhooks/{ODD_ENCODED}"),
    (lambda c: c.delete_webhook(ODD), f"/webhooks/{ODD_ENCODED}"),
    (lambda c: list(c.iter_items(ODD)), f"/websets/{ODD_ENCODED}/items"),
    (lambda c: c.get_import(ODD), f"/imports/{ODD_ENCODED}"),
    (lambda c: c.delete_import(ODD), f"/imports/{ODD_ENCODED}"),
]


@pytest.mark.parametrize(("call", "path"), ID_PATHS)
def test_every_id_is_percent_encoded_in_its_path(
    call: Callable[[WebsetsClient], Any], path: str
) -> None:
    script = Script(answer(200, {"id": "x", "data": [], "hasMore": False}))
    call(make_client(script))
    (request,) = script.requests
    assert request.url.raw_path.decode().split("?")[0] == "/websets/v0" + path
    assert request.url.fragment == ""


@pytest.mark.parametrize(("value", "encoded"), [(".", "%2E"), ("..", "%2E%2E"), ("a.b", "a.b")])
def test_dot_segments_survive_url_normalisation(value: str, encoded: str) -> None:
    script = Script(answer(200, {"id": "x"}))
    make_client(script).get_webset(value)
    assert script.requests[0].url.raw_path.decode() == f"/websets/v0/websets/{encoded}"


def test_api_url_with_trailing_slash_and_path_prefix() -> None:
    script = Script(answer(200, {"id": "x"}))
    make_client(script, api_url="http://127.0.0.1:8080/websets/v0/").get_webset("w")
    assert str(script.requests[0].url) == "http://127.0.0.1:8080/websets/v0/websets/w"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_id_reaches_the_server_as_one_segment_that_decodes_to_itself(value: str) -> None:
    script = Script(answer(200, {"id": "x"}))
    make_client(script).get_search(value, value)
    raw = script.requests[0].url.raw_path.decode("ascii")
    assert "?" not in raw and "#" not in raw
    segments = raw.split("/")
    assert segments[:4] == ["", "websets", "v0", "websets"]
    assert segments[5] == "searches"
    assert len(segments) == 7
    assert unquote(segments[4]) == value == unquote(segments[6])
