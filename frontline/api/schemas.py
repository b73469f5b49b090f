"""Shapes the whole API shares: safe text, the error body, pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from frontline.core.errors import InvalidInput

# A signed 64-bit key: larger ids cannot exist and would overflow the database driver.
MAX_ID = 2**63 - 1


def _storable_text(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate (legal in JSON's \uD800
    # escapes) cannot be encoded as UTF-8: refuse both here, naming the field,
    # rather than let the database fail with a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode (it contains a lone surrogate)") from None
    return value


def _iso_8601(value: Any) -> Any:
    # pydantic would also take a bare number as a Unix timestamp; "0.5" as a
    # date is far likelier a mistake than a wish for 1970.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z")
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z") from None


Text = Annotated[str, AfterValidator(_storable_text)]
NonEmptyText = Annotated[str, Field(min_length=1), AfterValidator(_storable_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601)]


def reject_nulls(changes: dict[str, Any], fields: Iterable[str]) -> None:
    """A PATCH may leave these out but not set them to null (the schema hides null)."""
    for field in fields:
        if field in changes and changes[field] is None:
            raise InvalidInput("This field cannot be null.", field=field)


class InputSchema(Schema):
    """A request body: unknown fields are refused so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class FieldErrorOut(Schema):
    field: str | None = Field(description="The input to blame (dotted for nested), or null.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = []


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}


class UserRefOut(Schema):
    id: int
    username: str
    name: str
