"""Reports: are promises kept, and what does support cost.

Every figure is one aggregate query (GROUP BY in the database, names fetched
afterwards in one more query), written with the ORM's portable functions
(Count with filter, TruncWeek/TruncMonth, Coalesce) so SQLite and PostgreSQL
give the same answers.

Periods: SLA figures count the targets *due* in [start, end) (a measurement
exists once a target was met or missed, frontline.sla.models.SlaMeasurement);
time and cost count work *started* in [start, end).

A target is met when it was answered by its due time and never breached;
everything else measured is missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from frontline.core.errors import InvalidInput
from frontline.costs.models import CostSettings, TimeEntry
from frontline.costs.services import (
    CENT,
    DEVELOPER_TIER,
    duration_text,
    hours,
    money,
    week_start,
)
from frontline.customers.models import Organization, Plan
from frontline.routing.models import Team
from frontline.sla import outcomes
from frontline.sla.models import SlaMeasurement, Target
from frontline.tickets.models import Ticket

# Met or missed: one rule for the reports, the ticket, the queues and /dev.
MET = outcomes.MET

# The period of a report, the same in the desk and the API: 12 weeks by default,
# three years at most. Weeks from year 12 to 3703 took 14 s and 60 MB to answer.
DEFAULT_DAYS = 12 * 7
MAX_DAYS = 3 * 366
Grouping = Literal["plan", "team", "week", "month"]
GROUPINGS: tuple[Grouping, ...] = ("plan", "team", "week", "month")
TARGETS = [(str(value), str(label)) for value, label in Target.choices]


@dataclass(frozen=True)
class Period:
    """[start, end): aware datetimes."""

    start: datetime
    end: datetime

    @classmethod
    def from_dates(cls, first: date, last: date) -> Period:
        """The days `first` to `last` inclusive, in the current time zone."""
        def midnight(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, datetime.min.time()))
        return cls(midnight(first), midnight(last + timedelta(days=1)))


def report_days(first: date | None, last: date | None, *, today: date) -> tuple[date, date]:
    """The first and last day of a report asked for `first` to `last` (either may
    be left out: the last day defaults to `today`, the first to DEFAULT_DAYS before
    the last). InvalidInput (field "from") when the period starts after it ends or
    spans more than MAX_DAYS days; the days themselves come from
    frontline.core.inputs.day, which keeps them far from the calendar's ends."""
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("The period starts after it ends.", field="from")
    if (last - first).days > MAX_DAYS:
        raise InvalidInput(f"A report covers at most three years ({MAX_DAYS + 1} days).",
                           field="from")
    return first, last


def measurements(period: Period) -> QuerySet[SlaMeasurement]:
    return SlaMeasurement.objects.filter(due_at__gte=period.start, due_at__lt=period.end)


# -- compliance ------------------------------------------------------------------


@dataclass
class Compliance:
    total: int = 0
    met: int = 0

    @property
    def missed(self) -> int:
        return self.total - self.met

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.total, 1) if self.total else None


@dataclass
class ComplianceRow:
    """One group (a plan, a team, a week or a month): all targets, and each target."""

    label: str
    key: Any
    overall: Compliance
    by_target: dict[str, Compliance]

    def target(self, name: str) -> Compliance:
        return self.by_target.get(name) or Compliance()

    @property
    def per_target(self) -> list[Compliance]:
        """Each target's compliance, in the order of TARGETS (for tables)."""
        return [self.target(name) for name, _label in TARGETS]


def _period_starts(period: Period, by: Grouping) -> list[datetime]:
    """Every week (Monday) or month start from the period's start to its end, so
    quiet periods show as gaps rather than vanish."""
    starts = []
    if by == "week":
        moment = week_start(period.start)
        while moment < period.end:
            starts.append(moment)
            moment = timezone.make_aware(
                datetime.combine(timezone.localtime(moment).date() + timedelta(days=7),
                                 datetime.min.time()))
    else:
        local = timezone.localtime(period.start)
        year, month = local.year, local.month
        while True:
            moment = timezone.make_aware(datetime(year, month, 1))
            if moment >= period.end:
                break
            starts.append(moment)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def period_label(moment: datetime, by: Grouping) -> str:
    local = timezone.localtime(moment)
    if by == "month":
        return local.strftime("%b %Y")
    return f"{local.day} {local:%b}"


def _normal(moment: datetime) -> datetime:
    # TruncWeek/TruncMonth answer in the current zone; compare as UTC instants.
    return moment.astimezone(timezone.get_current_timezone()).replace(microsecond=0)


def compliance(period: Period, by: Grouping, *, formal_only: bool = False) -> list[ComplianceRow]:
    """SLA compliance per plan, team, week or month: met / measured, per target."""
    rows = measurements(period)
    if formal_only:
        rows = rows.filter(formal=True)
    if by == "plan":
        group: Any = F("plan_id")
    elif by == "team":
        group = F("team_id")
    elif by == "week":
        group = TruncWeek("due_at")
    else:
        group = TruncMonth("due_at")
    counted = (rows.order_by().annotate(group=group).values("group", "target")
               .annotate(total=Count("id"), met=Count("id", filter=MET)))
    groups: dict[Any, ComplianceRow] = {}

    def row_for(key: Any) -> ComplianceRow:
        if key not in groups:
            groups[key] = ComplianceRow(label="", key=key, overall=Compliance(), by_target={})
        return groups[key]

    for item in counted:
        key = _normal(item["group"]) if by in ("week", "month") else item["group"]
        row = row_for(key)
        row.overall.total += item["total"]
        row.overall.met += item["met"]
        row.by_target[item["target"]] = Compliance(item["total"], item["met"])

    if by in ("week", "month"):
        ordered = []
        for start in _period_starts(period, by):
            row = groups.get(_normal(start)) or ComplianceRow(
                label="", key=start, overall=Compliance(), by_target={})
            row.label = period_label(start, by)
            ordered.append(row)
        return ordered
    names: dict[Any, tuple[Any, str]]
    if by == "plan":
        names = {plan.pk: (-plan.rank, plan.name)
                 for plan in Plan.objects.filter(pk__in=[k for k in groups if k is not None])}
        missing = "No plan"
    else:
        names = {team.pk: (team.tier, team.name)
                 for team in Team.objects.filter(pk__in=[k for k in groups if k is not None])}
        missing = "No team"
    for key, row in groups.items():
        row.label = names.get(key, (0, missing))[1] if key is not None else missing
    # Plans by rank (Premium first), teams by tier; the unassigned group last.
    return sorted(groups.values(),
                  key=lambda row: (row.key is None, names.get(row.key, (0, ""))))


def overall_compliance(period: Period) -> Compliance:
    totals = measurements(period).aggregate(total=Count("id"), met=Count("id", filter=MET))
    return Compliance(totals["total"], totals["met"])


# -- breaches ----------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    measurement: SlaMeasurement
    ticket: Ticket

    @property
    def late_seconds(self) -> int:
        """How late the answer came; for a target still not met, how late it is so far."""
        m = self.measurement
        return outcomes.judge(m.due_at, m.met_at, m.breached_at, timezone.now()).late_seconds

    @property
    def late_text(self) -> str:
        return late_text(self.late_seconds)


late_text = outcomes.late_text


def breaches(period: Period, *, limit: int | None = None) -> Iterator[Breach]:
    """Missed targets, latest due first, with their tickets."""
    rows = (measurements(period).exclude(MET)
            .select_related("ticket", "ticket__organization", "plan", "team")
            .order_by("-due_at", "-id"))
    if limit is not None:
        rows = rows[:limit]
    for m in rows.iterator(chunk_size=1000):
        yield Breach(m, m.ticket)


def breach_count(period: Period) -> int:
    return measurements(period).exclude(MET).count()


# -- distributions ----------------------------------------------------------------

H = 3600
# Bucket edges in business seconds (the policy's calendar: 8 business hours is a day).
DISTRIBUTION_EDGES: dict[str, list[int]] = {
    Target.FIRST_RESPONSE: [0, 15 * 60, 30 * 60, H, 2 * H, 4 * H, 8 * H, 16 * H, 24 * H,
                            48 * H],
    Target.RESOLUTION: [0, H, 4 * H, 8 * H, 16 * H, 24 * H, 40 * H, 80 * H, 160 * H],
}


def span_text(seconds: int) -> str:
    """`15m`, `2h`: compact, so ten bucket labels fit under a chart."""
    if seconds < H:
        return f"{seconds // 60}m"
    return f"{seconds // H}h"


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int | None
    count: int

    @property
    def label(self) -> str:
        """`<15m`, `15\u201330m`, `30m\u20131h`, `48h+`."""
        if self.high is None:
            return f"{span_text(self.low)}+"
        if self.low == 0:
            return f"<{span_text(self.high)}"
        low, high = span_text(self.low), span_text(self.high)
        if low[-1] == high[-1]:
            low = low[:-1]
        return f"{low}\u2013{high}"


def business_text(seconds: int) -> str:
    """Business time as `1 h 30 min` (never days: a business day depends on the calendar)."""
    return duration_text(seconds)


@dataclass(frozen=True)
class Distribution:
    target: str
    buckets: list[Bucket]
    count: int
    median: int | None
    p90: int | None

    @property
    def label(self) -> str:
        return str(Target(self.target).label)

    @property
    def median_text(self) -> str:
        return "" if self.median is None else business_text(self.median)

    @property
    def p90_text(self) -> str:
        return "" if self.p90 is None else business_text(self.p90)


def distribution(period: Period, target: str) -> Distribution:
    """How long the targets that were met took, in business seconds, as a histogram."""
    edges = DISTRIBUTION_EDGES[target]
    rows = measurements(period).filter(target=target, met_at__isnull=False,
                                       business_seconds__isnull=False)
    bounds = list(zip(edges, [*edges[1:], None], strict=True))
    counts: dict[str, Any] = {"n": Count("id")}
    for i, (low, high) in enumerate(bounds):
        within = Q(business_seconds__gte=low)
        if high is not None:
            within &= Q(business_seconds__lt=high)
        counts[f"b{i}"] = Count("id", filter=within)
    found = rows.aggregate(**counts)
    total = found["n"]

    def at_rank(rank: int) -> int | None:
        value = (rows.order_by("business_seconds")
                 .values_list("business_seconds", flat=True)[rank:rank + 1])
        return next(iter(value), None)

    return Distribution(
        target=target,
        buckets=[Bucket(low, high, found[f"b{i}"]) for i, (low, high) in enumerate(bounds)],
        count=total,
        median=at_rank((total - 1) // 2) if total else None,
        p90=at_rank(max(0, -(-total * 9 // 10) - 1)) if total else None,
    )


# -- developer hours ---------------------------------------------------------------


@dataclass(frozen=True)
class WeekHours:
    week: datetime
    seconds: int
    budget: Decimal

    @property
    def hours(self) -> Decimal:
        return hours(self.seconds)

    @property
    def label(self) -> str:
        return period_label(self.week, "week")

    @property
    def percent(self) -> int | None:
        return int(self.hours * 100 / self.budget) if self.budget else None


def developer_hours_by_week(period: Period) -> list[WeekHours]:
    """Tier-3 time per week (work started in the period) against the weekly budget."""
    budget = CostSettings.current().weekly_developer_budget_hours
    rows = (TimeEntry.objects.filter(ended_at__isnull=False, tier__gte=DEVELOPER_TIER,
                                     started_at__gte=period.start, started_at__lt=period.end)
            .order_by().annotate(week=TruncWeek("started_at")).values("week")
            .annotate(seconds=Sum("seconds")))
    seconds = {_normal(row["week"]): row["seconds"] or 0 for row in rows}
    return [WeekHours(week, seconds.get(_normal(week), 0), budget)
            for week in _period_starts(period, "week")]


# -- cost per ticket and per organization ---------------------------------------------


@dataclass(frozen=True)
class CostRow:
    tier_seconds: tuple[int, int, int]
    cost: Decimal
    tickets: int = 1

    @property
    def seconds(self) -> int:
        return sum(self.tier_seconds)

    @property
    def hours(self) -> Decimal:
        return hours(self.seconds)

    @property
    def tier_hours(self) -> list[Decimal]:
        return [hours(s) for s in self.tier_seconds]


@dataclass(frozen=True)
class TicketCostRow(CostRow):
    ticket: Ticket | None = None


@dataclass(frozen=True)
class OrganizationCostRow(CostRow):
    organization: Organization | None = None

    @property
    def per_ticket(self) -> Decimal:
        return (self.cost / self.tickets).quantize(CENT) if self.tickets else Decimal("0")


def _costed(entries: QuerySet[TimeEntry, Any], settings: CostSettings) -> QuerySet[Any]:
    """Seconds per tier and a sortable cost (in cent-seconds, integers on both engines)."""
    def cents(tier: int) -> Value:
        return Value(int(settings.hourly(tier) * 100), output_field=BigIntegerField())

    def tier_sum(condition: Q) -> Coalesce:
        return Coalesce(Sum("seconds", filter=condition), Value(0),
                        output_field=BigIntegerField())

    return entries.annotate(
        s1=tier_sum(Q(tier=1)), s2=tier_sum(Q(tier=2)), s3=tier_sum(Q(tier__gte=3)),
    ).annotate(weighted=F("s1") * cents(1) + F("s2") * cents(2) + F("s3") * cents(3))


def _cost(row: dict[str, Any], settings: CostSettings) -> Decimal:
    return sum((money(row[f"s{tier}"], settings.hourly(tier)) for tier in (1, 2, 3)),
               Decimal("0.00"))


def _time_in(period: Period) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(ended_at__isnull=False, started_at__gte=period.start,
                                    started_at__lt=period.end).order_by()


def cost_per_ticket(period: Period, *, limit: int | None = None) -> list[TicketCostRow]:
    """The tickets with time in the period, costliest first."""
    settings = CostSettings.current()
    rows = (_costed(_time_in(period).values("ticket_id"), settings)
            .order_by("-weighted", "-ticket_id"))
    found = list(rows[:limit] if limit is not None else rows)
    tickets = Ticket.objects.select_related("organization").in_bulk(
        [row["ticket_id"] for row in found])
    return [TicketCostRow(tier_seconds=(row["s1"], row["s2"], row["s3"]),
                          cost=_cost(row, settings), ticket=tickets.get(row["ticket_id"]))
            for row in found]


def cost_per_organization(period: Period) -> list[OrganizationCostRow]:
    """Time and cost per organization (tickets without one together), costliest first."""
    settings = CostSettings.current()
    rows = list(_costed(_time_in(period).values("ticket__organization_id"), settings)
                .annotate(tickets=Count("ticket_id", distinct=True))
                .order_by("-weighted"))
    organizations = Organization.objects.select_related("plan").in_bulk(
        [row["ticket__organization_id"] for row in rows if row["ticket__organization_id"]])
    return [OrganizationCostRow(tier_seconds=(row["s1"], row["s2"], row["s3"]),
                                cost=_cost(row, settings), tickets=row["tickets"],
                                organization=organizations.get(row["ticket__organization_id"]))
            for row in rows]
