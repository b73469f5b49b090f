"""Reading what an admin types into a settings form or sends to the API: text and
names, yes/no, amounts, whole numbers, dates and times, durations and
comma-separated lists.

The desk and the API send the same values (the desk as form strings, the API as
JSON), so each reader takes both. Every refusal is an InvalidInput naming the
field, which the form shows next to that field. Lookups of rows by what was typed
(a plan, a team, a calendar) stay in the apps that own them (the inputs modules
of sla and routing): core depends on no domain app.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from frontline.core.errors import InvalidInput

MAX_NAME = 200

# The days a date or a time typed by a person may fall on. Python's own range (years
# 1 to 9999) leaves no room: a report's day after "9999-12-31", a time zone's offset
# from "0001-01-01T00:00Z" or the business hours after either overflow into a 500.
# No support record is that old, nor planned that far ahead.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)

# A whole number longer than this is no count, id or amount anyone means, and
# int() of a long enough string costs quadratic time.
MAX_DIGITS = 30

_WHOLE = re.compile(r"[+-]?[0-9]+")

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def blank(value: Any) -> bool:
    """None, or a string of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def storable(found: str, field: str, label: str = "") -> str:
    """`found`, unless it holds a NUL: no person means one, and PostgreSQL refuses it
    in text (a 500 where SQLite would store it)."""
    if "\x00" in found:
        raise InvalidInput(f"{label or field.capitalize()} must not contain NUL characters.",
                           field=field)
    return found


def text(value: Any, field: str, *, max_length: int, required: bool = False,
         label: str = "") -> str:
    """Free text, trimmed; "" when empty unless `required`."""
    found = storable("" if value is None else str(value).strip(), field, label)
    if required and not found:
        raise InvalidInput(f"{label or field.capitalize()} is required.", field=field)
    if len(found) > max_length:
        raise InvalidInput(f"{label or field.capitalize()} is at most {max_length} characters.",
                           field=field)
    return found


def name(value: Any, field: str = "name", *, what: str, max_length: int = MAX_NAME) -> str:
    """A name on one line, its runs of spaces folded; `what` names the thing in the
    message ("A team needs a name.")."""
    found = storable(" ".join(str(value or "").split()), field, "The name")
    if not found:
        raise InvalidInput(f"{what} needs a name.", field=field)
    if len(found) > max_length:
        raise InvalidInput(f"The name is longer than {max_length} characters.", field=field)
    return found


def whole_number(value: Any) -> int | None:
    """`value` as a whole number: an int, or a string of ASCII digits with an optional
    sign (spaces around it allowed); None for anything else, including a bool.

    The one reading of numbers typed as text, for ids and counts alike. str.isdigit()
    is true for a superscript two and for an Arabic-Indic one, which int() refuses or
    reads as a number the person did not see as one; int() also takes "1_000".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    found = value.strip()
    if len(found) > MAX_DIGITS + 1 or not _WHOLE.fullmatch(found):
        return None
    return int(found)


def boolean(value: Any, field: str) -> bool:
    """A checkbox or a JSON boolean: true, 1, "on", "yes", "true" (and their
    opposites). Anything else is refused, not read as no: "maybe" is a typo."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
        return True
    if isinstance(value, str) and value.strip().lower() in FALSE_WORDS:
        return False
    raise InvalidInput(f"'{value}' is not yes or no.", field=field)


def money(value: Any, field: str, *, label: str, max_digits: int = 10) -> Decimal | None:
    """An amount to the cent, or None when empty; `max_digits` is the column's."""
    if blank(value):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{label} must be an amount, e.g. 250 or 99.50.", field=field) from None
    if not amount.is_finite():
        raise InvalidInput(f"{label} must be an amount, e.g. 250 or 99.50.", field=field)
    if amount < 0:
        raise InvalidInput(f"{label} cannot be negative.", field=field)
    # Before quantize: "1e30" to the cent is more digits than Decimal's context
    # holds (InvalidOperation, a 500).
    if amount.adjusted() >= max_digits - 2:
        raise InvalidInput(f"{label} is too large.", field=field)
    amount = amount.quantize(Decimal("0.01"))
    if len(amount.as_tuple().digits) > max_digits:
        raise InvalidInput(f"{label} is too large.", field=field)
    return amount


def whole(value: Any, field: str, *, label: str, low: int, high: int,
          optional: bool = False) -> int | None:
    """A whole number from `low` to `high`; None when empty and `optional`."""
    if blank(value):
        if optional:
            return None
        raise InvalidInput(f"{label} is required.", field=field)
    number = whole_number(value)
    if number is None:
        raise InvalidInput(f"{label} must be a whole number.", field=field)
    if not low <= number <= high:
        raise InvalidInput(f"{label} must be between {low} and {high}.", field=field)
    return number


def day(value: Any, field: str, *, label: str) -> date | None:
    """A date (YYYY-MM-DD) from EARLIEST_DAY to LATEST_DAY, or None when empty.

    Only the extended ISO form is read: date.fromisoformat also takes "20250301" and
    "2025-W09-6", and pydantic a bare number as seconds since 1970 ("0" was read
    as 1970-01-01), none of which a person means by a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise InvalidInput(f"{label} must be a date (YYYY-MM-DD), not a time.", field=field)
    if isinstance(value, date):
        found = value
    elif isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            found = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{label} is not a day of the calendar.", field=field) from None
    else:
        raise InvalidInput(f"{label} must be a date (YYYY-MM-DD).", field=field)
    if not EARLIEST_DAY <= found <= LATEST_DAY:
        raise InvalidInput(f"{label} must be between {EARLIEST_DAY} and {LATEST_DAY}.",
                           field=field)
    return found


def moment(value: Any, field: str, *, label: str, naive: bool = False) -> datetime | None:
    """A time with its time zone (ISO 8601, e.g. 2025-01-31T09:00:00Z), on a day from
    EARLIEST_DAY to LATEST_DAY; None when empty. A time without a zone is refused
    (whose nine o'clock it means cannot be guessed) unless `naive`, where the caller
    says which zone it is read in."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, str) and _MOMENT.fullmatch(value.strip()):
        try:
            found = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{label} is not a time of the calendar.", field=field) from None
    else:
        raise InvalidInput(f"{label} must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z.",
                           field=field)
    zoned = found.tzinfo is not None and found.utcoffset() is not None
    if not zoned and not naive:
        raise InvalidInput(f"{label} needs a time zone, e.g. 2025-01-31T09:00:00Z.", field=field)
    # The local day is checked before the conversion, which would overflow at the
    # ends of Python's range; checked in UTC too, every time zone's local time of
    # an accepted moment exists.
    if not (EARLIEST_DAY <= found.date() <= LATEST_DAY
            and EARLIEST_DAY <= (found.astimezone(UTC) if zoned else found).date() <= LATEST_DAY):
        raise InvalidInput(f"{label} must be between {EARLIEST_DAY} and {LATEST_DAY}.",
                           field=field)
    return found


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?"
                     r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?")

_DURATION = re.compile(
    r"^(?:(?P<h>[0-9]{1,6})\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>[0-9]{1,9})\s*m(?:in(?:utes?)?)?)?$")


def duration(value: Any, field: str, *, label: str) -> int | None:
    """Minutes from what an admin types: "24h", "2h 30m", "90m", "1:30", or a bare
    number of minutes. Empty is None (no target). The sla app's hours_text writes
    durations back in the same short form (format_duration)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    found = str(value).strip().lower()
    if not found:
        return None
    number = whole_number(found)
    if number is not None and number >= 0:
        return number
    clock = re.fullmatch(r"([0-9]{1,6}):([0-5][0-9])", found)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    match = _DURATION.match(found)
    if match is None or not (match.group("h") or match.group("m")):
        raise InvalidInput(f"{label} must be a duration such as 24h, 2h 30m or 90m.",
                           field=field)
    return int(match.group("h") or 0) * 60 + int(match.group("m") or 0)


def split_list(value: Any) -> list[str]:
    """'install, setup' or ['install', 'setup'] -> ['install', 'setup'], in order, once each."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    seen: dict[str, str] = {}
    for item in items:
        found = " ".join(str(item).split())
        if found and found.lower() not in seen:
            seen[found.lower()] = found
    return list(seen.values())
