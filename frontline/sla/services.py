"""SLA operations: per-incident premiums, recomputing due times in bulk after a
plan, contract or policy change, and the scan that turns due times into
warnings and breaches with the policy's actions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import FilteredRelation, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition
from frontline.core.models import User
from frontline.customers.finders import find_plan
from frontline.customers.models import Organization, Plan
from frontline.notifications.services import Notice, notify_many
from frontline.sla import clock
from frontline.sla.models import (
    TARGET_BITS,
    IncidentPremium,
    SlaMeasurement,
    SlaPolicy,
)
from frontline.tickets.models import ACTIVE_STATUSES, Event, Ticket, TicketClock
from frontline.tickets.services.events import record_event

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 5000
SCAN_BATCH = 500
SCAN_LIMIT = 20_000


# -- per-incident premium ------------------------------------------------------------


def _price(value: Any, plan: Plan) -> Decimal:
    if value in (None, ""):
        if plan.incident_price is None:
            raise InvalidInput(f"{plan.name} has no list price; enter the price paid.",
                               field="price")
        return plan.incident_price
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"'{value}' is not an amount.", field="price") from None
    if not price.is_finite() or price < 0:
        raise InvalidInput("The price cannot be negative.", field="price")
    if price >= Decimal("1e8"):
        raise InvalidInput("The price is too large.", field="price")
    return price.quantize(Decimal("0.01"))


@transaction.atomic
def buy_incident_premium(ticket: Ticket, actor: User, plan: Plan | str | int,
                         price: Any = None, *, at: datetime | None = None) -> IncidentPremium:
    """Record a per-incident premium bought for this ticket: from now on it is
    served on `plan` (a per-incident plan) and its due times follow that plan.
    `price` defaults to the plan's list price."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    permissions.check_can_change_ticket(actor, ticket)
    found = find_plan(plan)
    if found is None:
        raise InvalidInput("Say which per-incident plan was bought.", field="plan")
    plan = found
    if not plan.per_incident:
        raise InvalidInput(f"{plan.name} is not sold per incident.", field="plan")
    if IncidentPremium.objects.filter(ticket=ticket).exists():
        raise InvalidTransition(f"{ticket.reference} already has a per-incident premium.")
    if not ticket.is_active:
        raise InvalidTransition(f"{ticket.reference} is {ticket.get_status_display().lower()}; "
                                "a premium is bought for open work.")
    now = at or timezone.now()
    premium = IncidentPremium.objects.create(ticket=ticket, plan=plan, price=_price(price, plan),
                                             bought_at=now, recorded_by=actor)
    record_event(ticket, "incident_premium", actor=actor, at=now, after=plan.name,
                 price=str(premium.price))
    clock.refresh(ticket, now, plan=plan)
    return premium


def per_incident_plans() -> list[Plan]:
    return [plan for plan in clock.catalog().plans.values() if plan.per_incident]


# -- bulk recompute -------------------------------------------------------------------

# The columns the bulk path reads, in this order: the ticket's, and its clock row's
# (`clock_row`, see _read_rows; a LEFT JOIN: a ticket without its row reads as one
# without a clock).
_READ = ("id", "created_at", "status", "priority", "organization_id", "clock_row__plan_id",
         "clock_row__sla_policy_id", "first_response_at", "last_customer_message_at",
         "last_agent_message_at", "clock_row__first_response_due", "clock_row__next_response_due",
         "clock_row__resolution_due", "clock_row__sla_due", "clock_row__sla_check_at",
         "clock_row__sla_paused_at", "clock_row__sla_paused_seconds", "clock_row__sla_warned",
         "clock_row__sla_breached")
_DATETIMES = frozenset(name for name in _READ if name.endswith(("_at", "_due")))
# The columns of tickets_ticketclock it writes (then the ticket's id).
_WRITE = ("plan_id", "sla_policy_id", "first_response_due", "next_response_due",
          "resolution_due", "sla_due", "sla_check_at", "sla_warned", "sla_breached")


def _read_rows(tickets: QuerySet[Ticket], vendor: str, after: int,
               where_clock: Q | None = None) -> QuerySet[Ticket, tuple[Any, ...]]:
    """The _READ columns of the tickets after id `after` (the caller filters the
    tickets so too). The clock rows are joined with the same bound in the join's
    ON clause: PostgreSQL does not carry a range from one side of a join to the
    other, and chose a merge join that read the clock's key index from its first
    row for every batch (1 s per batch half-way through a million tickets).
    `where_clock` (on `clock_row__...`) filters on that same join, for the same
    reason: a selection by plan or policy written as `clock__plan_id` is a second
    join on the clock, read from its first row again (200 ms per batch at 200,000).

    On SQLite the datetimes are read as their stored text (CAST): the sqlite3
    module's declared-type converter and a tzinfo replace cost about a tenth of
    the whole recompute; _reader parses the text once."""
    tickets = tickets.annotate(clock_row=FilteredRelation(
        "clock", condition=Q(clock__ticket_id__gt=after)))
    if where_clock is not None:
        tickets = tickets.filter(where_clock)
    if vendor != "sqlite":
        return tickets.values_list(*_READ)
    casts = {_text(name): Cast(name, TextField()) for name in _DATETIMES}
    return tickets.annotate(**casts).values_list(
        *(_text(name) if name in _DATETIMES else name for name in _READ))


def _text(name: str) -> str:
    return name.replace("__", "_") + "_text"


def _reader(vendor: str) -> Any:
    """Row values -> Python: on SQLite datetimes come as naive UTC text (see
    _read_rows); psycopg hands over aware datetimes."""
    if vendor != "sqlite":
        return None
    positions = [i for i, name in enumerate(_READ) if name in _DATETIMES]
    parse = datetime.fromisoformat

    def convert(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for i in positions:
            value = values[i]
            if value is not None:
                values[i] = parse(value + "+00:00")
        return values

    return convert


def _writer(vendor: str) -> Any:
    """Aware datetime -> what the driver stores: on SQLite Django's own format
    (naive UTC text, as adapt_datetimefield_value writes it, without its per-value
    settings lookups); psycopg takes aware datetimes."""
    if vendor != "sqlite":
        return lambda value: value

    def adapt(value: datetime) -> str:
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return str(value)[:-6]  # without "+00:00"

    return adapt


# PostgreSQL types of the clock columns, for the set-based update.
_TYPES = {"id": "bigint", "plan_id": "bigint", "sla_policy_id": "bigint",
          "first_response_due": "timestamptz", "next_response_due": "timestamptz",
          "resolution_due": "timestamptz", "sla_due": "timestamptz",
          "sla_check_at": "timestamptz", "sla_paused_at": "timestamptz",
          "sla_paused_seconds": "integer", "sla_warned": "smallint", "sla_breached": "smallint"}


def write_clock_rows(rows: Sequence[Sequence[Any]], *,
                     columns: Sequence[str] = _WRITE) -> None:
    """Write `columns` of many tickets' clock rows (tickets_ticketclock, never
    tickets_ticket): each row is their values (as _writer adapts them), then the
    ticket's id.

    On PostgreSQL one statement per batch, `UPDATE ... FROM unnest(arrays)`: the
    set-based `UPDATE ... FROM (VALUES ...)`, bound as one array per column (as many
    parameters as columns however many rows, where VALUES needs that many per row
    and meets the 65,535 limit). One statement instead of one per row saves the
    round trips and per-statement work (bench/RESULTS.md, issue 11 part 2). SQLite
    keeps executemany of one prepared single-row UPDATE: in-process it has no round
    trip to save.

    A ticket without its clock row (see TicketClock) gets it here: when fewer rows
    were updated than given, the missing ones are inserted and written again.
    """
    if not rows:
        return
    if _update_clock_rows(rows, columns) < len(rows):
        ids = [row[-1] for row in rows]
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO "tickets_ticketclock" ("ticket_id") SELECT t."id" '
                'FROM "tickets_ticket" t WHERE t."id" IN (' + ", ".join(["%s"] * len(ids))
                + ') AND NOT EXISTS (SELECT 1 FROM "tickets_ticketclock" c '
                'WHERE c."ticket_id" = t."id") ON CONFLICT DO NOTHING', ids)
        _update_clock_rows(rows, columns)


def _update_clock_rows(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> int:
    """write_clock_rows' UPDATE; how many rows it changed."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                'UPDATE "tickets_ticketclock" SET '
                + ", ".join(f'"{column}" = %s' for column in columns)
                + ' WHERE "ticket_id" = %s', rows)
            return int(cursor.rowcount)
        names = (*columns, "id")
        arrays = [list(values) for values in zip(*rows, strict=True)]
        cursor.execute(
            'UPDATE "tickets_ticketclock" AS c SET '
            + ", ".join(f'"{column}" = v."{column}"' for column in columns)
            + " FROM unnest(" + ", ".join(f"%s::{_TYPES[name]}[]" for name in names)
            + ") AS v(" + ", ".join(f'"{name}"' for name in names)
            + ') WHERE c."ticket_id" = v."id"', arrays)
        return int(cursor.rowcount)


def recompute_tickets(tickets: QuerySet[Ticket], *, at: datetime | None = None,
                      batch: int = RECOMPUTE_BATCH, record_plan_changes: bool = True,
                      where_clock: Q | None = None) -> int:
    """Recompute plan, policy and due times of many tickets: rows read in bulk
    (raw columns, keyset by id), computed with clock.compute, changed rows written
    with one statement per batch (write_clock_rows). Returns how many tickets changed.
    `where_clock` selects by the clock row too, as `Q(clock_row__plan_id=...)`
    (see _read_rows; recompute_scope writes it).

    Pauses and measurements are not touched: only what a plan, contract or
    policy change moves. The rows are not locked: a ticket changed meanwhile is
    refreshed by its own change.
    """
    now = at or timezone.now()
    day = timezone.localdate(now)
    cat = clock.catalog()
    vendor = connection.vendor
    convert = _reader(vendor)
    adapt = _writer(vendor)
    hours_by_policy: dict[int, Any] = {}
    premium_plans = {pk for pk, plan in cat.plans.items() if plan.per_incident}
    base = tickets.order_by()
    changed_total = 0
    last_id = 0
    while True:
        query = _read_rows(base.filter(pk__gt=last_id).order_by("pk"), vendor, last_id,
                           where_clock)[:batch]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            break
        last_id = rows[-1][0]
        if convert is not None:
            rows = [convert(row) for row in rows]
        clock.load_contracts((row[4] for row in rows), cat)
        premiums: set[int] = set()
        if premium_plans and any(row[5] in premium_plans for row in rows):
            premiums = set(IncidentPremium.objects.filter(
                ticket_id__in=[row[0] for row in rows if row[5] in premium_plans])
                .values_list("ticket_id", flat=True))
        updates: list[list[Any]] = []
        plan_events: list[Event] = []
        for row in rows:
            (pk, created_at, status, priority, organization_id, plan_id, policy_id,
             first_response_at, last_customer, last_agent, *clock_values) = row
            plan = _bulk_plan(cat, pk, plan_id, organization_id, premiums, day)
            new_plan_id = plan.pk if plan else None
            policy = clock.policy_for(plan, priority)
            state = clock.ClockState(
                created_at, status, first_response_at, last_customer, last_agent,
                *clock_values)
            before = (plan_id, policy_id, state.first_response_due, state.next_response_due,
                      state.resolution_due, state.sla_due, state.sla_check_at,
                      state.sla_warned, state.sla_breached)
            hours = None
            if policy is not None:
                hours = hours_by_policy.get(policy.pk)
                if hours is None:
                    hours = hours_by_policy[policy.pk] = cat.business_hours(policy)
            try:
                clock.compute(state, policy, hours, now)
            except InvalidInput:
                clock.compute(state, None, None, now)
            after = (new_plan_id, policy.pk if policy else None, state.first_response_due,
                     state.next_response_due, state.resolution_due, state.sla_due,
                     state.sla_check_at, state.sla_warned, state.sla_breached)
            if after == before:
                continue
            updates.append([adapt(v) if v.__class__ is datetime else v for v in after] + [pk])
            if record_plan_changes and new_plan_id != plan_id and plan_id is not None:
                old = cat.plans.get(plan_id)
                plan_events.append(Event(ticket_id=pk, kind="plan_changed", at=now,
                                         before=old.name if old else None,
                                         after=plan.name if plan else None, detail={}))
        if updates:
            with transaction.atomic():
                write_clock_rows(updates)
                if plan_events:
                    Event.objects.bulk_create(plan_events)
            changed_total += len(updates)
        if len(rows) < batch:
            break
    return changed_total


def _bulk_plan(cat: Any, ticket_id: int, plan_id: int | None, organization_id: int | None,
               premiums: set[int], day: date) -> Plan | None:
    if plan_id is not None and ticket_id in premiums:
        return cat.plans.get(plan_id)
    if organization_id is not None:
        plan_id, starts, ends = cat.contracts[organization_id]
        return clock.organization_plan(plan_id, starts, ends, day, cat)
    return cat.plans.get(cat.default_plan_id) if cat.default_plan_id else None


def _clock_condition(scope: dict[str, int], relation: str) -> Q | None:
    if "policy" in scope:
        return (Q(**{f"{relation}__plan_id": scope["plan"]})
                | Q(**{f"{relation}__sla_policy_id": scope["policy"]}))
    if "plan" in scope:
        return Q(**{f"{relation}__plan_id": scope["plan"]})
    return None


def _scope_tickets(scope: dict[str, int]) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    if "organization" in scope:
        return tickets.filter(organization_id=scope["organization"])
    return tickets


def affected_tickets(scope: dict[str, int]) -> QuerySet[Ticket]:
    """The active tickets a change moves, by its `scope` (JSON, so a task can carry
    it; frontline.sla.recompute): {"organization": id} after an organization's plan
    or contract changed; {"plan": id} after a plan's policies changed; {"plan": id,
    "policy": id} after a policy was created, changed or moved (the tickets on its
    plan, and those still naming it on its old plan); {} every active ticket (the
    default plan changed). For reading the set in one statement (counting, cutting
    it in ranges); recompute_scope recomputes it."""
    condition = _clock_condition(scope, "clock")
    tickets = _scope_tickets(scope)
    return tickets if condition is None else tickets.filter(condition)


def recompute_scope(scope: dict[str, int], *, after_id: int = 0, last_id: int | None = None,
                    at: datetime | None = None) -> int:
    """recompute_tickets over the tickets of `scope` (affected_tickets), those with
    ids after `after_id` up to `last_id` when given, with the plans, policies and
    contracts as they are now. Returns how many changed."""
    clock.clear_cache()
    tickets = _scope_tickets(scope)
    if after_id:
        tickets = tickets.filter(pk__gt=after_id)
    if last_id is not None:
        tickets = tickets.filter(pk__lte=last_id)
    condition = _clock_condition(scope, "clock_row")
    if condition is not None and last_id is not None:
        # The clock side's upper bound too: without it PostgreSQL hashed the clock
        # rows from the batch's start to the table's end for every batch.
        condition &= Q(clock_row__ticket_id__lte=last_id)
    return recompute_tickets(tickets, at=at, where_clock=condition)


def organization_scope(organization: Organization) -> dict[str, int]:
    return {"organization": organization.pk}


def plan_scope(plan: Plan) -> dict[str, int]:
    return {"plan": plan.pk}


def policy_scope(policy: SlaPolicy) -> dict[str, int]:
    # A new priority policy takes tickets from the plan's default one.
    return {"plan": policy.plan_id, "policy": policy.pk}


def recompute_all(*, at: datetime | None = None) -> int:
    """Now: every active ticket (the demo's history, a whole-desk repair)."""
    return recompute_scope({}, at=at)


# -- warnings and breaches ------------------------------------------------------------


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%a %d %b %H:%M} UTC"


def _people(ticket: Ticket) -> list[User | None]:
    return [ticket.assignee, ticket.team.lead if ticket.team else None]


@dataclass
class ScanWrites:
    """The measurements and notifications record_due_moments leaves to its caller
    when it checks a batch: written with one INSERT each by flush()."""

    measurements: list[SlaMeasurement] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def flush(self) -> None:
        measurements, self.measurements = self.measurements, []
        notices, self.notices = self.notices, []
        if measurements:
            SlaMeasurement.objects.bulk_create(measurements)
        if notices:
            notify_many(notices)


def record_due_moments(ticket: Ticket, now: datetime, *, writes: ScanWrites | None = None
                       ) -> tuple[int, int, SlaPolicy | None]:
    """Record the warnings and breaches whose moment has come. The caller holds the
    row lock, runs the policy's breach actions when a policy is returned (a fresh
    breach, inside FRONTLINE_SLA_ACTION_WINDOW_HOURS), then refreshes the clock,
    which moves `sla_check_at` on (frontline.workflow.promises does all three).
    Returns (warnings, breaches, the policy whose actions are due or None).

    With `writes` (a batch of the scan), the measurements and notifications are
    queued there and the clock's warned/breached flags are set but not saved:
    the caller writes them with the batch."""
    row = ticket.clock
    policy = clock.cached_policy(row.sla_policy_id)
    warnings = breaches = 0
    if policy is None or row.sla_paused_at is not None or not ticket.is_active:
        return warnings, breaches, None
    queued = writes if writes is not None else ScanWrites()
    hours = clock.business_hours(policy)
    state = clock.ClockState.of(ticket)
    warned, breached = row.sla_warned or 0, row.sla_breached or 0
    window = timedelta(hours=settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS)
    act = False
    for span in clock._spans(state, policy, hours):
        bit = TARGET_BITS[span.target]
        label = clock.TARGET_LABELS[span.target].lower()
        if not breached & bit and span.due <= now:
            breached |= bit
            warned |= bit
            breaches += 1
            fresh = now - span.due <= window
            act = act or fresh
            record_event(ticket, "sla_breach", at=now, target=str(span.target),
                         due=span.due.isoformat(), formal=policy.formal,
                         found_late=None if fresh else True)
            queued.measurements.append(SlaMeasurement(
                ticket=ticket, target=span.target, policy=policy, plan_id=policy.plan_id,
                team_id=ticket.team_id, priority=ticket.priority, formal=policy.formal,
                started_at=span.start, due_at=span.due, breached_at=now))
            if policy.notify and fresh:
                queued.notices.append(Notice(
                    _people(ticket), "sla_breach",
                    f"{ticket.reference} missed its {label} target (due "
                    f"{_when(span.due)}): {ticket.subject}", ticket, now))
        elif (not (warned | breached) & bit
              and clock.warning_at(span, policy.warn_percent, hours) <= now):
            warned |= bit
            warnings += 1
            record_event(ticket, "sla_warning", at=now, target=str(span.target),
                         due=span.due.isoformat(), formal=policy.formal)
            if policy.notify:
                promise = "our promise to the customer" if policy.formal else "the target"
                queued.notices.append(Notice(
                    _people(ticket), "sla_warning",
                    f"{ticket.reference} is about to miss {promise} for {label} (due "
                    f"{_when(span.due)}): answer now or send an honest update.", ticket, now))
    if warnings or breaches:
        row.sla_warned, row.sla_breached = warned or None, breached or None
        if writes is None:
            save_flags(ticket)
    if writes is None:
        queued.flush()
    return warnings, breaches, policy if act else None


# The clock columns a batch of the scan writes back (all refresh() may change).
_SCAN_WRITE = (*_WRITE, "sla_paused_at", "sla_paused_seconds")


def save_flags(ticket: Ticket) -> None:
    """Save the warned/breached flags record_due_moments set on the ticket's clock."""
    ticket.clock.store(["sla_warned", "sla_breached"])


def save_clock_fields(tickets: Sequence[Ticket]) -> None:
    """Write the clock fields of `tickets` (held under their row locks, changed in
    memory by record_due_moments and clock.refresh(save=False)) in one statement,
    to their clock rows."""
    adapt = _writer(connection.vendor)
    rows = []
    for ticket in tickets:
        row = ticket.clock
        rows.append([adapt(value) if value.__class__ is datetime else value
                     for value in (getattr(row, column) for column in _SCAN_WRITE)]
                    + [ticket.pk])
    write_clock_rows(rows, columns=_SCAN_WRITE)


def due_ticket_ids(now: datetime, limit: int, *, claim: bool = False) -> list[int]:
    """The scan's query: tickets whose next SLA moment has come, earliest first
    (an index range on clock_sla_check, however many tickets are open).

    `claim` (inside the caller's transaction) locks their clock rows and skips
    the rows another transaction holds, so two scans running at once take
    different tickets (PostgreSQL; SQLite runs one writing transaction at a time)."""
    rows = TicketClock.objects.filter(sla_check_at__lte=now).order_by("sla_check_at")
    if claim:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows.values_list("ticket_id", flat=True)[:limit])
