"""Business-time arithmetic on a calendar: add N working seconds to a moment,
count the working seconds between two moments.

    hours = BusinessHours.for_calendar(calendar)   # cached per calendar (see clear_cache)
    hours = BusinessHours.around_the_clock()       # calendar time, 24x7
    hours.add(start, seconds) -> datetime          # aware in, aware UTC out
    hours.seconds_between(start, end) -> int       # working seconds in [start, end)
    hours.is_open(at) -> bool
    hours.next_open(at) -> datetime                # aware UTC
    hours.tz -> ZoneInfo

What counts as working time, decided here once:

- Working intervals are wall-clock times in the calendar's timezone, starting
  on a weekday. An interval whose end is not after its start ends on the next
  day (22:00-06:00); 00:00-00:00 is the whole day. Overlapping or touching
  intervals count once (they are merged).
- A public holiday or a closed day closes the intervals that START on that
  date. A night shift that starts the evening before a holiday still runs into
  the holiday morning; a shift that starts on the holiday's evening does not
  run, even the part after midnight. One rule, the same as the weekday rule:
  an interval belongs to the day it starts on.
- Daylight saving: an interval runs from its wall-clock start to its wall-clock
  end, and counts the real seconds between those two instants, so 01:00-05:00
  on the night clocks go forward is 3 hours of work and on the night they go
  back 5 hours. A wall time that does not exist or exists twice is read with
  fold=0 (Python's rule: the offset in force before the change): a start of
  02:30 on the spring-forward night in Berlin is 03:30 summer time; on the
  fall-back night it is the first 02:30.
- `add(start, s)` with s > 0 is the earliest moment at which s working seconds
  have passed since `start`: a target that uses up Friday's last minute is due
  Friday 17:00, not Monday 09:00. `add(start, 0)` is `start` when the calendar
  is open then, otherwise the next moment it opens (a zero target is due when
  work can start). Negative seconds are refused.
- `seconds_between` counts whole working seconds (rounded down) in
  [start, end); it is 0 when end <= start. For whole-second moments,
  `seconds_between(start, add(start, s)) == s`.

How it is fast: per calendar the open intervals are laid out once as sorted
lists of UTC microseconds with a running total of working time, built a few
years at a time and extended when a moment outside them is asked for. Every
question is then one or two binary searches, however long the target: a
five-business-day target costs the same as a two-hour one. Tables are replaced
whole, never edited, so threads sharing a cached calendar need no lock.
"""

from __future__ import annotations

import time as _time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package
from django.db.models.signals import post_delete, post_save

from frontline.core.errors import InvalidInput
from frontline.sla.holiday_places import holiday_place

if TYPE_CHECKING:
    from frontline.sla.models import BusinessCalendar

MICROSECONDS = 1_000_000
DAY_US = 86_400 * MICROSECONDS
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
UTC_ZONE = ZoneInfo("UTC")

# A target may not end further than this after its start, and one table never
# spans more years than MAX_TABLE_YEARS (a moment far away starts a new table).
MAX_TARGET_YEARS = 25
MAX_TABLE_YEARS = 60
# How long another process's edit of a calendar can go unseen (this process's
# settings pages call clear_cache() and are seen at once).
CACHE_SECONDS = 30.0

# (weekday 0 = Monday, start, end) as in WorkingInterval.
IntervalRow = tuple[int, time, time]


def _wall_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * MICROSECONDS \
        + value.microsecond


def _to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact, unlike timestamp())."""
    if moment.tzinfo is None:
        raise ValueError(f"business time needs an aware datetime, got {moment!r}")
    return (moment - EPOCH) // ONE_US


def _from_us(value: int) -> datetime:
    # Exact (integer microseconds), and twice as fast as fromtimestamp + replace.
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True, slots=True)
class _Table:
    """Open intervals in UTC microseconds, merged and sorted, for the intervals
    starting on local dates first_date..last_date. Answers are right for moments
    in [valid_from, valid_until)."""

    first_year: int
    last_year: int
    valid_from: int
    valid_until: int
    starts: list[int]
    ends: list[int]
    before: list[int]   # working microseconds in the table before interval i
    after: list[int]    # ... up to the end of interval i (before[i] + length)

    def covers(self, moment: int) -> bool:
        return self.valid_from <= moment < self.valid_until

    def worked(self, moment: int) -> int:
        """Working microseconds from the table's start up to `moment`."""
        i = bisect_right(self.starts, moment) - 1
        if i < 0:
            return 0
        if moment >= self.ends[i]:
            return self.after[i]
        return self.before[i] + moment - self.starts[i]


class BusinessHours:
    """Working time of one calendar (or around the clock), answering in UTC."""

    tz: ZoneInfo

    def __init__(self, *, timezone: str = "UTC", intervals: Iterable[IntervalRow] = (),
                 holiday_country: str = "", holiday_subdivision: str = "",
                 closed_days: Iterable[date] = (), name: str = "",
                 always_open: bool = False) -> None:
        try:
            self.tz = ZoneInfo(timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"Unknown timezone “{timezone}”.", field="timezone") from None
        self.name = name or ("around the clock" if always_open else "unnamed calendar")
        self.always_open = always_open
        # Per weekday: (start, end) in wall microseconds after that day's midnight;
        # end may pass midnight (up to 24 h after the start).
        self._weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for weekday, start, end in intervals:
            if not 0 <= weekday <= 6:
                raise InvalidInput(f"Weekday {weekday} is not 0 (Monday) to 6 (Sunday).",
                                   field="weekday")
            start_us, end_us = _wall_us(start), _wall_us(end)
            if end_us <= start_us:
                end_us += DAY_US
            self._weekly[weekday].append((start_us, end_us))
        for day in self._weekly:
            day.sort()
        self._has_hours = always_open or any(self._weekly)
        self._closed = frozenset(closed_days)
        # A place the `holidays` package does not know is refused here rather than on
        # the first question; its codes are read the way the calendar form reads them.
        self._holiday_country, self._holiday_subdivision = (
            holiday_place(holiday_country, holiday_subdivision) if holiday_country
            else ("", holiday_subdivision))
        self._holiday_years: dict[int, frozenset[date]] = {}
        self._table: _Table | None = None

    # -- construction ---------------------------------------------------------

    @classmethod
    def around_the_clock(cls) -> BusinessHours:
        """Calendar time: every second counts (policies without a calendar)."""
        return _AROUND_THE_CLOCK

    @classmethod
    def for_calendar(cls, calendar: BusinessCalendar | None) -> BusinessHours:
        """The hours of a BusinessCalendar, built once and cached per process.

        None (a policy without a calendar) is around the clock. A cached entry
        is used while the calendar's own fields are unchanged and it is younger
        than CACHE_SECONDS; then its rows are read again (two queries) and the
        built tables kept if nothing changed. ORM saves and deletes of a
        calendar, its intervals and closed days drop its entry at once (see
        _forget_calendar); after bulk writes or raw SQL call clear_cache().
        """
        if calendar is None:
            return _AROUND_THE_CLOCK
        key = (calendar.timezone, calendar.holiday_country, calendar.holiday_subdivision,
               calendar.name)
        if calendar.pk is None:
            return cls(timezone=key[0], holiday_country=key[1], holiday_subdivision=key[2],
                       name=key[3])
        now = _time.monotonic()
        entry = _cache.get(calendar.pk)
        if entry is not None and entry.key == key and now - entry.loaded < CACHE_SECONDS:
            return entry.hours
        rows = _calendar_rows(calendar.pk)
        if entry is not None and entry.key == key and entry.rows == rows:
            entry.loaded = now
            return entry.hours
        hours = cls(timezone=calendar.timezone, intervals=rows[0],
                    holiday_country=calendar.holiday_country,
                    holiday_subdivision=calendar.holiday_subdivision,
                    closed_days=rows[1], name=calendar.name)
        _cache[calendar.pk] = _CacheEntry(key=key, rows=rows, hours=hours, loaded=now)
        return hours

    # -- questions --------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether `at` is working time (intervals are half-open: 17:00 is closed)."""
        if self.always_open:
            return True
        moment = _to_us(at)
        table = self._table_for(moment)
        i = bisect_right(table.starts, moment) - 1
        return i >= 0 and moment < table.ends[i]

    def next_open(self, at: datetime) -> datetime:
        """`at` itself (in UTC) when open, else the next moment working time starts."""
        if self.always_open:
            return at.astimezone(UTC)
        self._require_hours()
        moment = _to_us(at)
        table = self._table_for(moment)
        while True:
            i = bisect_right(table.starts, moment) - 1
            if i >= 0 and moment < table.ends[i]:
                return _from_us(moment)
            if i + 1 < len(table.starts) and table.starts[i + 1] < table.valid_until:
                return _from_us(table.starts[i + 1])
            # Closed for the rest of the table (closed days, holidays): look further.
            table = self._extended(table, moment, table.last_year - table.first_year + 1,
                                   lambda: InvalidInput(
                                       f"The business calendar “{self.name}” has no working "
                                       f"time in the next {MAX_TARGET_YEARS} years.",
                                       field="intervals"))

    def seconds_between(self, start: datetime, end: datetime) -> int:
        """Whole working seconds in [start, end); 0 when end <= start."""
        first, last = _to_us(start), _to_us(end)
        if last <= first:
            return 0
        if self.always_open:
            return (last - first) // MICROSECONDS
        table = self._table_for(first, last)
        return (table.worked(last) - table.worked(first)) // MICROSECONDS

    def add(self, start: datetime, seconds: int) -> datetime:
        """The moment (UTC) when `seconds` working seconds after `start` have passed."""
        if seconds < 0:
            raise InvalidInput("A business-time target cannot be negative.", field="seconds")
        if seconds == 0:
            return self.next_open(start)
        origin = _to_us(start)
        amount = int(seconds * MICROSECONDS)
        if self.always_open:
            return _from_us(origin + amount)
        self._require_hours()
        table = self._table
        if table is None or not table.valid_from <= origin < table.valid_until:
            table = self._table_for(origin)
        target = table.worked(origin) + amount
        while True:
            j = bisect_left(table.after, target)
            if j < len(table.after):
                result = table.starts[j] + target - table.before[j]
                if result < table.valid_until:
                    return _from_us(result)
            # Past the table: extend it by about as many years as the rest needs.
            worked_in_table = table.worked(table.valid_until)
            per_year = max(worked_in_table // (table.last_year - table.first_year + 1), 1)
            before = table.worked(origin)
            table = self._extended(table, origin, (target - worked_in_table) // per_year + 1,
                                   lambda: self._too_far(seconds))
            target = table.worked(origin) + (target - before)

    # -- internals ----------------------------------------------------------------

    def _require_hours(self) -> None:
        if not self._has_hours:
            raise InvalidInput(
                f"The business calendar “{self.name}” has no working hours: add working "
                f"intervals before using it for targets.", field="intervals")

    def _too_far(self, seconds: int) -> InvalidInput:
        return InvalidInput(
            f"A target of {seconds / 3600:g} business hours on “{self.name}” would end more "
            f"than {MAX_TARGET_YEARS} years ahead: check the calendar's working hours, "
            f"holidays and closed days.", field="seconds")

    def _extended(self, table: _Table, origin: int, years: int,
                  too_far: Callable[[], InvalidInput]) -> _Table:
        """`table` with `years` more years at its end, never reaching further than
        MAX_TARGET_YEARS after `origin` (then `too_far()` is raised): a search
        for working time always ends."""
        limit_year = _year_of(origin, self.tz) + MAX_TARGET_YEARS
        if table.last_year >= limit_year:
            raise too_far()
        return self._build(table.first_year, min(table.last_year + max(years, 1), limit_year))

    def _table_for(self, first: int, last: int | None = None) -> _Table:
        table = self._table
        if table is not None and table.covers(first) and (last is None or table.covers(last)):
            return table
        first_year = _year_of(first, self.tz) - 1
        last_year = _year_of(first if last is None else last, self.tz) + 1
        if last_year - first_year + 1 > MAX_TABLE_YEARS:
            raise InvalidInput(f"Business time over more than {MAX_TABLE_YEARS - 2} years "
                               f"is not counted.", field="end")
        if table is not None and max(last_year, table.last_year) - min(
                first_year, table.first_year) < MAX_TABLE_YEARS:
            first_year = min(first_year, table.first_year)
            last_year = max(last_year, table.last_year)
        return self._build(first_year, last_year)

    def _build(self, first_year: int, last_year: int) -> _Table:
        if first_year < 2 or last_year > 9997:
            raise InvalidInput("That moment is out of the range business time is counted in.",
                               field="start")
        tz = self.tz
        first_date = date(first_year, 1, 1) - timedelta(days=2)
        last_date = date(last_year, 12, 31)
        closed = self._closed | self._holidays(first_year - 1, last_year)
        spans: list[tuple[int, int]] = []
        day = first_date
        one_day = timedelta(days=1)
        while day <= last_date:
            pattern = self._weekly[day.weekday()]
            if pattern and day not in closed:
                for start_wall, end_wall in pattern:
                    start = _local_us(day, start_wall, tz)
                    end = _local_us(day, end_wall, tz)
                    if end > start:
                        spans.append((start, end))
            day += one_day
        spans.sort()
        starts: list[int] = []
        ends: list[int] = []
        for start, end in spans:
            if ends and start <= ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        before: list[int] = []
        after: list[int] = []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            before.append(total)
            total += end - start
            after.append(total)
        table = _Table(
            first_year=first_year, last_year=last_year,
            valid_from=_local_us(date(first_year, 1, 1), 0, tz),
            valid_until=_local_us(last_date, 0, tz),
            starts=starts, ends=ends, before=before, after=after)
        self._table = table
        return table

    def _holidays(self, first_year: int, last_year: int) -> frozenset[date]:
        if not self._holiday_country:
            return frozenset()
        missing = [y for y in range(first_year, last_year + 1) if y not in self._holiday_years]
        if missing:
            found = holidays_package.country_holidays(
                self._holiday_country, subdiv=self._holiday_subdivision or None, years=missing)
            by_year: dict[int, set[date]] = {y: set() for y in missing}
            for day in found:
                by_year.setdefault(day.year, set()).add(day)
            for year, days in by_year.items():
                self._holiday_years[year] = self._holiday_years.get(year, frozenset()) | days
        result: set[date] = set()
        for year in range(first_year, last_year + 1):
            result |= self._holiday_years[year]
        return frozenset(result)

    def __repr__(self) -> str:
        return f"<BusinessHours {self.name} ({self.tz.key})>"


def _local_us(day: date, wall: int, tz: ZoneInfo) -> int:
    """UTC microseconds of wall time `wall` (microseconds, may pass midnight)
    after the local midnight starting `day`; fold=0 for gaps and repeats."""
    days, rest = divmod(wall, DAY_US)
    if days:
        day += timedelta(days=days)
    seconds, micro = divmod(rest, MICROSECONDS)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    local = datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz)
    return (local - EPOCH) // ONE_US


def _year_of(moment: int, tz: ZoneInfo) -> int:
    return _from_us(moment).astimezone(tz).year


@dataclass(slots=True)
class _CacheEntry:
    key: tuple[str, str, str, str]
    rows: tuple[tuple[IntervalRow, ...], tuple[date, ...]]
    hours: BusinessHours
    loaded: float


_cache: dict[int, _CacheEntry] = {}
_AROUND_THE_CLOCK = BusinessHours(always_open=True)


def clear_cache(calendar_id: int | None = None) -> None:
    """Forget the cached hours of one calendar (or all): call after editing a
    calendar's intervals, holidays or closed days."""
    if calendar_id is None:
        _cache.clear()
    else:
        _cache.pop(calendar_id, None)


def recheck_cache() -> None:
    """Have every cached calendar's rows read again on its next use (two queries),
    keeping its built tables when they did not change: for work that must see
    another process's edit at once (a recompute task, frontline.sla.recompute)."""
    for entry in _cache.values():
        entry.loaded = float("-inf")


def _calendar_rows(calendar_id: int) -> tuple[tuple[IntervalRow, ...], tuple[date, ...]]:
    from frontline.sla.models import ClosedDay, WorkingInterval

    intervals = tuple(WorkingInterval.objects.filter(calendar_id=calendar_id)
                      .order_by("weekday", "start", "end")
                      .values_list("weekday", "start", "end"))
    closed = tuple(ClosedDay.objects.filter(calendar_id=calendar_id).order_by("date")
                   .values_list("date", flat=True))
    return intervals, closed


def _forget_calendar(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Drop the cache entry of an edited calendar. Saves and deletes through the
    ORM are seen here; bulk operations are not (call clear_cache), and other
    processes see edits after CACHE_SECONDS."""
    clear_cache(getattr(instance, "calendar_id", None) or instance.pk)


for _signal in (post_save, post_delete):
    for _model in ("sla.BusinessCalendar", "sla.WorkingInterval", "sla.ClosedDay"):
        _signal.connect(_forget_calendar, sender=_model, weak=False,
                        dispatch_uid=f"businesstime-{_signal is post_save}-{_model}")
