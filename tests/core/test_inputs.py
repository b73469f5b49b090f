"""What admins type into settings forms and send to the API, read one way everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core import inputs
from frontline.core.errors import InvalidInput
from frontline.core.lookup import MAX_ID, as_id


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
    # Found by the desk fuzz test: "1e30" to the cent overflowed Decimal's context (500).
    for huge in ("1e30", "9" * 40, "1E+999999"):
        assert refused(inputs.money, huge, "price", label="The price").message == (
            "The price is too large.")
    assert inputs.money("99999999.99", "price", label="The price") == Decimal("99999999.99")
    assert refused(inputs.money, "NaN", "price", label="The price").message.startswith(
        "The price must be an amount")
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


# -- issue 11: one reading of numbers, ids, dates and times ------------------------


@given(st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=8)
       .filter(lambda text: not text.isascii()))
def test_digits_that_are_not_ascii_are_no_number_and_no_id(text):
    assert inputs.whole_number(text) is None
    assert as_id(text) is None


@given(st.integers(min_value=-(10**25), max_value=10**25), st.sampled_from(["", " ", "\t"]))
def test_ascii_numbers_read_back_as_written(number, space):
    assert inputs.whole_number(f"{space}{number}{space}") == number
    assert as_id(str(number)) == (number if 1 <= number <= MAX_ID else None)


@pytest.mark.parametrize("value", ["1_000", "1e3", "0x1F", "3.5", "", "9" * 40, True, 2.0])
def test_what_int_would_take_or_nobody_means_is_no_whole_number(value):
    assert inputs.whole_number(value) is None


@pytest.mark.parametrize("text", ["²", "12²", "-", "99999999999999999999"])
def test_odd_digits_in_a_whole_number_field_are_refused_naming_it(text):
    error = refused(inputs.whole, text, "rank", label="The rank", low=0, high=1000)
    assert error.field == "rank"


@given(st.dates())
def test_a_day_is_read_inside_the_bounds_and_refused_outside(day):
    if inputs.EARLIEST_DAY <= day <= inputs.LATEST_DAY:
        assert inputs.day(day.isoformat(), "to", label="The day") == day
    else:
        error = refused(inputs.day, day.isoformat(), "to", label="The day")
        assert error.message == "The day must be between 1900-01-01 and 2999-12-31."


@given(st.datetimes(timezones=st.timezones()))
def test_a_time_never_overflows_it_is_read_or_refused(moment):
    text = moment.isoformat()
    try:
        found = inputs.moment(text, "at", label="The time")
    except InvalidInput as error:
        assert error.field == "at"
    else:
        assert found is not None and found.astimezone(UTC) == moment.astimezone(UTC)


def test_a_time_needs_its_zone_unless_the_caller_reads_it_naive():
    assert refused(inputs.moment, "2025-01-31T09:00", "at", label="The time").message == (
        "The time needs a time zone, e.g. 2025-01-31T09:00:00Z.")
    assert inputs.moment("2025-01-31T09:00", "at", label="The time", naive=True) == (
        datetime(2025, 1, 31, 9, 0))
    assert refused(inputs.day, "0", "to", label="The day").message == (
        "The day must be a date (YYYY-MM-DD).")
