"""Business calendars: the weekly working hours, time zone, public holidays
(country and region) and closed days that SLA targets are counted in. Create,
change, delete, add and remove a closed day; admins only, the desk settings pages
and the API call these. What the hours mean in time (holidays, daylight saving)
is frontline.sla.businesstime.

A change to a calendar clears its business-time cache and recomputes the due
times of open tickets on the policies that count on it: in the same transaction
when they are few, else in range tasks the workers run once it commits
(frontline.sla.recompute).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput, InvalidTransition, NotFound
from frontline.core.models import User
from frontline.sla import businesstime, recompute
from frontline.sla import services as clock_services
from frontline.sla.holiday_places import holiday_place, is_timezone
from frontline.sla.hours_text import DAYS, Hours, parse_hours, range_text
from frontline.sla.models import BusinessCalendar, ClosedDay, SlaPolicy, WorkingInterval
from frontline.sla.policies import policy_name

CALENDAR_FIELDS = ("name", "timezone", "hours", "intervals", "holiday_country",
                   "holiday_subdivision", "description", "closed_days")


def _intervals_from(value: Any) -> list[Hours]:
    """Intervals given as a list of {weekday, start, end} (the API) instead of text."""
    text_parts = []
    for item in value or []:
        if isinstance(item, Hours):
            text_parts.append(f"{DAYS[item.weekday]} {range_text(item)}")
            continue
        weekday = item.get("weekday") if isinstance(item, dict) else None
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise InvalidInput("Each interval needs a weekday from 0 (Monday) to 6 (Sunday).",
                               field="intervals")
        start, end = item.get("start"), item.get("end")
        text_parts.append(f"{DAYS[weekday]} {start}-{end}")
    return parse_hours("; ".join(text_parts))


def _closed_days_from(value: Any) -> dict[date, str]:
    days: dict[date, str] = {}
    for item in value or []:
        if isinstance(item, dict):
            day = inputs.day(item.get("date"), "closed_days", label="A closed day")
            name = inputs.text(item.get("name"), "closed_days", max_length=100)
        else:
            day, name = inputs.day(item, "closed_days", label="A closed day"), ""
        if day is None:
            raise InvalidInput("A closed day needs a date.", field="closed_days")
        days[day] = name
    return days


def _apply_calendar(calendar: BusinessCalendar, changes: dict[str, Any]) -> tuple[
        list[Hours] | None, dict[date, str] | None]:
    unknown = set(changes) - set(CALENDAR_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    if "name" in changes:
        calendar.name = inputs.text(changes["name"], "name", max_length=100, required=True,
                                    label="A calendar's name")
        clash = BusinessCalendar.objects.filter(name__iexact=calendar.name).exclude(
            pk=calendar.pk)
        if clash.exists():
            raise InvalidInput(f"There is already a calendar named {calendar.name}.",
                               field="name")
    if "timezone" in changes:
        zone = inputs.text(changes["timezone"], "timezone", max_length=64) or "UTC"
        if not is_timezone(zone):
            raise InvalidInput(f"'{zone}' is not a time zone; use a name like Europe/Berlin.",
                               field="timezone")
        calendar.timezone = zone
    if "holiday_country" in changes or "holiday_subdivision" in changes:
        calendar.holiday_country, calendar.holiday_subdivision = holiday_place(
            changes.get("holiday_country", calendar.holiday_country),
            changes.get("holiday_subdivision",
                        "" if "holiday_country" in changes else calendar.holiday_subdivision))
    if "description" in changes:
        calendar.description = inputs.text(changes["description"], "description", max_length=5000)
    if "hours" in changes and "intervals" in changes and changes["intervals"] is not None:
        raise InvalidInput("Give the hours as text or as intervals, not both.", field="hours")
    hours = None
    if "hours" in changes:
        hours = parse_hours(changes["hours"] or "")
    elif "intervals" in changes:
        hours = _intervals_from(changes["intervals"])
    closed = _closed_days_from(changes["closed_days"]) if "closed_days" in changes else None
    return hours, closed


def _store_hours(calendar: BusinessCalendar, hours: list[Hours]) -> None:
    calendar.intervals.all().delete()
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=h.weekday, start=h.start, end=h.end)
        for h in hours)


def _store_closed_days(calendar: BusinessCalendar, days: dict[date, str]) -> None:
    calendar.closed_days.exclude(date__in=list(days)).delete()
    for day, name in days.items():
        ClosedDay.objects.update_or_create(calendar=calendar, date=day, defaults={"name": name})


def _clear_business_time(calendar: BusinessCalendar) -> None:
    # Now, so a recomputation in this transaction reads the new hours; and again
    # on commit, in case something cached the old ones meanwhile.
    calendar_id = calendar.pk
    businesstime.clear_cache(calendar_id)
    transaction.on_commit(lambda: businesstime.clear_cache(calendar_id))


def _calendar_changed(calendar: BusinessCalendar) -> None:
    """Due times of open tickets on the policies counting on this calendar follow
    its new hours and days off (frontline.sla.recompute)."""
    _clear_business_time(calendar)
    for policy in list(SlaPolicy.objects.filter(calendar=calendar)):
        recompute.follow_change(clock_services.policy_scope(policy))


@transaction.atomic
def create_calendar(actor: User, **fields: Any) -> BusinessCalendar:
    """A calendar: `hours` as text ("Mon-Fri 09:00-17:00") or `intervals` as a list,
    `holiday_country`/`holiday_subdivision` for public holidays, `closed_days`."""
    permissions.check_is_admin(actor)
    calendar = BusinessCalendar(timezone="UTC")
    hours, closed = _apply_calendar(calendar, {"name": fields.get("name"), **fields})
    calendar.save()
    _store_hours(calendar, hours or [])
    if closed:
        _store_closed_days(calendar, closed)
    return calendar


@transaction.atomic
def update_calendar(actor: User, calendar: BusinessCalendar, **changes: Any) -> BusinessCalendar:
    """Change what is given; `hours`/`intervals` and `closed_days` replace the old ones."""
    permissions.check_is_admin(actor)
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    hours, closed = _apply_calendar(calendar, changes)
    calendar.save()
    if hours is not None:
        _store_hours(calendar, hours)
    if closed is not None:
        _store_closed_days(calendar, closed)
    _calendar_changed(calendar)
    return calendar


@transaction.atomic
def delete_calendar(actor: User, calendar: BusinessCalendar) -> None:
    permissions.check_is_admin(actor)
    used = list(SlaPolicy.objects.filter(calendar=calendar).select_related("plan")[:3])
    if used:
        names = "; ".join(policy_name(policy) for policy in used)
        raise InvalidTransition(f"SLA policies count on {calendar.name} ({names}); give them "
                                "another calendar first.")
    _clear_business_time(calendar)
    # Teams on it fall back to no calendar (SET NULL).
    calendar.delete()


@transaction.atomic
def add_closed_day(actor: User, calendar: BusinessCalendar, day: Any, name: str = "") -> ClosedDay:
    permissions.check_is_admin(actor)
    when = inputs.day(day, "date", label="The closed day")
    if when is None:
        raise InvalidInput("A closed day needs a date.", field="date")
    label = inputs.text(name, "name", max_length=100)
    if calendar.closed_days.filter(date=when).exists():
        raise InvalidInput(f"{when:%a %d %b %Y} is already a closed day.", field="date")
    closed = ClosedDay.objects.create(calendar=calendar, date=when, name=label)
    _calendar_changed(calendar)
    return closed


@transaction.atomic
def remove_closed_day(actor: User, calendar: BusinessCalendar, closed_day_id: int) -> None:
    permissions.check_is_admin(actor)
    deleted, _ = calendar.closed_days.filter(pk=closed_day_id).delete()
    if not deleted:
        raise NotFound(f"{calendar.name} has no closed day {closed_day_id}.")
    _calendar_changed(calendar)


# -- reading for the faces -------------------------------------------------------------


def list_calendars() -> list[BusinessCalendar]:
    """Every calendar, with its intervals and closed days."""
    return list(BusinessCalendar.objects.prefetch_related("intervals", "closed_days"))


def calendar_users(calendar: BusinessCalendar) -> dict[str, list[str]]:
    """Who counts on a calendar: policies and teams."""
    return {
        "policies": [policy_name(p) for p in SlaPolicy.objects.filter(calendar=calendar)
                     .select_related("plan")],
        # Team.calendar's reverse relation: teams are routing's, a layer above this app.
        "teams": list(calendar.teams.order_by("name").values_list("name", flat=True)),
    }
