"""Shapes the whole API shares: safe text, the error body, pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, WithJsonSchema

from frontline.core import inputs
from frontline.core.errors import InvalidInput
from frontline.core.lookup import MAX_ID


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


# Dates and times are read by frontline.core.inputs, as the desk reads them: the
# extended ISO form only (pydantic would take a bare number as a Unix timestamp,
# and "0" as 1970-01-01), and only from EARLIEST_DAY to LATEST_DAY, so that no
# time zone or report period can overflow. The refusal names the field (a
# ValueError becomes pydantic's error at the field's location).

def _iso_8601(value: Any) -> Any:
    try:
        return inputs.moment(value, "", label="The time", naive=True)
    except InvalidInput as refused:
        raise ValueError(refused.message) from None


def _iso_day(value: Any) -> Any:
    try:
        return inputs.day(value, "", label="The date")
    except InvalidInput as refused:
        raise ValueError(refused.message) from None


_BOUNDS = f"from {inputs.EARLIEST_DAY} to {inputs.LATEST_DAY}"

Text = Annotated[str, AfterValidator(_storable_text)]
NonEmptyText = Annotated[str, Field(min_length=1), AfterValidator(_storable_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601), WithJsonSchema(
    {"type": "string", "format": "date-time",
     "description": f"ISO 8601 with a time zone, e.g. 2025-01-31T09:00:00Z; {_BOUNDS}."})]
IsoDate = Annotated[date, BeforeValidator(_iso_day), WithJsonSchema(
    {"type": "string", "format": "date", "description": f"YYYY-MM-DD, {_BOUNDS}."})]


def reject_nulls(changes: dict[str, Any], fields: Iterable[str]) -> None:
    """A PATCH may leave these out but not set them to null (the schema hides null)."""
    for field in fields:
        if field in changes and changes[field] is None:
            raise InvalidInput("This field cannot be null.", field=field)


class InputSchema(Schema):
    """A request body: unknown fields are refused so a typo is never silently ignored,
    and each value must be of the type the schema states (strict): `0` is no
    boolean and `"5"` no integer, as a JSON Schema validator would also say."""

    model_config = ConfigDict(extra="forbid", strict=True)


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
