"""Typed errors from error responses, and the API key kept out of every error, record and repr."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_support import API_KEY, FakeTime, Script, answer, fail, make_client, text

from websets_sync.client.endpoints import RequestRecord, WebsetsClient
from websets_sync.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    WebsetsSyncError,
)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ApiError),
        (401, AuthError),
        (402, ApiError),
        (403, AuthError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ApiError),
        (429, RateLimitedError),
        (500, ApiError),
    ],
)
def test_status_maps_to_error_type_with_message_tag_and_request_id(
    status: int, error_type: type[ApiError]
) -> None:
    body = {"requestId": "req_1", "error": "Something is off", "tag": "SOME_TAG"}
    script = Script(answer(status, body))
    with pytest.raises(ApiError) as caught:
        make_client(script, max_retries=0).get_webset("ws_1")
    error = caught.value
    assert type(error) is error_type
    assert (error.status, error.api_message, error.tag, error.request_id) == (
        status,
        "Something is off",
        "SOME_TAG",
        "req_1",
    )
    assert (error.method, error.path) == ("GET", "/websets/ws_1")
    assert str(error) == (
        f"GET /websets/ws_1 failed with HTTP {status}: Something is off "
        "(tag=SOME_TAG, requestId=req_1)"
    )


def test_request_id_falls_back_to_the_response_header() -> None:
    script = Script(answer(404, {"error": "Webset not found"}, headers={"X-Request-Id": "hdr_7"}))
    with pytest.raises(NotFoundError) as caught:
        make_client(script).get_webset("nope")
    assert caught.value.request_id == "hdr_7"


def test_nestjs_style_body_combines_error_and_message_list() -> None:
    body = {"statusCode": 400, "error": "Bad Request", "message": ["query too short", "count < 1"]}
    script = Script(answer(400, body))
    with pytest.raises(ApiError) as caught:
        make_client(script).create_webset({})
    assert caught.value.api_message == "Bad Request: query too short; count < 1"


def test_message_field_alone_is_used() -> None:
    script = Script(answer(422, {"message": "No entity detected"}))
    with pytest.raises(ApiError) as caught:
        make_client(script).create_webset({})
    assert caught.value.api_message == "No entity detected"
    assert caught.value.tag is None


def test_non_json_error_body_becomes_a_truncated_one_line_message() -> None:
    page = "<html>\n<body>" + "Bad gateway " * 100 + "</body></html>"
    script = Script(text(400, page))
    with pytest.raises(ApiError) as caught:
        make_client(script).get_webset("ws_1")
    message = caught.value.api_message
    assert message is not None
    assert message.startswith("<html> <body>Bad gateway")
    assert "\n" not in message
    assert len(message) == 300
    assert message.endswith("…")


def test_empty_error_body_has_no_message() -> None:
    script = Script(answer(404))
    with pytest.raises(NotFoundError) as caught:
        make_client(script).get_webset("ws_1")
    assert caught.value.api_message is None
    assert str(caught.value) == "GET /websets/ws_1 failed with HTTP 404"


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]"])
def test_a_successful_response_that_is_not_a_json_object_is_an_error(content: str) -> None:
    script = Script(text(200, content))
    with pytest.raises(ApiError, match="not a JSON object"):
        make_client(script).get_webset("ws_1")


# --- the API key never leaks ---------------------------------------------------------------------

ECHO = {"error": f"Invalid API key {API_KEY}", "tag": f"BAD_{API_KEY}", "requestId": API_KEY}


def _leaks(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), str(getattr(error, "detail", "")), repr(error.args)]
    texts += [repr(vars(error))]
    return [t for t in texts if API_KEY in t]


@pytest.mark.parametrize(
    "step",
    [
        answer(401, ECHO),
        answer(403, ECHO, headers={"X-Request-Id": API_KEY}),
        answer(429, ECHO),
        text(400, f"key={API_KEY} rejected"),
        text(400, "x" * 290 + API_KEY),  # truncation must not leave part of the key behind
        fail(httpx.ConnectError, f"cannot connect with {API_KEY}"),
        fail(httpx.ReadTimeout, f"timed out {API_KEY}"),
        answer(500, ECHO),
    ],
)
@pytest.mark.parametrize("create", [False, True], ids=["get", "create"])
def test_the_api_key_is_absent_from_every_error(step: Any, create: bool) -> None:
    records: list[RequestRecord] = []
    client = make_client(Script(step), records=records, max_retries=1)
    call: Callable[[WebsetsClient], Any] = (
        (lambda c: c.create_webset({})) if create else (lambda c: c.get_webset("ws_1"))
    )
    with pytest.raises(WebsetsSyncError) as caught:
        call(client)
    assert _leaks(caught.value) == []
    assert caught.value.__cause__ is None or API_KEY not in str(caught.value.__cause__)
    assert records
    assert all(API_KEY not in repr(r) for r in records)


def test_the_key_is_sent_as_x_api_key_on_every_attempt_and_nowhere_else() -> None:
    script = Script(answer(503), answer(200, {"id": "ws_1"}))
    make_client(script).get_webset("ws_1")
    assert [r.headers["x-api-key"] for r in script.requests] == [API_KEY, API_KEY]
    for request in script.requests:
        assert API_KEY not in str(request.url)
        assert "authorization" not in request.headers


def test_debug_records_hold_method_path_status_duration_attempt_only() -> None:
    time = FakeTime()
    records: list[RequestRecord] = []
    script = Script(answer(503), answer(200, {"data": [], "hasMore": False}))
    list(make_client(script, time, records=records).iter_monitors(webset_id="ws_1"))
    assert records == [
        RequestRecord("GET", "/monitors?websetId=ws_1&limit=200", 503, 0.0, 1),
        RequestRecord("GET", "/monitors?websetId=ws_1&limit=200", 200, 0.0, 2),
    ]
    assert all(API_KEY not in repr(r) for r in records)


def test_transport_failures_are_recorded_with_their_name() -> None:
    records: list[RequestRecord] = []
    script = Script(fail(httpx.ConnectError), answer(200, {"id": "ws_1"}))
    make_client(script, records=records).get_webset("ws_1")
    assert [(r.status, r.error, r.attempt) for r in records] == [
        (None, "ConnectError", 1),
        (200, None, 2),
    ]


def test_client_repr_shows_neither_key_nor_url_credentials() -> None:
    client = WebsetsClient(
        httpx.Client(transport=httpx.MockTransport(answer(200, {}))),
        api_key=API_KEY,
        api_url="https://user:pa55-w0rd-x@proxy.test/websets/v0",
    )
    assert API_KEY not in repr(client)
    assert "pa55-w0rd-x" not in repr(client)
    assert (
        repr(client)
        == "WebsetsClient(api_url='https://REDACTED@proxy.test/websets/v0', rate_limit=9.8)"
    )


def test_the_recorded_404_shape_is_a_not_found_error_with_its_message() -> None:
    # Verbatim from tests/replay/recordings/imports__get_import_not_found.json (R6).
    body = {
        "statusCode": 404,
        "timestamp": "2025-11-23T17:15:33.606Z",
        "message": "Import not found",
        "error": "Not Found",
        "path": "/v0/imports/import_nonexistent_12345",
    }
    script = Script(answer(404, body, headers={"X-Request-Id": "hdr_9"}))
    with pytest.raises(NotFoundError) as caught:
        make_client(script).get_webset("import_nonexistent_12345")
    assert (caught.value.api_message, caught.value.tag, caught.value.request_id) == (
        "Not Found: Import not found",
        None,
        "hdr_9",
    )


def test_the_recorded_400_for_a_wrong_key_is_an_auth_error_naming_exa_api_key() -> None:
    # Verbatim from tests/replay/recordings/imports__create_import_invalid_api_key.json (R5).
    body = {"requestId": "5d33e4235eb5b3a05b7e4cb192548d2f", "error": "x-api-key header is invalid"}
    script = Script(answer(400, body))
    with pytest.raises(AuthError) as caught:
        make_client(script, max_retries=0).get_webset("ws_1")
    error = caught.value
    assert (error.status, error.api_message, error.tag) == (
        400,
        "x-api-key header is invalid",
        None,
    )
    assert error.detail == "The API rejected the API key: check EXA_API_KEY."
    assert len(script.requests) == 1  # a rejected key is not retried


def test_other_400s_stay_plain_api_errors() -> None:
    script = Script(answer(400, {"requestId": "r", "error": "count: is required"}))
    with pytest.raises(ApiError) as caught:
        make_client(script).create_webset({})
    assert type(caught.value) is ApiError and caught.value.detail is None
