"""SLA policies for the cast: Premium answers within two hours around the clock,
Standard within one business day on the Berlin office calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from frontline.core.errors import InvalidInput
from frontline.customers.models import Plan
from frontline.routing.models import Team
from frontline.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


@pytest.fixture
def berlin_office(db: None) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin",
                                               holiday_country="DE", holiday_subdivision="BE")
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=day, start=time(9), end=time(17))
        for day in range(5))
    return calendar


@pytest.fixture
def premium_policy(premium_plan: Plan, frontdesk: Team) -> SlaPolicy:
    """Premium: first response in 2 h, next in 4 h, resolution in 24 h, around the clock;
    a breach raises the priority and moves the ticket to tier 2."""
    return SlaPolicy.objects.create(
        plan=premium_plan, calendar=None, first_response_minutes=120,
        next_response_minutes=240, resolution_minutes=24 * 60, formal=True, warn_percent=75,
        notify=True, raise_priority=True, move_to_tier=2)


@pytest.fixture
def premium_urgent_policy(premium_policy: SlaPolicy) -> SlaPolicy:
    return SlaPolicy.objects.create(
        plan=premium_policy.plan, priority=4, calendar=None, first_response_minutes=30,
        next_response_minutes=60, resolution_minutes=8 * 60, formal=True)


@pytest.fixture
def standard_policy(standard_plan: Plan, berlin_office: BusinessCalendar) -> SlaPolicy:
    """Standard: first response within one business day (8 h), resolution in 5."""
    return SlaPolicy.objects.create(
        plan=standard_plan, calendar=berlin_office, first_response_minutes=8 * 60,
        next_response_minutes=16 * 60, resolution_minutes=5 * 8 * 60, formal=True)


@pytest.fixture
def rush_plan(db: None) -> Plan:
    """Sold per incident: one hour, around the clock."""
    plan = Plan.objects.create(name="Rush", slug="rush", per_incident=True,
                               incident_price="450.00", rank=5)
    SlaPolicy.objects.create(plan=plan, first_response_minutes=60, next_response_minutes=60,
                             resolution_minutes=12 * 60, formal=True)
    return plan


def refused(call: Callable[..., object], *args: object, **kwargs: object) -> InvalidInput:
    """The InvalidInput a call raises (the test fails if it raises none)."""
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value
