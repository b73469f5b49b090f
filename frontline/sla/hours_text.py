"""Working hours and durations as admins write them, and back.

Weekly hours: "Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00; Sun 22:00-06:00"
(parse_hours, format_hours, weekly_minutes). Durations of targets and rules as
forms show them, "2h 30m" (format_duration; frontline.core.inputs.duration reads
them back), and the spoken form for sentences ("2 hours 30 minutes"). Pure text:
what the hours mean on a calendar (holidays, time zones, daylight saving) is
frontline.sla.businesstime.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from frontline.core.errors import InvalidInput
from frontline.sla.models import WorkingInterval

# -- weekly hours: "Mon-Fri 09:00-17:00; Sat 10:00-14:00" ----------------------------

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = {
    **{d.lower(): i for i, d in enumerate(DAYS)},
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    "tues": 1, "wednes": 2, "thur": 3, "thurs": 3,
}
_WHOLE_WEEK = {"daily": list(range(7)), "every day": list(range(7)), "mon-sun": list(range(7)),
               "weekdays": list(range(5)), "weekends": [5, 6]}
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
MIDNIGHT = time(0, 0)


@dataclass(frozen=True, order=True)
class Hours:
    """One working interval: `end` at or before `start` runs past midnight;
    00:00-00:00 is the whole day."""

    weekday: int
    start: time
    end: time

    @property
    def minutes(self) -> tuple[int, int]:
        """Start and end as minutes of the week (the end may pass into the next week)."""
        start = self.weekday * 1440 + self.start.hour * 60 + self.start.minute
        length = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60
                                                             + self.start.minute)
        return start, start + (length if length > 0 else length + 1440)


def _clock_time(text: str, *, end: bool) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise InvalidInput(f"'{text}' is not a time of day (write 09:00).", field="hours")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if end and hour == 24 and minute == 0:
        return MIDNIGHT
    if hour > 23 or minute > 59:
        raise InvalidInput(f"'{text}' is not a time of day (00:00 to 24:00).", field="hours")
    return time(hour, minute)


def _weekdays(text: str) -> list[int]:
    spec = text.strip().lower()
    if spec in _WHOLE_WEEK:
        return _WHOLE_WEEK[spec]
    days: list[int] = []
    for part in re.split(r"\s*,\s*", spec):
        first, dash, last = part.partition("-")
        if first.strip() not in _DAY_NAMES or (dash and last.strip() not in _DAY_NAMES):
            raise InvalidInput(f"'{part}' is not a day or a range of days (write Mon-Fri, "
                               "Sat, or Mon,Wed).", field="hours")
        start = _DAY_NAMES[first.strip()]
        stop = _DAY_NAMES[last.strip()] if dash else start
        day = start
        while True:  # a range may wrap around the week: Fri-Mon
            if day not in days:
                days.append(day)
            if day == stop:
                break
            day = (day + 1) % 7
    return days


def parse_hours(text: str) -> list[Hours]:
    """Weekly hours as people write them: "Mon-Fri 09:00-17:00; Sat 10:00-14:00;
    Sun 22:00-06:00". Parts are separated by ';' or new lines; a part is days then
    one or more time ranges separated by ','. 24:00 ends a day; "00:00-24:00" is the
    whole day; an end before the start runs past midnight. Raises InvalidInput
    (field "hours") saying which part is wrong."""
    found: list[Hours] = []
    for part in re.split(r"[;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.match(r"^(?P<days>.*?)\s+(?P<ranges>\d.*)$", part)
        if match is None:
            raise InvalidInput(f"'{part}' needs days and hours, e.g. 'Mon-Fri 09:00-17:00'.",
                               field="hours")
        days = _weekdays(match.group("days"))
        for span in re.split(r"\s*,\s*", match.group("ranges").strip()):
            start_text, dash, end_text = span.partition("-")
            if not dash:
                raise InvalidInput(f"'{span}' is not a range of hours (write 09:00-17:00).",
                                   field="hours")
            start = _clock_time(start_text, end=False)
            end = _clock_time(end_text, end=True)
            if start == end and start != MIDNIGHT:
                raise InvalidInput(f"'{span}' starts and ends at the same time; for the "
                                   "whole day write 00:00-24:00.", field="hours")
            found.extend(Hours(day, start, end) for day in days)
    found.sort()
    check_no_overlap(found)
    return found


def check_no_overlap(hours: list[Hours]) -> None:
    """InvalidInput (field "hours") naming the first two intervals that overlap, across
    the end of the week too (Sun 22:00-06:00 runs into Monday)."""
    week = 7 * 1440
    spans = sorted((h.minutes, h) for h in hours)
    for ((_, end), first), ((start, _), second) in itertools.pairwise(spans):
        if start < end:
            raise InvalidInput(f"{format_hours([first])} overlaps {format_hours([second])}.",
                               field="hours")
    if spans:
        (_, last_end), last = spans[-1]
        (first_start, _), first = spans[0]
        if last_end > week and first_start < last_end - week:
            raise InvalidInput(f"{format_hours([last])} overlaps {format_hours([first])}.",
                               field="hours")


def range_text(hours: Hours) -> str:
    end = "24:00" if hours.end == MIDNIGHT else f"{hours.end:%H:%M}"
    return f"{hours.start:%H:%M}-{end}"


def format_hours(hours: Iterable[Hours | WorkingInterval]) -> str:
    """The text parse_hours reads back: days with the same hours are grouped into
    ranges ("Mon-Fri 09:00-17:00; Sat 10:00-14:00")."""
    by_day: dict[int, list[str]] = {}
    for item in sorted(Hours(h.weekday, h.start, h.end) for h in hours):
        by_day.setdefault(item.weekday, []).append(range_text(item))
    parts: list[str] = []
    day = 0
    while day < 7:
        if day not in by_day:
            day += 1
            continue
        ranges = by_day[day]
        last = day
        while last + 1 < 7 and by_day.get(last + 1) == ranges:
            last += 1
        days = DAYS[day] if last == day else f"{DAYS[day]}-{DAYS[last]}"
        parts.append(f"{days} {', '.join(ranges)}")
        day = last + 1
    return "; ".join(parts)


def weekly_minutes(hours: Iterable[Hours | WorkingInterval]) -> int:
    """Working minutes in a week without holidays (for "40 hours a week")."""
    total = 0
    for item in hours:
        start, end = Hours(item.weekday, item.start, item.end).minutes
        total += end - start
    return total


# -- durations: "24h", "2h 30m" --------------------------------------------------------


def format_duration(minutes: int | None) -> str:
    """The short form frontline.core.inputs.duration reads back: 150 is "2h 30m",
    45 is "45m"; "" for none."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h" + (f" {rest}m" if rest else "")


def spoken_duration(minutes: int) -> str:
    """ "2 hours 30 minutes", "1 hour 1 minute": a duration in a sentence."""
    hours, rest = divmod(minutes, 60)
    spoken_minutes = f"{rest} minute{'s' if rest != 1 else ''}"
    if not hours:
        return spoken_minutes
    spoken_hours = f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{spoken_hours} {spoken_minutes}" if rest else spoken_hours
