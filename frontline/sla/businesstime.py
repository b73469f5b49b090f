"""Business-time arithmetic on a calendar: add N working seconds to a moment,
count the working seconds between two moments.

INTERFACE (implemented by the business-time work; see tests/sla/):

    hours = BusinessHours.for_calendar(calendar)   # cached per calendar version
    hours = BusinessHours.around_the_clock()       # calendar time, no calendar
    hours.add(start: datetime, seconds: int) -> datetime     # aware datetimes in, UTC out
    hours.seconds_between(start: datetime, end: datetime) -> int
    hours.is_open(at: datetime) -> bool
    hours.tz -> ZoneInfo
"""
