"""Shapes the whole API shares: safe text, the error body, pages."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar, cast

from django.http import HttpRequest
from ninja import Schema
from ninja.parser import Parser
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

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


class Stated:
    """Adds keywords to a type's JSON Schema, for a rule a validator of ours checks, so
    that the schema states what the code refuses (a client's generator, schemathesis
    among them, then builds only requests the API takes)."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


# ECMA-262 (JSON Schema's regex dialect) and Python's re read \u0000 alike.
WITHOUT_NUL = "^[^\\u0000]*$"

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
# The years EARLIEST_DAY to LATEST_DAY (1900 to 2999) as the start of the string, so
# that the schema says what `format: date` alone cannot.
_YEARS = "^(19|2[0-9])[0-9]{2}-"
assert (inputs.EARLIEST_DAY.year, inputs.LATEST_DAY.year) == (1900, 2999), "update _YEARS"

Text = Annotated[str, AfterValidator(_storable_text), Stated(pattern=WITHOUT_NUL)]
NonEmptyText = Annotated[str, Field(min_length=1), AfterValidator(_storable_text),
                         Stated(pattern=WITHOUT_NUL)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601), WithJsonSchema(
    {"type": "string", "format": "date-time", "pattern": _YEARS,
     "description": f"ISO 8601 with a time zone, e.g. 2025-01-31T09:00:00Z; {_BOUNDS}."})]
IsoDate = Annotated[date, BeforeValidator(_iso_day), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": _YEARS,
     "description": f"YYYY-MM-DD, {_BOUNDS}."})]


def _amount_pattern(digits: int) -> str:
    return f"^[0-9]{{1,{digits - 2}}}(\\.[0-9]{{1,2}})?$"


def _amount(digits: int) -> BeforeValidator:
    """An amount of at most `digits` digits, 2 of them after the point, as the schema
    states it: a JSON number, or a string such as "250.50" (one like "1e3" or " 5",
    which Decimal would read, is refused)."""
    pattern = re.compile(_amount_pattern(digits).strip("^$"))

    def amount(value: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValueError(f"Write an amount such as 250.00 (at most {digits - 2} digits "
                             "before the point and 2 after it).")
        if isinstance(value, bool):
            raise ValueError("An amount is a number or a string, not a boolean.")
        return value

    return BeforeValidator(amount)


def _amount_schema(digits: int) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [
        {"type": "number", "minimum": 0, "maximum": float("9" * (digits - 2) + ".99"),
         "multipleOf": 0.01},
        {"type": "string", "pattern": _amount_pattern(digits)}]})


# Sums of money, never negative: not strict (strict pydantic takes Decimal objects only,
# which JSON does not have).
Money = Annotated[Decimal, _amount(10), Field(ge=0, max_digits=10, decimal_places=2,
                                              strict=False), _amount_schema(10)]
LargeMoney = Annotated[Decimal, _amount(12), Field(ge=0, max_digits=12, decimal_places=2,
                                                   strict=False), _amount_schema(12)]


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("This field cannot be null.")
    return value


class _NullHidden:
    """Leaves null out of a nullable type's JSON Schema (the validator still reads a
    null, to refuse it by name): the type stays Optional for pydantic, so a bad value
    is blamed on the field itself, not on a member of a union."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        options = [option for option in schema.pop("anyOf", []) if option != {"type": "null"}]
        if len(options) == 1:
            schema.update(options[0])
        elif options:
            schema["anyOf"] = options
        return schema


Changed = TypeVar("Changed")
# A field of a change (PATCH) that may be left out but not set to null: the schema
# shows no null, and a null sent all the same is refused, naming the field. (A
# validator runs only on a value sent, never on the default.) Fields where null
# means "clear it" are `T | None` instead.
Omissible = Annotated[Changed | None, BeforeValidator(_not_null), _NullHidden()]


def _no_null_default(schema: dict[str, Any]) -> None:
    # An Omissible field's default (None, meaning "left out") is no value the schema
    # allows; a schema whose default breaks it misleads a client's generator.
    for field_schema in schema.get("properties", {}).values():
        if ("default" in field_schema and field_schema["default"] is None
                and "anyOf" not in field_schema and field_schema.get("type") != "null"):
            del field_schema["default"]


class InputSchema(Schema):
    """A request body: unknown fields are refused so a typo is never silently ignored,
    and each value must be of the type the schema states (strict): `0` is no
    boolean and `"5"` no integer, as a JSON Schema validator would also say."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_no_null_default)


def _json_number(text: str) -> int | float:
    # JSON Schema counts a number with a zero fraction as an integer ("2.0", "1e3"),
    # while Python's json reads it as a float, which a strict int field refuses.
    # Read such a number as the integer it is, exactly (Decimal, not the float),
    # within 64 bits: larger ones are refused by the fields' bounds either way.
    number = float(text)
    if number.is_integer() and abs(number) < 2**63:
        return int(Decimal(text))
    return number


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


class JsonBody(Parser):
    """Request bodies read as JSON Schema reads JSON: `2.0` is the integer 2, and
    NaN or Infinity (which Python's json takes by default) are no JSON at all."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(request.body, parse_float=_json_number,
                                               parse_constant=_not_json))


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
