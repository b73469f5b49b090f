"""Reading what an admin types into a settings form or sends to the API: text and
names, yes/no, amounts, whole numbers, dates, durations and comma-separated lists.

The desk and the API send the same values (the desk as form strings, the API as
JSON), so each reader takes both. Every refusal is an InvalidInput naming the
field, which the form shows next to that field. Lookups of rows by what was typed
(a plan, a team, a calendar) stay in the apps that own them (the inputs modules
of sla and routing): core depends on no domain app.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from frontline.core.errors import InvalidInput

MAX_NAME = 200

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def blank(value: Any) -> bool:
    """None, or a string of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, field: str, *, max_length: int, required: bool = False,
         label: str = "") -> str:
    """Free text, trimmed; "" when empty unless `required`."""
    found = "" if value is None else str(value).strip()
    if required and not found:
        raise InvalidInput(f"{label or field.capitalize()} is required.", field=field)
    if len(found) > max_length:
        raise InvalidInput(f"{label or field.capitalize()} is at most {max_length} characters.",
                           field=field)
    return found


def name(value: Any, field: str = "name", *, what: str, max_length: int = MAX_NAME) -> str:
    """A name on one line, its runs of spaces folded; `what` names the thing in the
    message ("A team needs a name.")."""
    found = " ".join(str(value or "").split())
    if not found:
        raise InvalidInput(f"{what} needs a name.", field=field)
    if len(found) > max_length:
        raise InvalidInput(f"The name is longer than {max_length} characters.", field=field)
    return found


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
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"{label} cannot be negative.", field=field)
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
    if isinstance(value, bool):
        raise InvalidInput(f"{label} must be a whole number.", field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput(f"{label} must be a whole number.", field=field) from None
    if not low <= number <= high:
        raise InvalidInput(f"{label} must be between {low} and {high}.", field=field)
    return number


def day(value: Any, field: str, *, label: str) -> date | None:
    """A date (YYYY-MM-DD), or None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{label} must be a date (YYYY-MM-DD).", field=field) from None


_DURATION = re.compile(
    r"^(?:(?P<h>\d+)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:utes?)?)?)?$")


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
    if found.isdigit():
        return int(found)
    clock = re.fullmatch(r"(\d+):([0-5]\d)", found)
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
