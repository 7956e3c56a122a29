"""Response shapes shared by every part of the API, so each operation documents its errors."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """A refusal with a message for the caller (in the language of ``Accept-Language``)."""

    detail: str


class ValidationErrorOut(Schema):
    """Request parameters that failed validation, one entry per problem."""

    detail: list[dict[str, Any]]


# Every authenticated operation can answer 401; every operation can answer 422 for bad input.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 422: ValidationErrorOut}
INPUT_ERRORS: dict[int, type[Schema]] = {422: ValidationErrorOut}
NOT_FOUND: dict[int, type[Schema]] = {404: ErrorOut}
# A POST without a valid token falls back to the browser session, which needs a CSRF token:
# without one the answer is 403.
POST_ERRORS: dict[int, type[Schema]] = {403: ErrorOut}
