"""Reading what an admin typed into a plan, a policy, a calendar or the cost
settings: text, yes/no, amounts, whole numbers, dates, and references to plans,
priorities, calendars and policies (by id, slug or name). The desk and the
API send the same values; each refusal is an InvalidInput (or NotFound) naming
the field, so the form can show it next to that field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from frontline.core.errors import InvalidInput, NotFound
from frontline.customers.models import Plan
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.tickets.models import Priority

# -- values -----------------------------------------------------------------------------


def text(value: Any, field: str, *, max_length: int, required: bool = False,
         label: str = "") -> str:
    found = "" if value is None else str(value).strip()
    if required and not found:
        raise InvalidInput(f"{label or field.capitalize()} is required.", field=field)
    if len(found) > max_length:
        raise InvalidInput(f"{label or field.capitalize()} is at most {max_length} characters.",
                           field=field)
    return found


def flag(value: Any) -> bool:
    """A checkbox or a JSON boolean: "on", "true", "1", "yes" are true."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def money(value: Any, field: str, *, label: str, max_digits: int = 10) -> Decimal | None:
    """An amount to the cent, or None when empty; `max_digits` is the column's."""
    if value is None or (isinstance(value, str) and not value.strip()):
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
    if value is None or (isinstance(value, str) and not value.strip()):
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


# -- references -------------------------------------------------------------------------


def find_plan(value: Plan | int | str | None, *, field: str = "plan") -> Plan:
    """A plan by object, id or slug (or name); NotFound naming `field` otherwise."""
    if isinstance(value, Plan):
        return value
    plan = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        plan = Plan.objects.filter(pk=int(value)).first()
    if plan is None and isinstance(value, str) and value.strip():
        plan = (Plan.objects.filter(slug=value.strip().lower()).first()
                or Plan.objects.filter(name__iexact=value.strip()).first())
    if plan is None:
        raise NotFound(f"There is no plan '{value}'.", field=field)
    return plan


def find_priority(value: Any, *, field: str = "priority") -> int | None:
    """None (every priority), a Priority value, or its name ("urgent")."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "any")):
        return None
    if isinstance(value, str) and not value.strip().isdigit():
        found = Priority.from_name(value.strip())
        if found is None:
            raise InvalidInput(f"No priority '{value}' (low, normal, high, urgent, or empty "
                               "for any).", field=field)
        return int(found)
    number = whole(value, field, label="The priority", low=1, high=4)
    return number


def find_calendar(value: BusinessCalendar | int | str | None, *,
                  field: str = "calendar") -> BusinessCalendar | None:
    """A calendar by object, id or name; None when empty (around the clock)."""
    if isinstance(value, BusinessCalendar):
        return value
    if value is None or value == "":
        return None
    calendar = None
    if isinstance(value, int) or str(value).strip().isdigit():
        calendar = BusinessCalendar.objects.filter(pk=int(value)).first()
    calendar = calendar or BusinessCalendar.objects.filter(name__iexact=str(value).strip()).first()
    if calendar is None:
        raise NotFound(f"There is no calendar '{value}'.", field=field)
    return calendar


def find_policy(value: int | str) -> SlaPolicy:
    policy = None
    if isinstance(value, int) or str(value).strip().isdigit():
        policy = (SlaPolicy.objects.select_related("plan", "calendar", "move_to_team")
                  .filter(pk=int(value)).first())
    if policy is None:
        raise NotFound(f"There is no SLA policy {value}.")
    return policy

