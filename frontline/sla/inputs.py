"""Finding what an admin named in a plan, a policy or a calendar: plans,
priorities, calendars and policies by id, slug or name. Each refusal is an
InvalidInput (or NotFound) naming the field, so the form can show it next to that
field. Plain values (text, yes/no, amounts, numbers, dates) are read by
frontline.core.inputs."""

from __future__ import annotations

from typing import Any

from frontline.core.errors import InvalidInput, NotFound
from frontline.core.inputs import whole
from frontline.customers.models import Plan
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.tickets.models import Priority


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

