"""Time on tickets and the SLA compliance report.

GET  /tickets/{reference}/time    the ticket's time entries and its cost by tier
POST /tickets/{reference}/time    log time by hand (minutes, note)
GET  /reports/sla-compliance      met / measured per plan, team, week or month
GET  /reports/intake              first-contact completeness per category and question
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.schemas import (
    ERROR_RESPONSES,
    InputSchema,
    IsoDate,
    IsoDateTime,
    Text,
    UserRefOut,
)
from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.costs import services
from frontline.costs.models import TimeEntry
from frontline.insights import intake, reports
from frontline.tickets.models import Ticket
from frontline.tickets.services import get_ticket
from frontline.tickets.taxonomy import find_category

router = Router(tags=["time and reports"])


class TimeEntryOut(Schema):
    id: int
    user: UserRefOut
    tier: int
    started_at: datetime
    ended_at: datetime | None = Field(description="Null while the timer runs.")
    seconds: int
    manual: bool = Field(description="Logged by hand rather than timed.")
    stopped_automatically: bool = Field(
        description="The timer was stopped by the server at its page's last sign of life "
                    "(browser closed or asleep), not by a person.")
    note: str


class TierCostOut(Schema):
    tier: int
    seconds: int
    hours: Decimal
    hourly: Decimal
    cost: Decimal


class TicketTimeOut(Schema):
    reference: str
    entries: list[TimeEntryOut]
    tiers: list[TierCostOut] = Field(description="Stopped time and its cost, per tier.")
    seconds: int
    cost: Decimal
    currency: str


class TimeEntryIn(InputSchema):
    minutes: Annotated[int, Field(ge=1, le=services.MAX_ENTRY_MINUTES)]
    note: Text = ""
    at: IsoDateTime | None = Field(None, description="When the work ended (default: now).")


def _entry_out(entry: TimeEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "user": {"id": entry.user.pk, "username": entry.user.username,
                 "name": entry.user.display_name},
        "tier": entry.tier, "started_at": entry.started_at, "ended_at": entry.ended_at,
        "seconds": entry.seconds, "manual": entry.manual,
        "stopped_automatically": entry.stopped_automatically, "note": entry.note,
    }


def _ticket_time(ticket: Ticket) -> dict[str, Any]:
    cost = services.ticket_cost(ticket)
    return {
        "reference": ticket.reference,
        "entries": [_entry_out(entry) for entry in services.ticket_entries(ticket)],
        "tiers": [{"tier": t.tier, "seconds": t.seconds, "hours": t.hours,
                   "hourly": t.hourly.quantize(services.CENT), "cost": t.cost}
                  for t in cost.tiers],
        "seconds": cost.seconds,
        "cost": cost.cost,
        "currency": cost.currency,
    }


@router.get("/tickets/{reference}/time", response={200: TicketTimeOut, **ERROR_RESPONSES})
def ticket_time(request: HttpRequest, reference: str) -> dict[str, Any]:
    """Everyone's time on the ticket (running timers included, with `ended_at` null)
    and the cost of the stopped time by tier."""
    user = request_user(request)
    ticket = get_ticket(reference)
    permissions.check_can_view_ticket(user, ticket)
    return _ticket_time(ticket)


@router.post("/tickets/{reference}/time", response={201: TimeEntryOut, **ERROR_RESPONSES})
def log_time(request: HttpRequest, reference: str,
             payload: TimeEntryIn) -> Status[dict[str, Any]]:
    """Log time spent on the ticket, at your tier. Viewers may not."""
    user = request_user(request)
    ticket = get_ticket(reference)
    at = payload.at
    if at is not None and timezone.is_naive(at):
        raise InvalidInput("Give a time zone (e.g. 2025-01-31T09:00:00Z).", field="at")
    entry = services.add_entry(ticket, user, payload.minutes, payload.note, at=at)
    entry.user = user
    return Status(201, _entry_out(entry))


class ComplianceFilter(Schema):
    start: IsoDate | None = Field(None, alias="from",
                                  description="First day (default: 12 weeks before `to`); "
                                              "at most three years before `to`.")
    end: IsoDate | None = Field(None, alias="to",
                                description="Last day, inclusive (default: today).")
    by: Literal["plan", "team", "week", "month"] = "plan"


class ComplianceOut(Schema):
    measured: int
    met: int
    missed: int
    percent: float | None


class ComplianceRowOut(ComplianceOut):
    group: str = Field(description="Plan or team name, or the week's / month's first day.")
    targets: dict[str, ComplianceOut] = Field(
        description="Per target: first_response, next_response, resolution.")


class ComplianceReportOut(Schema):
    start: date
    end: date
    by: str
    overall: ComplianceOut
    rows: list[ComplianceRowOut]


def _compliance_out(part: reports.Compliance) -> dict[str, Any]:
    return {"measured": part.total, "met": part.met, "missed": part.missed,
            "percent": part.percent}


@router.get("/reports/sla-compliance", response={200: ComplianceReportOut, **ERROR_RESPONSES})
def sla_compliance(request: HttpRequest, filters: Query[ComplianceFilter]) -> dict[str, Any]:
    """SLA targets met (answered by their due time, never breached) out of those
    due in the period, grouped by plan, team, week or month."""
    permissions.check_can_view_reports(request_user(request))
    first, last = reports.report_days(filters.start, filters.end, today=timezone.localdate())
    period = reports.Period.from_dates(first, last)
    rows = reports.compliance(period, filters.by)
    return {
        "start": first, "end": last, "by": filters.by,
        "overall": _compliance_out(reports.overall_compliance(period)),
        "rows": [{
            **_compliance_out(row.overall),
            "group": (timezone.localtime(row.key).date().isoformat()
                      if filters.by in ("week", "month") else row.label),
            "targets": {name: _compliance_out(row.target(name))
                        for name, _label in reports.TARGETS},
        } for row in rows],
    }


class IntakeFilter(Schema):
    start: IsoDate | None = Field(None, alias="from",
                                  description="First day (default: 12 weeks before `to`); "
                                              "at most three years before `to`.")
    end: IsoDate | None = Field(None, alias="to",
                                description="Last day, inclusive (default: today).")
    category: str | None = Field(None, description="A category slug or name: its tickets only.")


class CompletenessOut(Schema):
    tickets: int
    complete: int = Field(description="Every required question that applied was answered "
                                      "at first contact.")
    percent: float | None


class CategoryCompletenessOut(CompletenessOut):
    category: str | None = Field(description="The category's slug; null: no category.")
    name: str


class QuestionIntakeOut(Schema):
    category: str = Field(description="Whose question: `standard` or the category's slug.")
    key: str
    text: str
    required: bool
    asked: int = Field(description="Tickets the question applied to.")
    answered_at_first_contact: int
    percent: float | None = Field(description="answered_at_first_contact / asked.")
    asked_later: int = Field(description="Tickets on which an agent's reply or the follow-up "
                                         "asked for it.")


class IntakeReportOut(Schema):
    start: date
    end: date
    category: str | None
    overall: CompletenessOut
    categories: list[CategoryCompletenessOut]
    questions: list[QuestionIntakeOut]


@router.get("/reports/intake", response={200: IntakeReportOut, **ERROR_RESPONSES})
def intake_report(request: HttpRequest, filters: Query[IntakeFilter]) -> dict[str, Any]:
    """Of the tickets opened in the period: how many were complete at first contact
    (every required question that applied answered on the form, in the first message
    or within five minutes of it), per category; and per question, how often it
    applied, was answered at first contact, and was asked for later."""
    permissions.check_can_view_reports(request_user(request))
    first, last = reports.report_days(filters.start, filters.end, today=timezone.localdate())
    category = find_category(filters.category)
    report = intake.intake_report(reports.Period.from_dates(first, last), category)
    return {
        "start": first, "end": last, "category": category.slug if category else None,
        "overall": {"tickets": report.overall.tickets, "complete": report.overall.complete,
                    "percent": report.overall.percent},
        "categories": [{"category": row.slug, "name": row.label, "tickets": row.tickets,
                        "complete": row.complete, "percent": row.percent}
                       for row in report.categories],
        "questions": [{"category": row.category.slug, "key": row.key,
                       "text": row.question.text, "required": row.question.required,
                       "asked": row.asked, "answered_at_first_contact": row.answered,
                       "percent": row.percent, "asked_later": row.asked_later}
                      for row in report.questions],
    }
