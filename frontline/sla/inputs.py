"""The finders of the SLA app's records: business calendars (by id or name) and
SLA policies (by id), one each, used by every app and face that takes them.

Like the other finders (frontline.customers.finders for plans, products and
versions; frontline.routing.teams.find_team; frontline.tickets.taxonomy for
priorities and categories), each returns None for an empty value and refuses a
value that names nothing with InvalidInput naming the caller's `field`; a face
loading the record its URL names turns that into a 404. Plain values (text,
yes/no, amounts, numbers, dates) are read by frontline.core.inputs.
"""

from __future__ import annotations

from django.db.models import QuerySet

from frontline.core.errors import InvalidInput
from frontline.core.inputs import blank
from frontline.core.lookup import find_row
from frontline.sla.models import BusinessCalendar, SlaPolicy


def find_calendar(value: BusinessCalendar | int | str | None, *, field: str = "calendar",
                  rows: QuerySet[BusinessCalendar] | None = None) -> BusinessCalendar | None:
    """A calendar by object, id or name (any case); None when empty (around the clock).
    `rows` is where to look, e.g. with its hours loaded for a calendar's page."""
    rows = BusinessCalendar.objects.all() if rows is None else rows
    calendar = find_row(rows, value, iexact=("name",))
    if calendar is None and not blank(value):
        raise InvalidInput(f"No calendar '{value}'.", field=field)
    return calendar


def find_policy(value: SlaPolicy | int | str | None, *,
                field: str = "policy") -> SlaPolicy | None:
    """A policy by object or id, with its plan, calendar and team loaded; None when empty."""
    rows = SlaPolicy.objects.select_related("plan", "calendar", "move_to_team")
    policy = find_row(rows, value)
    if policy is None and not blank(value):
        raise InvalidInput(f"No SLA policy '{value}'.", field=field)
    return policy
