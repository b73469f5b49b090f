"""What admins type into settings forms and send to the API, read one way everywhere."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from frontline.core import inputs
from frontline.core.errors import InvalidInput


def refused(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (1, True), (0, False),
    ("on", True), ("Yes", True), (" true ", True), ("1", True),
    ("off", False), ("no", False), ("FALSE", False), ("0", False), ("", False),
])
def test_checkboxes_and_json_booleans_are_yes_or_no(value, expected):
    assert inputs.boolean(value, "active") is expected


@pytest.mark.parametrize("value", ["maybe", "2", 2, None, 0.5])
def test_anything_else_is_refused_naming_the_field_not_read_as_no(value):
    error = refused(inputs.boolean, value, "notify")
    assert error.field == "notify"
    assert error.message == f"'{value}' is not yes or no."


def test_durations_are_read_as_admins_type_them():
    assert [inputs.duration(text, "f", label="x")
            for text in ("24h", "2h 30m", "90m", "1:30", "45", "", None, 15)] == [
        1440, 150, 90, 90, 45, None, None, 15]
    error = refused(inputs.duration, "two days", "first_response_minutes", label="The target")
    assert error.field == "first_response_minutes"
    assert error.message == "The target must be a duration such as 24h, 2h 30m or 90m."


def test_amounts_numbers_and_dates():
    assert inputs.money("1,250.5", "price", label="The price") == Decimal("1250.50")
    assert inputs.money(" ", "price", label="The price") is None
    assert refused(inputs.money, "-3", "price", label="The price").message == (
        "The price cannot be negative.")
    assert inputs.whole("7", "rank", label="The rank", low=0, high=10) == 7
    assert refused(inputs.whole, True, "rank", label="The rank", low=0, high=10).message == (
        "The rank must be a whole number.")
    assert inputs.whole("", "rank", label="The rank", low=0, high=10, optional=True) is None
    assert inputs.day("2025-03-01", "date", label="The day") == date(2025, 3, 1)
    assert refused(inputs.day, "1 March", "date", label="The day").field == "date"


def test_names_text_and_lists():
    assert inputs.name("  Premium   first ", what="A rule") == "Premium first"
    assert refused(inputs.name, " ", what="A team").message == "A team needs a name."
    assert inputs.text(" EUR ", "currency", max_length=3) == "EUR"
    assert refused(inputs.text, "", "name", max_length=9, required=True,
                   label="A plan's name").message == "A plan's name is required."
    assert inputs.split_list("install, Setup , install,, set  up") == [
        "install", "Setup", "set up"]
