"""The API's error answers, raised inside handlers and turned into the recorded error bodies."""

from __future__ import annotations


class ApiFailure(Exception):
    """An error answer: HTTP ``status``, human ``message``, machine ``tag`` (None: no tag)."""

    def __init__(self, status: int, message: str, tag: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.tag = tag


def bad_request(message: str) -> ApiFailure:
    return ApiFailure(400, message, "INVALID_REQUEST_BODY")


def bad_query(message: str) -> ApiFailure:
    return ApiFailure(400, message, "INVALID_REQUEST")


def not_found(what: str, ident: str) -> ApiFailure:
    # Recorded (R6): "Import not found"; the id is in the body's ``path``.
    return ApiFailure(404, f"{what} not found", "NOT_FOUND")


def conflict(message: str) -> ApiFailure:
    return ApiFailure(409, message, "CONFLICT")
