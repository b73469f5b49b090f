"""Where a business calendar is: the countries and regions whose public holidays
the `holidays` package knows, the time zone names, and the days off coming up on a
calendar (public holidays and its own closed days). Only the codes are stored on
the calendar (BusinessCalendar.holiday_country/holiday_subdivision); the package
computes the holidays themselves, so a new year needs no data entry.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from frontline.core import inputs
from frontline.core.errors import InvalidInput
from frontline.sla.models import BusinessCalendar

# -- public holidays --------------------------------------------------------------------


@functools.cache
def holiday_countries() -> dict[str, str]:
    """ISO 3166 code -> country name, for every country the `holidays` package knows."""
    from holidays import list_supported_countries
    from holidays.registry import COUNTRIES

    names = {entry[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
             for entry in COUNTRIES.values()}
    return dict(sorted(((code, names.get(code, code))
                        for code in list_supported_countries() if len(code) == 2),
                       key=lambda item: item[1]))


@functools.cache
def holiday_subdivisions(country: str) -> dict[str, str]:
    """Subdivision code -> name ("BE" -> "Berlin") for a supported country."""
    import holidays

    if country not in holiday_countries():
        return {}
    codes = holidays.list_supported_countries().get(country, [])
    calendar = holidays.country_holidays(country)
    names: dict[str, str] = {}
    aliases = getattr(calendar, "get_subdivision_aliases", None)
    for code, alias in (aliases() if aliases else {}).items():
        if alias:
            names[code] = alias[0]
    return {code: names.get(code, code) for code in codes}


def holiday_place(country: Any, subdivision: Any) -> tuple[str, str]:
    """The country and region codes to store, from what an admin typed ("de", "Berlin"
    -> ("DE", "BE")); ("", "") for no public holidays. InvalidInput otherwise."""
    country_code = inputs.text(country, "holiday_country", max_length=3).upper()
    subdivision_text = inputs.text(subdivision, "holiday_subdivision", max_length=10)
    if not country_code:
        if subdivision_text:
            raise InvalidInput("A region needs its country.", field="holiday_country")
        return "", ""
    if country_code not in holiday_countries():
        raise InvalidInput(f"No public holidays are known for '{country_code}'; use a "
                           "two-letter country code such as DE or US.", field="holiday_country")
    if not subdivision_text:
        return country_code, ""
    known = holiday_subdivisions(country_code)
    for code in known:
        if code.lower() == subdivision_text.lower():
            return country_code, code
    for code, name in known.items():
        if name.lower() == subdivision_text.lower():
            return country_code, code
    listed = ", ".join(known) if known else "none"
    raise InvalidInput(f"{holiday_countries()[country_code]} has no region "
                       f"'{subdivision_text}' (regions: {listed}).",
                       field="holiday_subdivision")


@dataclass(frozen=True)
class DayOff:
    date: date
    name: str
    kind: str  # "holiday" (public) or "closed" (the calendar's own closed day)


def upcoming_days_off(calendar: BusinessCalendar, today: date, *, count: int = 8) -> list[DayOff]:
    """The next public holidays and closed days of a calendar, from `today` on."""
    found: list[DayOff] = []
    if calendar.holiday_country:
        import holidays

        public = holidays.country_holidays(
            calendar.holiday_country, subdiv=calendar.holiday_subdivision or None,
            years=[today.year, today.year + 1])
        found.extend(DayOff(day, name, "holiday") for day, name in public.items() if day >= today)
    found.extend(DayOff(day.date, day.name or "Closed", "closed")
                 for day in calendar.closed_days.filter(date__gte=today))
    found.sort(key=lambda day: (day.date, day.kind))
    return found[:count]


# -- time zones -------------------------------------------------------------------------


@functools.cache
def _timezone_names() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def timezone_names() -> list[str]:
    """Every IANA time zone name, for the calendar form."""
    return sorted(_timezone_names())


def is_timezone(name: str) -> bool:
    return name in _timezone_names()
