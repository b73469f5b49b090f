"""Support plans, SLA policies and business calendars: list, read, create,
change, delete. Every member of staff may read them; only admins change them
(403 otherwise). PATCH changes only the fields sent; lists in a PATCH
(`intervals`, `closed_days`) replace the old ones.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.errors import in_path
from frontline.api.schemas import (
    ERROR_RESPONSES,
    InputSchema,
    IsoDate,
    LargeMoney,
    Money,
    NonEmptyText,
    Omissible,
    Text,
)
from frontline.customers.finders import find_plan
from frontline.customers.models import Plan
from frontline.routing.teams import find_team
from frontline.sla import (
    calendars,
    holiday_places,
    hours_text,
    inputs,
    plans,
    policies,
    recompute,
)
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.tickets.models import Priority

router = Router(tags=["plans and SLAs"])

PriorityName = Literal["low", "normal", "high", "urgent"]
Minutes = Annotated[int, Field(ge=1, le=policies.MAX_TARGET_MINUTES)]
DELETED = {204: None, **ERROR_RESPONSES}


# -- shapes -------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    rank: int
    is_default: bool = Field(description="Contacts without an organization get this plan; "
                                         "exactly one plan is the default.")
    per_incident: bool = Field(description="Bought for one ticket at `incident_price`.")
    incident_price: str | None = Field(examples=["250.00"])
    annual_price: str | None = Field(examples=["24000.00"])


class PlanIn(InputSchema):
    name: Annotated[NonEmptyText, Field(max_length=100)]
    slug: Annotated[Text, Field(max_length=50)] | None = Field(
        None, description="From the name when absent.")
    description: Text = ""
    rank: Annotated[int, Field(ge=0, le=1000)] = 0
    is_default: bool = False
    per_incident: bool = False
    incident_price: Money | None = None
    annual_price: LargeMoney | None = None


class PlanPatchIn(InputSchema):
    """Only the fields sent change. name, slug, rank and the flags may be left out
    but not set to null; prices may be null."""

    name: Omissible[Annotated[NonEmptyText, Field(max_length=100)]] = None
    slug: Omissible[Annotated[NonEmptyText, Field(max_length=50)]] = None
    description: Omissible[Text] = None
    rank: Omissible[Annotated[int, Field(ge=0, le=1000)]] = None
    is_default: Omissible[bool] = Field(None, description="true makes this the one default plan; "
                                                      "false is refused (choose another).")
    per_incident: Omissible[bool] = None
    incident_price: Money | None = None
    annual_price: LargeMoney | None = None


class PolicyOut(Schema):
    id: int
    plan: str = Field(description="The plan's slug.")
    priority: PriorityName | None = Field(description="null: every priority without a "
                                                      "policy of its own.")
    calendar: int | None = Field(description="The business calendar's id; null counts "
                                             "calendar hours around the clock.")
    calendar_name: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    formal: bool = Field(description="Contractual and told to the customer; false is an "
                                     "internal target only.")
    warn_percent: int
    notify: bool
    raise_priority: bool
    move_to_team: str | None = Field(description="The team's name.")
    move_to_tier: int | None


class PolicyIn(InputSchema):
    plan: NonEmptyText = Field(description="A plan slug (or id).")
    priority: PriorityName | None = None
    calendar: int | None = Field(None, description="A calendar id; null: around the clock.")
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    formal: bool = True
    warn_percent: Annotated[int, Field(ge=1, le=99)] = 75
    notify: bool = True
    raise_priority: bool = False
    move_to_team: Text | None = Field(None, description="A team name (or id).")
    move_to_tier: Annotated[int, Field(ge=1, le=3)] | None = None


class PolicyPatchIn(InputSchema):
    """Only the fields sent change; null clears a target, the calendar (around the
    clock), the priority (every priority) or a breach move."""

    plan: Omissible[NonEmptyText] = None
    priority: PriorityName | None = None
    calendar: int | None = None
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    formal: Omissible[bool] = None
    warn_percent: Omissible[Annotated[int, Field(ge=1, le=99)]] = None
    notify: Omissible[bool] = None
    raise_priority: Omissible[bool] = None
    move_to_team: Text | None = None
    move_to_tier: Annotated[int, Field(ge=1, le=3)] | None = None


class IntervalIn(InputSchema):
    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]
    start: Annotated[Text, Field(examples=["09:00"])]
    end: Annotated[Text, Field(examples=["17:00"], description="24:00 ends the day; an end "
                                                                 "before the start runs past "
                                                                 "midnight.")]


class IntervalOut(Schema):
    weekday: int
    day: str = Field(examples=["Mon"])
    start: str
    end: str


class ClosedDayIn(InputSchema):
    date: IsoDate
    name: Annotated[Text, Field(max_length=100)] = ""


class ClosedDayOut(Schema):
    date: date
    name: str


class DayOffOut(Schema):
    date: date
    name: str
    kind: Literal["holiday", "closed"]


class CalendarOut(Schema):
    id: int
    name: str
    timezone: str
    hours: str = Field(examples=["Mon-Fri 09:00-17:00; Sat 10:00-14:00"])
    intervals: list[IntervalOut]
    weekly_minutes: int
    holiday_country: str = Field(description="ISO 3166 code of the public holidays, or ''.")
    holiday_subdivision: str = Field(description="Region code (BE, NY), or ''.")
    description: str
    closed_days: list[ClosedDayOut]
    upcoming_days_off: list[DayOffOut] = Field(description="The next public holidays and "
                                                           "closed days.")


class CalendarIn(InputSchema):
    """The weekly hours as `hours` text ("Mon-Fri 09:00-17:00; Sat 10:00-14:00") or as
    `intervals`, not both."""

    name: Annotated[NonEmptyText, Field(max_length=100)]
    timezone: Annotated[NonEmptyText, Field(max_length=64)] = "UTC"
    hours: Text | None = None
    intervals: list[IntervalIn] | None = None
    holiday_country: Annotated[Text, Field(max_length=3)] = ""
    holiday_subdivision: Annotated[Text, Field(max_length=10)] = ""
    description: Text = ""
    closed_days: list[ClosedDayIn] = []


class CalendarPatchIn(InputSchema):
    name: Omissible[Annotated[NonEmptyText, Field(max_length=100)]] = None
    timezone: Omissible[Annotated[NonEmptyText, Field(max_length=64)]] = None
    hours: Omissible[Text] = None
    intervals: Omissible[list[IntervalIn]] = None
    holiday_country: Omissible[Annotated[Text, Field(max_length=3)]] = None
    holiday_subdivision: Omissible[Annotated[Text, Field(max_length=10)]] = None
    description: Omissible[Text] = None
    closed_days: Omissible[list[ClosedDayIn]] = None


class PlanListOut(Schema):
    items: list[PlanOut]


class PolicyListOut(Schema):
    items: list[PolicyOut]


class CalendarListOut(Schema):
    items: list[CalendarOut]


class RecomputeOut(Schema):
    tickets_left: int = Field(description="Open tickets whose due times a large plan, "
                                          "policy, calendar or contract change is still "
                                          "recomputing in the background (0: none).")
    ranges_left: int = Field(description="Range tasks not done yet.")
    queued_since: datetime | None = Field(description="When the oldest of them was queued.")
    message: str = Field(description="The sentence the settings pages show, or ''.")


class PolicyFilters(Schema):
    plan: Text | None = Field(None, description="A plan slug (or id).")


# -- rendering ----------------------------------------------------------------


def _price(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def plan_out(plan: Plan) -> dict[str, Any]:
    return {"id": plan.pk, "name": plan.name, "slug": plan.slug,
            "description": plan.description, "rank": plan.rank, "is_default": plan.is_default,
            "per_incident": plan.per_incident, "incident_price": _price(plan.incident_price),
            "annual_price": _price(plan.annual_price)}


def policy_out(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk, "plan": policy.plan.slug,
        "priority": Priority(policy.priority).name.lower() if policy.priority else None,
        "calendar": policy.calendar_id,
        "calendar_name": policy.calendar.name if policy.calendar else None,
        "first_response_minutes": policy.first_response_minutes,
        "next_response_minutes": policy.next_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "formal": policy.formal, "warn_percent": policy.warn_percent, "notify": policy.notify,
        "raise_priority": policy.raise_priority,
        "move_to_team": policy.move_to_team.name if policy.move_to_team else None,
        "move_to_tier": policy.move_to_tier,
    }


def calendar_out(calendar: BusinessCalendar) -> dict[str, Any]:
    intervals = list(calendar.intervals.all())
    hours = [hours_text.Hours(i.weekday, i.start, i.end) for i in sorted(
        intervals, key=lambda i: (i.weekday, i.start))]
    return {
        "id": calendar.pk, "name": calendar.name, "timezone": calendar.timezone,
        "hours": hours_text.format_hours(hours),
        "intervals": [{"weekday": h.weekday, "day": hours_text.DAYS[h.weekday],
                       "start": f"{h.start:%H:%M}",
                       "end": hours_text.range_text(h).partition("-")[2]}
                      for h in hours],
        "weekly_minutes": hours_text.weekly_minutes(hours),
        "holiday_country": calendar.holiday_country,
        "holiday_subdivision": calendar.holiday_subdivision,
        "description": calendar.description,
        "closed_days": [{"date": d.date, "name": d.name} for d in calendar.closed_days.all()],
        "upcoming_days_off": [
            {"date": d.date, "name": d.name, "kind": d.kind}
            for d in holiday_places.upcoming_days_off(calendar, timezone.localdate())],
    }


# -- loading by path ----------------------------------------------------------


def _plan(reference: str) -> Plan:
    return in_path(find_plan, reference)


def _policy(policy_id: PathId) -> SlaPolicy:
    return in_path(inputs.find_policy, policy_id)


def _calendar(calendar_id: PathId) -> BusinessCalendar:
    return in_path(inputs.find_calendar, calendar_id,
                   rows=BusinessCalendar.objects.prefetch_related("intervals", "closed_days"))


def _with_team(changes: dict[str, Any]) -> dict[str, Any]:
    """The policy's changes with `move_to_team` found (the SLA app, below routing,
    takes the Team itself)."""
    if "move_to_team" in changes:
        changes["move_to_team"] = find_team(changes["move_to_team"], field="move_to_team")
    return changes


PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# -- plans --------------------------------------------------------------------


@router.get("/plans", response={200: PlanListOut, **ERROR_RESPONSES})
def list_plans(request: HttpRequest) -> dict[str, Any]:
    """Every plan, highest rank first."""
    return {"items": [plan_out(p) for p in Plan.objects.all()]}


@router.get("/plans/{plan}", response={200: PlanOut, **ERROR_RESPONSES})
def get_plan(request: HttpRequest, plan: str) -> dict[str, Any]:
    """One plan, by id or slug."""
    return plan_out(_plan(plan))


@router.post("/plans", response={201: PlanOut, **ERROR_RESPONSES})
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    """Add a plan (admins). `is_default: true` takes the default from the old one."""
    fields = payload.model_dump(exclude_none=True)
    plan = plans.create_plan(request_user(request), **fields)
    return Status(201, plan_out(plan))


@router.patch("/plans/{plan}", response={200: PlanOut, **ERROR_RESPONSES})
def update_plan(request: HttpRequest, plan: str, payload: PlanPatchIn) -> dict[str, Any]:
    """Change a plan (admins); all changes apply or none."""
    changes = payload.model_dump(exclude_unset=True)
    return plan_out(plans.update_plan(request_user(request), _plan(plan), **changes))


@router.delete("/plans/{plan}", response=DELETED)
def delete_plan(request: HttpRequest, plan: str) -> Status[None]:
    """Remove a plan nobody is on (admins); 409 when organizations or tickets use it
    or it is the default. Its policies go with it."""
    plans.delete_plan(request_user(request), _plan(plan))
    return Status(204, None)


# -- SLA policies -------------------------------------------------------------


@router.get("/sla-policies", response={200: PolicyListOut, **ERROR_RESPONSES})
def list_policies(request: HttpRequest, filters: Query[PolicyFilters]) -> dict[str, Any]:
    """Every SLA policy (or one plan's), by plan then priority."""
    plan = find_plan(filters.plan)
    return {"items": [policy_out(p) for p in policies.list_policies(plan)]}


@router.get("/sla-policies/{policy_id}", response={200: PolicyOut, **ERROR_RESPONSES})
def get_policy(request: HttpRequest, policy_id: PathId) -> dict[str, Any]:
    return policy_out(_policy(policy_id))


@router.post("/sla-policies", response={201: PolicyOut, **ERROR_RESPONSES})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[dict[str, Any]]:
    """Add a policy for a plan and priority (admins); one per plan and priority
    (422 naming `priority` otherwise). At least one target is required."""
    policy = policies.create_policy(request_user(request), **_with_team(payload.model_dump()))
    return Status(201, policy_out(_policy(policy.pk)))


@router.patch("/sla-policies/{policy_id}", response={200: PolicyOut, **ERROR_RESPONSES})
def update_policy(request: HttpRequest, policy_id: PathId,
                  payload: PolicyPatchIn) -> dict[str, Any]:
    """Change a policy (admins). Open tickets' due times follow: at once when few, else
    in the background within minutes (GET /sla-recompute says how many are left)."""
    changes = payload.model_dump(exclude_unset=True)
    policy = policies.update_policy(request_user(request), _policy(policy_id),
                                    **_with_team(changes))
    return policy_out(_policy(policy.pk))


@router.delete("/sla-policies/{policy_id}", response=DELETED)
def delete_policy(request: HttpRequest, policy_id: PathId) -> Status[None]:
    """Remove a policy (admins); its tickets fall back to the plan's policy for any
    priority."""
    policies.delete_policy(request_user(request), _policy(policy_id))
    return Status(204, None)


@router.get("/sla-recompute", response={200: RecomputeOut, **ERROR_RESPONSES})
def recompute_left(request: HttpRequest) -> dict[str, Any]:
    """What the workers still owe after a large plan, policy, calendar or contract
    change: a change that moves more open tickets than FRONTLINE_SLA_RECOMPUTE_CHUNK
    commits at once and leaves their due times to range tasks."""
    found = recompute.left()
    return {"tickets_left": found.tickets, "ranges_left": found.ranges,
            "queued_since": found.since, "message": recompute.describe_left(found)}


# -- calendars ----------------------------------------------------------------


@router.get("/calendars", response={200: CalendarListOut, **ERROR_RESPONSES})
def list_calendars(request: HttpRequest) -> dict[str, Any]:
    """Every business calendar with its hours, holidays and closed days."""
    return {"items": [calendar_out(c) for c in calendars.list_calendars()]}


@router.get("/calendars/{calendar_id}", response={200: CalendarOut, **ERROR_RESPONSES})
def get_calendar(request: HttpRequest, calendar_id: PathId) -> dict[str, Any]:
    return calendar_out(_calendar(calendar_id))


@router.post("/calendars", response={201: CalendarOut, **ERROR_RESPONSES})
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[dict[str, Any]]:
    """Add a calendar (admins). Public holidays come from the `holidays` package:
    `holiday_country` (DE, US) and optionally `holiday_subdivision` (BE, NY)."""
    fields = payload.model_dump()
    if fields["intervals"] is None:
        fields.pop("intervals")
        fields["hours"] = fields["hours"] or ""
    elif fields["hours"] is None:
        fields.pop("hours")
    calendar = calendars.create_calendar(request_user(request), **fields)
    return Status(201, calendar_out(_calendar(calendar.pk)))


@router.patch("/calendars/{calendar_id}", response={200: CalendarOut, **ERROR_RESPONSES})
def update_calendar(request: HttpRequest, calendar_id: PathId,
                    payload: CalendarPatchIn) -> dict[str, Any]:
    """Change a calendar (admins); `hours`/`intervals` and `closed_days` replace the old
    ones. Open tickets' due times follow: at once when few, else in the background
    within minutes (GET /sla-recompute says how many are left)."""
    changes = payload.model_dump(exclude_unset=True)
    calendar = calendars.update_calendar(request_user(request), _calendar(calendar_id),
                                         **changes)
    return calendar_out(_calendar(calendar.pk))


@router.delete("/calendars/{calendar_id}", response=DELETED)
def delete_calendar(request: HttpRequest, calendar_id: PathId) -> Status[None]:
    """Remove a calendar no SLA policy counts on (admins; 409 otherwise)."""
    calendars.delete_calendar(request_user(request), _calendar(calendar_id))
    return Status(204, None)
