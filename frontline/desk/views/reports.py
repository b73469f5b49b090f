"""/reports: whether promises are kept, what support costs and whether requests
come complete (intake), for a period.

Charts are inline SVG drawn here (frontline.desk.charts); every table also
comes as CSV: `/reports?format=csv&table=compliance_by_plan&from=...&to=...`.
Admins, agents and viewers (account managers) read reports; developers do not
(frontline.core.permissions.can_view_reports).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import urlencode

from frontline.core import inputs, permissions
from frontline.core.errors import FrontlineError, InvalidInput
from frontline.costs.models import CostSettings
from frontline.desk.charts import Bar, Reference, bar_chart, column_chart, compliance_tone
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.insights import reports
from frontline.insights.intake import FIRST_CONTACT, intake_report
from frontline.insights.reports import Grouping, Period
from frontline.sla.models import Target
from frontline.tickets.taxonomy import Category, find_category

BREACHES_SHOWN = 25
TICKETS_SHOWN = 25


@dataclass(frozen=True)
class Filter:
    first: date
    last: date
    grouping: Grouping  # week or month, for compliance over time
    error: str | None = None
    category: Category | None = None  # intake figures of one category only

    @property
    def period(self) -> Period:
        return Period.from_dates(self.first, self.last)

    @property
    def weeks(self) -> Decimal:
        return Decimal((self.last - self.first).days + 1) / 7

    def query(self, **extra: str) -> str:
        chosen = {"category": self.category.slug} if self.category is not None else {}
        return urlencode({"from": self.first.isoformat(), "to": self.last.isoformat(),
                          "period": self.grouping, **chosen, **extra})


def read_filter(request: HttpRequest) -> Filter:
    """The period asked for; a missing or unreadable one falls back to the last 12
    weeks. The page shows what it changed rather than refuse: the dates are read by
    frontline.core.inputs.day and the period checked by reports.report_days, as the
    API's reports are, which refuse with 422 instead."""
    today = timezone.localdate()
    error = None
    try:
        first = inputs.day(request.GET.get("from"), "from", label="The first day")
        last = inputs.day(request.GET.get("to"), "to", label="The last day")
    except InvalidInput as refused:
        error = f"{refused.message} Showing the last 12 weeks instead."
        first = last = None
    if first is not None and first > (last or today):
        error = "The period starts after it ends; the dates were swapped."
        first, last = last or today, first
    try:
        first, last = reports.report_days(first, last, today=today)
    except InvalidInput as refused:
        error = f"{refused.message} The start was moved."
        last = last or today
        first = last - timedelta(days=reports.MAX_DAYS)
    grouping: Grouping
    asked = request.GET.get("period")
    if asked in ("week", "month"):
        grouping = "week" if asked == "week" else "month"
    else:
        grouping = "week" if (last - first).days <= 26 * 7 else "month"
    category = None
    try:
        category = find_category(request.GET.get("category") or None)
    except InvalidInput as refused:
        error = f"{refused.message} Showing every category's intake."
    return Filter(first, last, grouping, error, category)


# -- CSV ------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    # A cell a spreadsheet would run as a formula (=, +, -, @ from a ticket subject
    # or a company name) is prefixed with a quote (OWASP "CSV injection").
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _iso(moment: Any) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def _compliance_csv(rows: list[reports.ComplianceRow], group: str,
                    name: Callable[[reports.ComplianceRow], str] | None = None,
                    ) -> Iterator[list[Any]]:
    header = [group, "measured", "met", "missed", "compliance_percent"]
    for target, _label in reports.TARGETS:
        header += [f"{target}_measured", f"{target}_met", f"{target}_percent"]
    yield header
    for row in rows:
        line = [name(row) if name else row.label, row.overall.total, row.overall.met,
                row.overall.missed, _percent(row.overall.percent)]
        for target, _label in reports.TARGETS:
            part = row.target(target)
            line += [part.total, part.met, _percent(part.percent)]
        yield line


def _breaches_csv(period: Period) -> Iterator[list[Any]]:
    yield ["ticket", "subject", "organization", "plan", "team", "target", "priority", "formal",
           "due_at", "met_at", "breached_at", "late_minutes"]
    for breach in reports.breaches(period):
        m, ticket = breach.measurement, breach.ticket
        yield [ticket.reference, ticket.subject,
               ticket.organization.name if ticket.organization else "",
               m.plan.name if m.plan else "", m.team.name if m.team else "", m.target,
               m.priority, "yes" if m.formal else "no", _iso(m.due_at), _iso(m.met_at),
               _iso(m.breached_at), breach.late_seconds // 60]


def _distribution_csv(period: Period, target: str) -> Iterator[list[Any]]:
    found = reports.distribution(period, target)
    yield ["bucket", "from_business_seconds", "to_business_seconds", "tickets"]
    for bucket in found.buckets:
        yield [bucket.label, bucket.low, "" if bucket.high is None else bucket.high, bucket.count]


def _developer_csv(period: Period) -> Iterator[list[Any]]:
    yield ["week_starting", "developer_hours", "budget_hours", "percent_of_budget"]
    for week in reports.developer_hours_by_week(period):
        yield [timezone.localtime(week.week).date().isoformat(), week.hours,
               week.budget.quantize(Decimal("0.01")),
               "" if week.percent is None else week.percent]


def _ticket_cost_csv(period: Period) -> Iterator[list[Any]]:
    currency = CostSettings.current().currency
    yield ["ticket", "subject", "organization", "tier1_hours", "tier2_hours", "tier3_hours",
           "hours", f"cost_{currency.lower()}"]
    for row in reports.cost_per_ticket(period):
        ticket = row.ticket
        yield [ticket.reference if ticket else "", ticket.subject if ticket else "",
               ticket.organization.name if ticket and ticket.organization else "",
               *row.tier_hours, row.hours, row.cost]


def _organization_cost_csv(period: Period) -> Iterator[list[Any]]:
    currency = CostSettings.current().currency
    yield ["organization", "plan", "tickets", "tier1_hours", "tier2_hours", "tier3_hours",
           "hours", f"cost_{currency.lower()}", f"cost_per_ticket_{currency.lower()}",
           "annual_contract_value"]
    for row in reports.cost_per_organization(period):
        org = row.organization
        yield [org.name if org else "No organization",
               org.plan.name if org and org.plan else "", row.tickets, *row.tier_hours,
               row.hours, row.cost, row.per_ticket, org.annual_contract_value if org else ""]


def _intake_categories_csv(report_filter: Filter) -> Iterator[list[Any]]:
    yield ["category", "tickets", "complete_at_first_contact", "percent"]
    for row in intake_report(report_filter.period, report_filter.category).categories:
        yield [row.slug or "", row.tickets, row.complete, _percent(row.percent)]


def _intake_questions_csv(report_filter: Filter) -> Iterator[list[Any]]:
    yield ["category", "key", "required", "asked", "answered_at_first_contact", "percent",
           "asked_later"]
    for row in intake_report(report_filter.period, report_filter.category).questions:
        yield [row.category.slug, row.key, "yes" if row.question.required else "no", row.asked,
               row.answered, _percent(row.percent), row.asked_later]


CSV_TABLES: dict[str, Callable[[Filter], Iterable[list[Any]]]] = {
    "compliance_by_plan": lambda f: _compliance_csv(reports.compliance(f.period, "plan"), "plan"),
    "compliance_by_team": lambda f: _compliance_csv(reports.compliance(f.period, "team"), "team"),
    # Week and month labels are for the chart; the CSV names the period's first day.
    "compliance_by_period": lambda f: _compliance_csv(
        reports.compliance(f.period, f.grouping), f"{f.grouping}_starting",
        lambda row: timezone.localtime(row.key).date().isoformat()),
    "breaches": lambda f: _breaches_csv(f.period),
    "first_response_times": lambda f: _distribution_csv(f.period, Target.FIRST_RESPONSE),
    "resolution_times": lambda f: _distribution_csv(f.period, Target.RESOLUTION),
    "developer_hours": lambda f: _developer_csv(f.period),
    "cost_per_ticket": lambda f: _ticket_cost_csv(f.period),
    "cost_per_organization": lambda f: _organization_cost_csv(f.period),
    "intake_by_category": _intake_categories_csv,
    "intake_questions": _intake_questions_csv,
}


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(table: str, report_filter: Filter) -> HttpResponse | StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = CSV_TABLES[table](report_filter)
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in rows),
        content_type="text/csv; charset=utf-8")
    name = f"frontline-{table}-{report_filter.first}-to-{report_filter.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- the page -----------------------------------------------------------------------


def _compliance_bars(rows: list[reports.ComplianceRow]) -> list[Bar]:
    return [Bar(label=row.label, value=row.overall.percent,
                text=(f"{row.overall.percent:g}%" if row.overall.percent is not None else ""),
                tone=compliance_tone(row.overall.percent),
                title=(f"{row.label}: {row.overall.met} of {row.overall.total} met"
                       if row.overall.total else f"{row.label}: nothing measured"))
            for row in rows]


def _histogram(found: reports.Distribution) -> Any:
    return column_chart(
        [Bar(label=b.label, value=b.count, text=str(b.count) if b.count else "",
             title=f"{b.label} (business time): {b.count} tickets") for b in found.buckets],
        label=f"{found.label} times, business hours", width=560, height=200)


@desk_view
def reports_page(request: HttpRequest) -> HttpResponse:
    try:
        permissions.check_can_view_reports(desk_user(request))
    except FrontlineError as error:
        return error_page(request, error)
    report_filter = read_filter(request)
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", "")
        if table not in CSV_TABLES:
            return HttpResponse(f"Unknown table {table!r}; one of: {', '.join(CSV_TABLES)}.",
                                status=404, content_type="text/plain; charset=utf-8")
        return csv_response(table, report_filter)  # type: ignore[return-value]

    period = report_filter.period
    settings = CostSettings.current()
    by_plan = reports.compliance(period, "plan")
    by_team = reports.compliance(period, "team")
    over_time = reports.compliance(period, report_filter.grouping)
    overall = reports.overall_compliance(period)
    first_response = reports.distribution(period, Target.FIRST_RESPONSE)
    resolution = reports.distribution(period, Target.RESOLUTION)
    weeks = reports.developer_hours_by_week(period)
    organizations = reports.cost_per_organization(period)
    tickets = reports.cost_per_ticket(period, limit=TICKETS_SHOWN)
    breach_count = reports.breach_count(period)
    developer_total = sum((week.hours for week in weeks), Decimal("0"))
    budget_total = (settings.weekly_developer_budget_hours * report_filter.weeks).quantize(
        Decimal("0.1"))
    currency = settings.currency
    weekly_budget = float(settings.weekly_developer_budget_hours)
    context = {
        "filter": report_filter,
        "csv_query": report_filter.query(format="csv"),
        "quick_ranges": _quick_ranges(report_filter),
        "overall": overall,
        "overall_tone": compliance_tone(overall.percent),
        "breach_count": breach_count,
        "by_plan": by_plan,
        "by_team": by_team,
        "over_time": over_time,
        "targets": reports.TARGETS,
        "plan_chart": bar_chart(_compliance_bars(by_plan), max_value=100,
                                label="SLA compliance by plan"),
        "team_chart": bar_chart(_compliance_bars(by_team), max_value=100,
                                label="SLA compliance by team"),
        "time_chart": column_chart(
            _compliance_bars(over_time), unit="%", max_value=100,
            reference=Reference(95, "95%"),
            label=f"SLA compliance by {report_filter.grouping}", width=900, height=230),
        "breaches": list(reports.breaches(period, limit=BREACHES_SHOWN)),
        "breaches_shown": BREACHES_SHOWN,
        "distributions": [
            (first_response, _histogram(first_response), "first_response_times"),
            (resolution, _histogram(resolution), "resolution_times"),
        ],
        "weeks_over": sum(1 for week in weeks if week.hours > week.budget),
        "weeks": weeks,
        "developer_total": developer_total,
        "budget_total": budget_total,
        "weekly_budget": settings.weekly_developer_budget_hours,
        "developer_chart": column_chart(
            [Bar(label=week.label, value=float(week.hours), text=f"{week.hours:.1f}",
                 tone="bad" if week.hours > week.budget else "accent",
                 title=f"Week of {week.label}: {week.hours} h of {week.budget} h budget")
             for week in weeks],
            unit=" h", reference=Reference(weekly_budget, f"budget {weekly_budget:g} h"),
            label="Developer hours per week against the budget", width=900, height=230),
        "organizations": organizations,
        "organization_chart": bar_chart(
            [Bar(label=row.organization.name if row.organization else "No organization",
                 value=float(row.cost), text=f"{row.cost:,.0f} {currency}",
                 title=f"{row.hours} h over {row.tickets} tickets")
             for row in organizations[:12]],
            label="Support cost by organization"),
        "total_cost": sum((row.cost for row in organizations), Decimal("0.00")),
        "total_hours": sum((row.hours for row in organizations), Decimal("0.00")),
        "tickets": tickets,
        "tickets_shown": TICKETS_SHOWN,
        "currency": currency,
        **_intake_context(report_filter),
    }
    return render_desk(request, "desk/reports/reports.html", context)


def intake_tone(percent: float | None) -> str:
    """Colour of a first-contact share: most requests complete is good."""
    if percent is None:
        return "none"
    return "good" if percent >= 80 else "warn" if percent >= 50 else "bad"


def _intake_context(report_filter: Filter) -> dict[str, Any]:
    """The intake section (frontline.insights.intake): completeness per category and
    each question's figures, for one category or all."""
    intake = intake_report(report_filter.period, report_filter.category)
    return {
        "intake": intake,
        "intake_tone": intake_tone(intake.overall.percent),
        "intake_rows": [(row, intake_tone(row.percent)) for row in intake.categories],
        "intake_questions": [(row, intake_tone(row.percent)) for row in intake.questions],
        "intake_category_choices": list(Category.objects.order_by("name")
                                        .values_list("slug", "name")),
        "first_contact_minutes": int(FIRST_CONTACT.total_seconds() // 60),
        # The page for the same period, to narrow the section to one category.
        "intake_query": urlencode({"from": report_filter.first.isoformat(),
                                   "to": report_filter.last.isoformat(),
                                   "period": report_filter.grouping}),
    }


def _quick_ranges(current: Filter) -> list[dict[str, Any]]:
    today = timezone.localdate()
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    ranges = [
        ("Last 4 weeks", today - timedelta(days=27), today),
        ("Last 12 weeks", today - timedelta(days=reports.DEFAULT_DAYS - 1), today),
        ("This month", month_start, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("Last 12 months", today - timedelta(days=364), today),
    ]
    return [{"label": label,
             "query": urlencode({"from": first.isoformat(), "to": last.isoformat()}),
             "current": first == current.first and last == current.last}
            for label, first, last in ranges]
