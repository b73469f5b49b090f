"""Business-time arithmetic: stories on real calendars, then properties checked
against a slow reference that walks the clock one minute at a time."""

from __future__ import annotations

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.core.errors import InvalidInput
from frontline.sla import businesstime
from frontline.sla.businesstime import BusinessHours, clear_cache
from frontline.sla.models import BusinessCalendar, ClosedDay, WorkingInterval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
MINUTE = timedelta(minutes=1)
WEEKDAYS = range(5)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def office(weekdays=WEEKDAYS, start=time(9), end=time(17), tz="Europe/Berlin",
           country="", region="", closed=()) -> BusinessHours:
    return BusinessHours(timezone=tz, intervals=[(d, start, end) for d in weekdays],
                         holiday_country=country, holiday_subdivision=region,
                         closed_days=closed, name="Office")


# -- stories -----------------------------------------------------------------------------


def test_friday_afternoon_plus_two_business_hours_is_monday_ten() -> None:
    hours = office()
    due = hours.add(berlin(2025, 3, 7, 16), 2 * HOUR)
    assert due == berlin(2025, 3, 10, 10)
    assert due.tzinfo is UTC


def test_a_target_that_uses_up_friday_is_due_friday_at_closing_time() -> None:
    """The earliest moment the time has passed: Friday 17:00, not Monday 09:00."""
    assert office().add(berlin(2025, 3, 7, 16), HOUR) == berlin(2025, 3, 7, 17)


def test_zero_is_now_when_open_and_the_next_opening_when_closed() -> None:
    hours = office()
    assert hours.add(berlin(2025, 3, 7, 16, 30), 0) == berlin(2025, 3, 7, 16, 30)
    assert hours.add(berlin(2025, 3, 7, 17), 0) == berlin(2025, 3, 10, 9)
    assert hours.next_open(berlin(2025, 3, 8, 12)) == berlin(2025, 3, 10, 9)
    assert hours.is_open(berlin(2025, 3, 7, 9)) and not hours.is_open(berlin(2025, 3, 7, 17))


def test_christmas_in_bavaria_is_skipped() -> None:
    """Christmas Eve is a working day in Germany; the 25th and 26th are holidays,
    then a weekend: ten hours from Tuesday 23 December 16:00 end on Monday 29th."""
    hours = office(country="DE", region="BY")
    assert hours.add(berlin(2025, 12, 23, 16), 10 * HOUR) == berlin(2025, 12, 29, 10)
    assert hours.seconds_between(berlin(2025, 12, 23, 9), berlin(2025, 12, 30, 9)) == 24 * HOUR


def test_holidays_follow_the_region() -> None:
    """Epiphany (6 January) is a holiday in Bavaria but not in Berlin."""
    monday_morning = berlin(2025, 1, 6, 9)
    assert not office(country="DE", region="BY").is_open(monday_morning)
    assert office(country="DE", region="BE").is_open(monday_morning)
    assert office(country="DE", region="BY").add(monday_morning, HOUR) == berlin(2025, 1, 7, 10)


def test_closed_days_are_skipped_like_holidays() -> None:
    hours = office(closed=[date(2025, 3, 10), date(2025, 3, 11)])
    assert hours.add(berlin(2025, 3, 7, 16), 2 * HOUR) == berlin(2025, 3, 12, 10)


def test_night_shift_crosses_midnight() -> None:
    """22:00-06:00 starting Monday to Friday evenings: the Friday shift ends
    Saturday 06:00 and work resumes Monday 22:00."""
    hours = office(start=time(22), end=time(6))
    assert hours.is_open(berlin(2025, 3, 8, 5, 59))        # Saturday morning, Friday's shift
    assert not hours.is_open(berlin(2025, 3, 10, 5))        # Monday morning: no Sunday shift
    assert hours.add(berlin(2025, 3, 7, 23), 8 * HOUR) == berlin(2025, 3, 10, 23)
    assert hours.seconds_between(berlin(2025, 3, 10, 21), berlin(2025, 3, 11, 7)) == 8 * HOUR


def test_a_holiday_closes_the_shift_that_starts_on_it() -> None:
    """Good Friday 2025 (18 April): Thursday's shift still runs into Friday
    morning; Friday evening's shift does not run at all."""
    hours = office(start=time(22), end=time(6), country="DE", region="BY")
    assert hours.is_open(berlin(2025, 4, 18, 5))
    assert not hours.is_open(berlin(2025, 4, 18, 23))
    assert not hours.is_open(berlin(2025, 4, 19, 3))
    assert hours.add(berlin(2025, 4, 18, 5), 2 * HOUR) == berlin(2025, 4, 22, 23)  # Easter Monday


def test_several_intervals_a_day_with_a_lunch_break() -> None:
    hours = BusinessHours(timezone="Europe/Berlin", intervals=[
        *((d, time(8), time(12)) for d in WEEKDAYS), *((d, time(13), time(17)) for d in WEEKDAYS)])
    assert hours.add(berlin(2025, 3, 3, 11), 2 * HOUR) == berlin(2025, 3, 3, 14)
    assert not hours.is_open(berlin(2025, 3, 3, 12, 30))


def test_overlapping_intervals_count_once() -> None:
    hours = BusinessHours(timezone="UTC",
                          intervals=[(0, time(9), time(13)), (0, time(11), time(17))])
    monday = datetime(2025, 3, 3, tzinfo=UTC)
    assert hours.seconds_between(monday, monday + timedelta(days=1)) == 8 * HOUR


def test_a_pause_moves_the_due_time_by_the_business_time_it_lasted() -> None:
    """A 4-hour target opened Friday 16:00, waiting on the customer from 16:30
    until Monday 11:00: 30 minutes were used, 3.5 hours remain from Monday 11:00."""
    hours = office()
    opened, paused = berlin(2025, 3, 7, 16), berlin(2025, 3, 7, 16, 30)
    resumed = berlin(2025, 3, 10, 11)
    used = hours.seconds_between(opened, paused)
    assert used == 30 * 60
    assert hours.add(resumed, 4 * HOUR - used) == berlin(2025, 3, 10, 14, 30)
    # Paused only while closed: nothing moves.
    closed_pause = hours.seconds_between(opened, berlin(2025, 3, 7, 17))
    assert hours.add(berlin(2025, 3, 10, 9), 4 * HOUR - closed_pause) == hours.add(opened, 4 * HOUR)


def test_five_business_days() -> None:
    hours = office(country="DE", region="BY")
    assert hours.add(berlin(2025, 5, 26, 10), 5 * 8 * HOUR) == berlin(2025, 6, 3, 10)  # Ascension


# -- daylight saving ---------------------------------------------------------------------


def test_a_day_that_loses_an_hour_has_less_work() -> None:
    """Berlin goes from 02:00 to 03:00 on 30 March 2025: 01:00-05:00 is 3 real hours."""
    hours = office(weekdays=range(7), start=time(1), end=time(5))
    assert hours.seconds_between(berlin(2025, 3, 30), berlin(2025, 3, 31)) == 3 * HOUR
    assert hours.add(berlin(2025, 3, 30, 1), 3 * HOUR) == berlin(2025, 3, 30, 5)


def test_a_day_that_gains_an_hour_has_more_work() -> None:
    """Berlin goes from 03:00 back to 02:00 on 26 October 2025: 01:00-05:00 is 5 real hours."""
    hours = office(weekdays=range(7), start=time(1), end=time(5))
    assert hours.seconds_between(berlin(2025, 10, 26), berlin(2025, 10, 27)) == 5 * HOUR
    assert hours.add(berlin(2025, 10, 26, 1), 5 * HOUR) == berlin(2025, 10, 26, 5)


def test_around_the_clock_days_follow_the_real_clock() -> None:
    hours = office(weekdays=range(7), start=time(0), end=time(0))
    assert hours.seconds_between(berlin(2025, 3, 29), berlin(2025, 3, 31)) == 47 * HOUR
    assert hours.seconds_between(berlin(2025, 10, 25), berlin(2025, 10, 27)) == 49 * HOUR
    assert hours.add(berlin(2025, 3, 29, 12), 24 * HOUR) == berlin(2025, 3, 30, 13)


def test_a_start_in_the_missing_hour_opens_when_the_clock_resumes() -> None:
    """02:30 does not exist on 30 March 2025 in Berlin; read with fold=0 it is
    03:30 summer time, so an interval 02:30-06:00 gives 2.5 real hours."""
    hours = office(weekdays=[6], start=time(2, 30), end=time(6))
    assert hours.next_open(berlin(2025, 3, 30, 0)) == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert hours.seconds_between(berlin(2025, 3, 30), berlin(2025, 3, 31)) == 2.5 * HOUR


def test_a_start_in_the_repeated_hour_is_the_first_one() -> None:
    """02:30 happens twice on 26 October 2025 in Berlin; fold=0 is the first
    (summer time, 00:30 UTC), so 02:30-04:00 gives 2.5 real hours."""
    hours = office(weekdays=[6], start=time(2, 30), end=time(4))
    assert hours.next_open(berlin(2025, 10, 26, 0)) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert hours.seconds_between(berlin(2025, 10, 26), berlin(2025, 10, 27)) == 2.5 * HOUR


def test_answers_are_in_utc_whatever_zone_the_question_is_in() -> None:
    hours = office(tz="America/New_York")
    start = datetime(2025, 3, 7, 16, tzinfo=NEW_YORK)
    due = hours.add(start, 2 * HOUR)
    assert due == datetime(2025, 3, 10, 10, tzinfo=NEW_YORK)  # across the DST change on the 9th
    assert due.utcoffset() == timedelta(0)
    assert hours.add(start.astimezone(BERLIN), 2 * HOUR) == due
    assert hours.tz == NEW_YORK


# -- around the clock, guards ---------------------------------------------------------------


def test_around_the_clock_counts_every_second() -> None:
    hours = BusinessHours.around_the_clock()
    start = berlin(2025, 3, 29, 12)
    assert hours.add(start, 2 * HOUR) == start + timedelta(hours=2)
    # Two days on Berlin's wall clock across the spring change are 47 real hours.
    assert hours.seconds_between(start, start + timedelta(days=2)) == 47 * HOUR
    assert hours.is_open(start) and hours.next_open(start) == start
    assert hours.tz == ZoneInfo("UTC")


def test_a_calendar_without_hours_is_refused_not_looped_over() -> None:
    hours = BusinessHours(timezone="Europe/Berlin", name="Empty")
    with pytest.raises(InvalidInput, match="“Empty” has no working hours"):
        hours.add(berlin(2025, 3, 7, 16), HOUR)
    with pytest.raises(InvalidInput, match="no working hours"):
        hours.next_open(berlin(2025, 3, 7, 16))
    assert not hours.is_open(berlin(2025, 3, 7, 16))
    assert hours.seconds_between(berlin(2025, 3, 7), berlin(2025, 3, 14)) == 0


def test_targets_decades_out_are_refused_quickly() -> None:
    hours = office(weekdays=[0], start=time(9), end=time(9, 1), country="DE", region="BY")
    started = wallclock.monotonic()
    with pytest.raises(InvalidInput, match="more than 25 years ahead"):
        hours.add(berlin(2025, 3, 7, 16), 1000 * HOUR)  # one minute a week: 1,150 years
    due = hours.add(berlin(2025, 3, 7, 16), 60 * 60).astimezone(BERLIN)  # 60 Mondays
    assert (due.year, due.weekday(), due.hour, due.minute) == (2026, 0, 9, 1)
    assert wallclock.monotonic() - started < 5


def test_a_calendar_closed_for_decades_is_refused() -> None:
    closed = [date(2025, 1, 1) + timedelta(days=n) for n in range(30 * 366)]
    hours = office(weekdays=[0], closed=closed)
    with pytest.raises(InvalidInput, match="no working time in the next 25 years"):
        hours.next_open(berlin(2025, 3, 7, 16))


def test_negative_targets_and_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot be negative"):
        office().add(berlin(2025, 3, 7, 16), -1)
    with pytest.raises(ValueError, match="aware datetime"):
        office().add(datetime(2025, 3, 7, 16), 60)


def test_unknown_timezone_and_holiday_region_are_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown timezone") as error:
        BusinessHours(timezone="Mars/Olympus_Mons")
    assert error.value.field == "timezone"
    with pytest.raises(InvalidInput, match="Germany has no region 'XX'") as error:
        office(country="DE", region="XX")
    assert error.value.field == "holiday_subdivision"
    with pytest.raises(InvalidInput, match="No public holidays are known") as error:
        office(country="QQ")
    assert error.value.field == "holiday_country"


def test_years_away_from_the_first_question() -> None:
    """Tables are built a few years at a time; moments far apart still agree."""
    hours = office(country="DE", region="BY")
    assert hours.add(berlin(2025, 3, 7, 16), 2 * HOUR) == berlin(2025, 3, 10, 10)
    assert hours.add(berlin(2041, 12, 24, 16), 2 * HOUR) == berlin(2041, 12, 27, 10)
    assert hours.add(berlin(2019, 12, 31, 16), 2 * HOUR) == berlin(2020, 1, 2, 10)
    assert hours.seconds_between(berlin(2025, 1, 1), berlin(2026, 1, 1)) == 250 * 8 * HOUR


# -- calendars from the database ---------------------------------------------------------------


@pytest.fixture
def bavarian_office(db: None) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(name="Munich office", timezone="Europe/Berlin",
                                               holiday_country="DE", holiday_subdivision="BY")
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=d, start=time(9), end=time(17))
        for d in WEEKDAYS)
    clear_cache()
    return calendar


def test_for_calendar_reads_hours_holidays_and_closed_days(bavarian_office) -> None:
    ClosedDay.objects.create(calendar=bavarian_office, date=date(2025, 12, 29), name="Inventory")
    hours = BusinessHours.for_calendar(bavarian_office)
    assert hours.tz == BERLIN
    assert hours.add(berlin(2025, 12, 23, 16), 10 * HOUR) == berlin(2025, 12, 30, 10)


def test_for_calendar_is_cached_without_queries(bavarian_office, django_assert_num_queries) -> None:
    hours = BusinessHours.for_calendar(bavarian_office)
    with django_assert_num_queries(0):
        assert BusinessHours.for_calendar(bavarian_office) is hours
    assert BusinessHours.for_calendar(None) is BusinessHours.around_the_clock()


def test_edits_are_seen(bavarian_office, monkeypatch) -> None:
    friday = berlin(2025, 3, 7, 16)

    def due() -> datetime:
        return BusinessHours.for_calendar(bavarian_office).add(friday, 2 * HOUR)

    assert due() == berlin(2025, 3, 10, 10)
    # Saved through the ORM: seen at once.
    WorkingInterval.objects.create(calendar=bavarian_office, weekday=5, start=time(10),
                                   end=time(12))
    assert due() == berlin(2025, 3, 8, 11)
    # Written in bulk (or by another process): seen once the cache entry is old.
    ClosedDay.objects.bulk_create([ClosedDay(calendar=bavarian_office, date=date(2025, 3, 8))])
    assert due() == berlin(2025, 3, 8, 11)
    monkeypatch.setattr(businesstime, "CACHE_SECONDS", 0.0)
    assert due() == berlin(2025, 3, 10, 10)
    # The calendar's own fields are part of the key.
    monkeypatch.setattr(businesstime, "CACHE_SECONDS", 3600.0)
    BusinessCalendar.objects.filter(pk=bavarian_office.pk).update(timezone="America/New_York")
    bavarian_office.refresh_from_db()
    assert BusinessHours.for_calendar(bavarian_office).tz == NEW_YORK


def test_unchanged_rows_keep_the_built_hours(bavarian_office, monkeypatch) -> None:
    monkeypatch.setattr(businesstime, "CACHE_SECONDS", 0.0)
    hours = BusinessHours.for_calendar(bavarian_office)
    assert BusinessHours.for_calendar(bavarian_office) is hours


# -- properties against a reference ------------------------------------------------------------


class Reference:
    """Obviously correct and slow: an interval is open from its wall-clock start
    to its wall-clock end (fold=0) unless its start date is a holiday or closed;
    a moment is open when some interval covers it. Counting steps through UTC
    minutes (every boundary is a whole minute in these zones)."""

    def __init__(self, tz: str, intervals, country: str, region: str, closed) -> None:
        self.tz = ZoneInfo(tz)
        self.intervals = intervals
        self.holidays = holidays.country_holidays(country, subdiv=region or None) if country \
            else {}
        self.closed = set(closed)

    @cache  # noqa: B019  (one reference per example)
    def spans_starting_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.closed or day in self.holidays:
            return []
        spans = []
        for weekday, start, end in self.intervals:
            if weekday == day.weekday():
                end_day = day if end > start else day + timedelta(days=1)
                spans.append((datetime.combine(day, start, tzinfo=self.tz),
                              datetime.combine(end_day, end, tzinfo=self.tz)))
        return spans

    def is_open(self, at: datetime) -> bool:
        today = at.astimezone(self.tz).date()
        return any(start <= at < end
                   for days_back in (-1, 0, 1, 2)
                   for start, end in self.spans_starting_on(today - timedelta(days=days_back)))

    def seconds_between(self, start: datetime, end: datetime) -> int:
        minutes, moment = 0, start
        while moment < end:
            minutes += self.is_open(moment)
            moment += MINUTE
        return minutes * 60

    def add(self, start: datetime, minutes: int, give_up: datetime) -> datetime | None:
        moment, counted = start, 0
        while (counted < minutes or (minutes == 0 and not self.is_open(moment))):
            if moment >= give_up:
                return None
            if minutes:
                counted += self.is_open(moment)
            moment += MINUTE
        return moment


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"]
REGIONS = [("", ""), ("DE", "BY"), ("US", "NY"), ("AU", "NSW"), ("IN", "")]
# Where mistakes hide: each zone's DST changes (UTC instants), holidays, year ends.
DST_CHANGES = {
    "Europe/Berlin": [datetime(2025, 3, 30, 1, tzinfo=UTC),
                      datetime(2025, 10, 26, 1, tzinfo=UTC)],
    "America/New_York": [datetime(2025, 3, 9, 7, tzinfo=UTC),
                         datetime(2025, 11, 2, 6, tzinfo=UTC)],
    "Australia/Sydney": [datetime(2025, 4, 5, 16, tzinfo=UTC),
                         datetime(2025, 10, 4, 16, tzinfo=UTC)],
    "UTC": [],
    "Asia/Kolkata": [],
}
ANCHORS = [datetime(2025, 12, 24, 12, tzinfo=UTC), datetime(2025, 12, 31, 18, tzinfo=UTC),
           datetime(2025, 4, 18, 12, tzinfo=UTC), datetime(2025, 7, 4, 12, tzinfo=UTC),
           datetime(2024, 2, 29, 12, tzinfo=UTC), datetime(2026, 1, 26, 12, tzinfo=UTC)]

wall_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 0, 15, 30, 45]))
intervals = st.lists(st.one_of(
    st.tuples(st.integers(0, 6), wall_times, wall_times),
    st.tuples(st.integers(0, 6), st.just(time(0)), st.just(time(0))),
    st.tuples(st.integers(0, 6), st.sampled_from([time(1), time(2), time(2, 30), time(22)]),
              st.sampled_from([time(2, 30), time(3), time(6)])),
), min_size=1, max_size=8)


@st.composite
def scenarios(draw, seconds: bool = False):
    """A random calendar and a start near a DST change, a holiday or a year end."""
    tz = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(DST_CHANGES[tz] * 3 + ANCHORS))
    # Often an interval on the anchor's own day, starting or ending in the small hours.
    anchor_day = anchor.astimezone(ZoneInfo(tz)).weekday()
    rows = draw(intervals) + draw(st.lists(st.tuples(
        st.just(anchor_day), st.builds(time, st.integers(0, 4), st.sampled_from([0, 30])),
        st.builds(time, st.integers(0, 5), st.sampled_from([0, 30]))), max_size=2))
    country, region = draw(st.sampled_from(REGIONS))
    closed = [anchor.date() + timedelta(days=n)
              for n in draw(st.lists(st.integers(-3, 8), max_size=4))]
    # Mostly starting shortly before the anchor, so that windows cross it.
    offset = draw(st.one_of(st.integers(-36 * 60, 6 * 60), st.integers(-4 * 24 * 60, 4 * 24 * 60)))
    start = anchor + MINUTE * offset
    if seconds:
        start += timedelta(seconds=draw(st.integers(0, 59)))
    hours = BusinessHours(timezone=tz, intervals=rows, holiday_country=country,
                          holiday_subdivision=region, closed_days=closed)
    return hours, Reference(tz, rows, country, region, closed), start


bounded = settings(max_examples=80, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
WINDOW = timedelta(days=5)


@bounded
@given(scenarios(), st.integers(0, 3 * 24 * 60))
def test_seconds_between_and_is_open_match_the_reference(scenario, minutes) -> None:
    hours, reference, start = scenario
    end = start + minutes * MINUTE
    assert hours.seconds_between(start, end) == reference.seconds_between(start, end)
    for moment in (start, end, start + (end - start) / 2):
        assert hours.is_open(moment) == reference.is_open(moment), moment


@bounded
@given(scenarios(), st.integers(0, 30 * 60))
def test_add_matches_the_reference(scenario, minutes) -> None:
    hours, reference, start = scenario
    expected = reference.add(start, minutes, give_up=start + WINDOW)
    if expected is None:  # more than the window away: the reference gives up
        assert hours.seconds_between(start, start + WINDOW) < max(minutes, 1) * 60
        assert hours.add(start, minutes * 60) >= start + WINDOW
    else:
        assert hours.add(start, minutes * 60) == expected


settled = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settled
@given(scenarios(seconds=True), st.integers(0, 200 * HOUR))
def test_add_then_seconds_between_round_trips(scenario, seconds) -> None:
    hours, _, start = scenario
    due = hours.add(start, seconds)
    assert due >= start
    assert hours.seconds_between(start, due) == seconds
    if seconds:  # the earliest such moment: the second before it was working time
        assert hours.is_open(due - timedelta(seconds=1))
    else:
        assert hours.is_open(due) and hours.seconds_between(start, due) == 0


@settled
@given(scenarios(seconds=True), st.integers(0, 14 * 24 * HOUR))
def test_adding_the_time_worked_until_a_moment_reaches_no_further(scenario, seconds) -> None:
    """Often `end` is closed: the answer is then the end of the last interval
    before it (Friday 17:00), never the next opening (Monday 09:00)."""
    hours, _, start = scenario
    end = start + timedelta(seconds=seconds)
    worked = hours.seconds_between(start, end)
    due = hours.add(start, worked)
    if worked:  # (zero is due at the next opening, which may be after `end`)
        assert due <= end
        assert hours.seconds_between(due, end) == 0


@settled
@given(scenarios(seconds=True), st.integers(0, 30 * 24 * HOUR), st.integers(0, 30 * 24 * HOUR))
def test_seconds_between_adds_up_over_a_split(scenario, first, second) -> None:
    hours, _, start = scenario
    middle = start + timedelta(seconds=first)
    end = middle + timedelta(seconds=second)
    whole = hours.seconds_between(start, end)
    assert whole == hours.seconds_between(start, middle) + hours.seconds_between(middle, end)
    assert hours.seconds_between(end, start) == 0
    assert whole <= (end - start).total_seconds()


@settled
@given(scenarios(seconds=True), st.integers(0, 100 * HOUR), st.integers(0, 100 * HOUR),
       st.integers(0, 7 * 24 * HOUR))
def test_add_is_monotonic(scenario, seconds, more, later) -> None:
    hours, _, start = scenario
    assert hours.add(start, seconds) <= hours.add(start, seconds + more)
    assert hours.add(start, seconds) <= hours.add(start + timedelta(seconds=later), seconds)


@settled
@given(scenarios(seconds=True))
def test_next_open_is_open_and_nothing_is_skipped(scenario) -> None:
    hours, _, start = scenario
    opens = hours.next_open(start)
    assert opens >= start and hours.is_open(opens)
    assert hours.seconds_between(start, opens) == 0
    assert opens == start or not hours.is_open(start)
