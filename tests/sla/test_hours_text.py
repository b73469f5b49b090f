"""Weekly hours and durations are read and written the way admins write them."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from frontline.core.errors import InvalidInput
from frontline.core.inputs import duration
from frontline.sla.hours_text import (
    Hours,
    check_no_overlap,
    format_duration,
    format_hours,
    parse_hours,
    spoken_duration,
    weekly_minutes,
)
from tests.sla.conftest import refused

# -- weekly hours --------------------------------------------------------------------------


def test_hours_are_read_and_written_the_way_people_write_them():
    hours = parse_hours("Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10-14\nSun 22:00-06:00")
    assert hours[:2] == [Hours(0, time(9), time(12)), Hours(0, time(13), time(17))]
    assert Hours(6, time(22), time(6)) in hours
    assert format_hours(hours) == ("Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00; "
                                   "Sun 22:00-06:00")
    assert format_hours(parse_hours("daily 00:00-24:00")) == "Mon-Sun 00:00-24:00"
    assert parse_hours("Mon 00:00-24:00") == [Hours(0, time(0), time(0))]
    assert weekly_minutes(parse_hours("Mon-Fri 08:00-18:00")) == 50 * 60


@pytest.mark.parametrize(("text", "message"), [
    ("Mon-Fri", "'Mon-Fri' needs days and hours, e.g. 'Mon-Fri 09:00-17:00'."),
    ("Funday 09:00-17:00", "'funday' is not a day or a range of days (write Mon-Fri, Sat, "
                           "or Mon,Wed)."),
    ("Mon 09:00-25:00", "'25:00' is not a time of day (00:00 to 24:00)."),
    ("Mon 09:00-12:00, 11:00-13:00", "Mon 09:00-12:00 overlaps Mon 11:00-13:00."),
    ("Sun 22:00-06:00; Mon 05:00-09:00", "Sun 22:00-06:00 overlaps Mon 05:00-09:00."),
    ("Tue 09:00-09:00", "'09:00-09:00' starts and ends at the same time; for the whole day "
                        "write 00:00-24:00."),
])
def test_bad_hours_say_what_is_wrong(text, message):
    error = refused(parse_hours, text)
    assert (error.field, error.message) == ("hours", message)


@st.composite
def weeks(draw: st.DrawFn) -> list[Hours]:
    """Non-overlapping intervals (some past midnight) on random days."""
    found: list[Hours] = []
    for day in draw(st.lists(st.integers(0, 6), unique=True, max_size=7)):
        start = draw(st.integers(0, 22 * 4)) * 15
        length = draw(st.integers(1, 4 * 16)) * 15
        end = (start + length) % 1440
        found.append(Hours(day, time(start // 60, start % 60), time(end // 60, end % 60)))
    try:
        check_no_overlap(sorted(found))
    except InvalidInput:
        assume(False)
    return sorted(found)


@settings(max_examples=150, deadline=None)
@given(weeks())
def test_formatted_hours_read_back_the_same(hours):
    text = format_hours(hours)
    assert parse_hours(text) == hours
    assert format_hours(parse_hours(text)) == text


# -- durations -----------------------------------------------------------------------------


def test_durations_are_written_the_way_admins_type_them():
    assert [format_duration(minutes) for minutes in (1440, 150, 45, None)] == [
        "24h", "2h 30m", "45m", ""]
    assert [duration(format_duration(minutes), "f", label="x")
            for minutes in (1440, 150, 45)] == [1440, 150, 45]


@pytest.mark.parametrize(("minutes", "spoken"), [
    (1, "1 minute"), (45, "45 minutes"), (60, "1 hour"), (61, "1 hour 1 minute"),
    (150, "2 hours 30 minutes"), (121, "2 hours 1 minute"),
])
def test_durations_are_spoken_with_the_right_plurals(minutes, spoken):
    assert spoken_duration(minutes) == spoken
