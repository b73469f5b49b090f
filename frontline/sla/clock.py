"""The SLA clock: which plan and policy a ticket is served on, its due times,
pauses, warnings and breaches.

`refresh(ticket, at)` is called by the ticket lifecycle after everything that
matters (a new ticket, a customer message, an agent reply, a status, priority
or plan change). It recomputes the due times stored in the ticket's clock row
(`ticket.clock`, frontline.tickets.models.TicketClock), pauses the
clock while the ticket waits on the customer, writes an SlaMeasurement row when
a target is met, and sets `sla_check_at`: the next moment the breach scan
(frontline.sla.services.scan_due) must look at the ticket.

The arithmetic itself is `compute()`, a pure function over a ticket's clock
fields, so the bulk recompute path (services.recompute_*, bench/sla.py) runs the
same rules over rows read in bulk.

Plans, policies, calendars and organizations' contracts are cached in-process
(CACHE_SECONDS, and cleared when one of them is saved in this process): mail
ingest calls refresh for every new ticket, and it must cost no reads there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from frontline.core.errors import InvalidInput
from frontline.customers.models import Organization, Plan
from frontline.sla import outcomes
from frontline.sla.models import (
    TARGET_BITS,
    BusinessCalendar,
    ClosedDay,
    IncidentPremium,
    SlaMeasurement,
    SlaPolicy,
    Target,
    WorkingInterval,
)
from frontline.tickets.models import Priority, Status, Ticket
from frontline.tickets.services.events import record_event

if TYPE_CHECKING:
    from frontline.sla.businesstime import BusinessHours

logger = logging.getLogger(__name__)

# How long another process's change to a plan, policy, calendar or contract may
# take to reach this one. Changes made in this process clear the cache at once.
CACHE_SECONDS = 30.0

TARGETS: tuple[str, ...] = (Target.FIRST_RESPONSE, Target.NEXT_RESPONSE, Target.RESOLUTION)
TARGET_LABELS: dict[str, str] = {str(value): str(label) for value, label in Target.choices}
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


# -- the cache ------------------------------------------------------------------


class _Catalog:
    """Plans, policies and business hours as of `loaded_at` (two queries to load)."""

    def __init__(self) -> None:
        self.loaded_at = time.monotonic()
        self.plans: dict[int, Plan] = {plan.pk: plan for plan in Plan.objects.all()}
        self.default_plan_id = next((plan.pk for plan in self.plans.values()
                                     if plan.is_default), None)
        self.policies: dict[int, SlaPolicy] = {}
        self.by_plan: dict[tuple[int, int | None], SlaPolicy] = {}
        for policy in SlaPolicy.objects.select_related("calendar"):
            policy.plan = self.plans[policy.plan_id]
            self.policies[policy.pk] = policy
            self.by_plan[(policy.plan_id, policy.priority)] = policy
        self.hours: dict[int | None, BusinessHours] = {}
        # organization id -> (plan id, contract starts, contract ends)
        self.contracts: dict[int, tuple[int | None, date | None, date | None]] = {}

    def business_hours(self, policy: SlaPolicy | None) -> BusinessHours:
        from frontline.sla.businesstime import BusinessHours

        calendar_id = policy.calendar_id if policy is not None else None
        hours = self.hours.get(calendar_id)
        if hours is None:
            if calendar_id is None or policy is None or policy.calendar is None:
                hours = BusinessHours.around_the_clock()
            else:
                hours = BusinessHours.for_calendar(policy.calendar)
            self.hours[calendar_id] = hours
        return hours


_lock = threading.Lock()
_current: _Catalog | None = None


def catalog() -> _Catalog:
    global _current
    found = _current
    if found is None or time.monotonic() - found.loaded_at > CACHE_SECONDS:
        with _lock:
            found = _current
            if found is None or time.monotonic() - found.loaded_at > CACHE_SECONDS:
                found = _current = _Catalog()
    return found


def clear_cache(*args: Any, **kwargs: Any) -> None:
    """Forget cached plans, policies, calendars and contracts (after a change).
    Takes and ignores signal arguments, so it can be a receiver."""
    global _current
    _current = None


def _connect_cache_signals() -> None:
    senders: tuple[type[Model], ...] = (Plan, SlaPolicy, BusinessCalendar, WorkingInterval,
                                        ClosedDay, Organization)
    for sender in senders:
        post_save.connect(clear_cache, sender=sender, dispatch_uid=f"sla-cache-{sender.__name__}")
        post_delete.connect(clear_cache, sender=sender,
                            dispatch_uid=f"sla-cache-del-{sender.__name__}")


# Cache invalidation only (no business rules ride on these signals).
_connect_cache_signals()


# -- plan and policy --------------------------------------------------------------


def _contract(ticket: Ticket, cat: _Catalog) -> tuple[int | None, date | None, date | None]:
    organization_id = ticket.organization_id
    assert organization_id is not None
    # open_ticket hands over the requester's organization already loaded: no query.
    if Ticket.organization.is_cached(ticket) and ticket.organization is not None:
        org = ticket.organization
        found = (org.plan_id, org.plan_starts_on, org.plan_ends_on)
        cat.contracts[organization_id] = found
        return found
    found_or_none = cat.contracts.get(organization_id)
    if found_or_none is None:
        row = (Organization.objects.filter(pk=organization_id)
               .values_list("plan_id", "plan_starts_on", "plan_ends_on").first())
        found_or_none = row if row is not None else (None, None, None)
        cat.contracts[organization_id] = found_or_none
    return found_or_none


def load_contracts(organization_ids: Iterable[int | None], cat: _Catalog | None = None) -> None:
    """Read the contracts of many organizations in one query, for a batch about to
    compute its tickets' plans (the bulk recompute, the scan), so _contract finds
    them cached instead of reading one organization per ticket."""
    cat = cat or catalog()
    missing = {pk for pk in organization_ids if pk is not None} - cat.contracts.keys()
    if not missing:
        return
    for pk, plan_id, starts, ends in Organization.objects.filter(pk__in=missing).values_list(
            "pk", "plan_id", "plan_starts_on", "plan_ends_on"):
        cat.contracts[pk] = (plan_id, starts, ends)
        missing.discard(pk)
    for pk in missing:
        cat.contracts[pk] = (None, None, None)


def organization_plan(plan_id: int | None, starts: date | None, ends: date | None,
                      day: date, cat: _Catalog | None = None) -> Plan | None:
    """The plan an organization is served on on `day`: its own while the contract
    holds, else the default plan."""
    cat = cat or catalog()
    if plan_id is not None and (starts is None or starts <= day) and (ends is None
                                                                      or day <= ends):
        plan = cat.plans.get(plan_id)
        if plan is not None:
            return plan
    return cat.plans.get(cat.default_plan_id) if cat.default_plan_id else None


def plan_for_ticket(ticket: Ticket, *, on: date | None = None) -> Plan | None:
    """The plan the ticket is served on: a per-incident premium bought for it, else
    its organization's plan while the contract dates hold, else the default plan."""
    cat = catalog()
    day = on or timezone.localdate()
    plan_id = ticket.clock.plan_id
    current = cat.plans.get(plan_id) if plan_id else None
    # Only buy_incident_premium puts a per-incident plan on a ticket; the row is
    # checked (a rare query) so that deleting the purchase ends the premium.
    if current is not None and current.per_incident and IncidentPremium.objects.filter(
            ticket_id=ticket.pk, plan_id=current.pk).exists():
        return current
    if ticket.organization_id is not None:
        return organization_plan(*_contract(ticket, cat), day, cat)
    return cat.plans.get(cat.default_plan_id) if cat.default_plan_id else None


def policy_for(plan: Plan | None, priority: int) -> SlaPolicy | None:
    """The plan's policy for this priority, else its policy for any priority."""
    if plan is None:
        return None
    cat = catalog()
    return cat.by_plan.get((plan.pk, priority)) or cat.by_plan.get((plan.pk, None))


def cached_policy(policy_id: int | None) -> SlaPolicy | None:
    return catalog().policies.get(policy_id) if policy_id else None


def cached_plan(plan_id: int | None) -> Plan | None:
    return catalog().plans.get(plan_id) if plan_id else None


def business_hours(policy: SlaPolicy | None) -> BusinessHours:
    return catalog().business_hours(policy)


def policy_name(policy: SlaPolicy | None) -> str | None:
    """"Premium, urgent priority" / "Standard, any priority"."""
    if policy is None:
        return None
    plan = cached_plan(policy.plan_id) or policy.plan
    if policy.priority is None:
        return f"{plan.name}, any priority"
    try:
        label = Priority(policy.priority).label.lower()
    except ValueError:
        label = str(policy.priority)
    return f"{plan.name}, {label} priority"


# -- the arithmetic -------------------------------------------------------------------


@dataclass(slots=True)
class ClockState:
    """A ticket's clock fields: what compute() reads and writes (the first five are
    the ticket's own, the rest its clock row's)."""

    created_at: datetime
    status: str
    first_response_at: datetime | None = None
    last_customer_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None
    first_response_due: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    sla_due: datetime | None = None
    sla_check_at: datetime | None = None
    sla_paused_at: datetime | None = None
    sla_paused_seconds: int | None = None
    sla_warned: int | None = None
    sla_breached: int | None = None

    @classmethod
    def of(cls, ticket: Ticket) -> ClockState:
        row = ticket.clock
        return cls(ticket.created_at, ticket.status, ticket.first_response_at,
                   ticket.last_customer_message_at, ticket.last_agent_message_at,
                   *(getattr(row, name) for name in _CLOCK_STATE))


# ClockState's fields kept in the clock row, in order: with plan and sla_policy,
# what refresh() may change (saved with update_fields).
_CLOCK_STATE = tuple(ClockState.__dataclass_fields__)[5:]


@dataclass(slots=True)
class Span:
    """One open target: counted from `start` (business time), due at `due`;
    `offset` business seconds are already used up before the span (pauses)."""

    target: str
    start: datetime
    seconds: int
    offset: int
    due: datetime


def _spans(state: ClockState, policy: SlaPolicy, hours: BusinessHours) -> list[Span]:
    spans: list[Span] = []
    if state.status in DONE_STATUSES:
        return spans
    if state.first_response_at is None and policy.first_response_minutes is not None:
        seconds = policy.first_response_minutes * 60
        spans.append(Span(Target.FIRST_RESPONSE, state.created_at, seconds, 0,
                          hours.add(state.created_at, seconds)))
    customer = state.last_customer_message_at
    agent = state.last_agent_message_at
    if (state.first_response_at is not None and policy.next_response_minutes is not None
            and customer is not None and (agent is None or customer > agent)):
        seconds = policy.next_response_minutes * 60
        spans.append(Span(Target.NEXT_RESPONSE, customer, seconds, 0,
                          hours.add(customer, seconds)))
    if policy.resolution_minutes is not None:
        seconds = policy.resolution_minutes * 60
        paused = state.sla_paused_seconds or 0
        spans.append(Span(Target.RESOLUTION, state.created_at, seconds, paused,
                          hours.add(state.created_at, seconds + paused)))
    return spans


def warning_at(span: Span, percent: int, hours: BusinessHours) -> datetime:
    """The moment `percent` of the span's business time is used up."""
    return hours.add(span.start, span.offset + span.seconds * percent // 100)


def compute(state: ClockState, policy: SlaPolicy | None, hours: BusinessHours | None,
            at: datetime) -> list[Span]:
    """Recompute the due times, the earliest open due and the next check moment in
    `state` (pauses are handled by the caller). Returns the open targets.

    A target's warned / breached bit survives a change of its due time only if
    the new moment has passed too: a premium that moves a due time out takes the
    breach back, a raised priority that moves it in keeps it.
    """
    before: dict[str, datetime | None] = {Target.FIRST_RESPONSE: state.first_response_due,
              Target.NEXT_RESPONSE: state.next_response_due,
              Target.RESOLUTION: state.resolution_due}
    spans = _spans(state, policy, hours) if policy is not None and hours is not None else []
    dues = {span.target: span.due for span in spans}
    state.first_response_due = dues.get(Target.FIRST_RESPONSE)
    state.next_response_due = dues.get(Target.NEXT_RESPONSE)
    state.resolution_due = dues.get(Target.RESOLUTION)
    warned, breached = state.sla_warned or 0, state.sla_breached or 0
    percent = policy.warn_percent if policy is not None else 75
    warn_moments: dict[str, datetime] = {}
    for target in TARGETS:
        bit = TARGET_BITS[target]
        due = dues.get(target)
        if due == before[target]:
            continue
        if due is None:
            # Met or no longer asked for: a new cycle (the next customer message)
            # starts unwarned. A breach of first response or resolution stays.
            if target == Target.NEXT_RESPONSE:
                warned &= ~bit
                breached &= ~bit
            continue
        if breached & bit and due > at:
            breached &= ~bit
        if warned & bit:
            span = next(s for s in spans if s.target == target)
            warn_moments[target] = warning_at(span, percent, hours)  # type: ignore[arg-type]
            if warn_moments[target] > at and not breached & bit:
                warned &= ~bit
    state.sla_warned = warned or None
    state.sla_breached = breached or None
    if state.sla_paused_at is not None or not spans:
        state.sla_due = None
        state.sla_check_at = None
        return spans
    state.sla_due = min(dues.values())
    best: datetime | None = None
    for span in spans:
        if not breached & TARGET_BITS[span.target] and (best is None or span.due < best):
            best = span.due
    for span in spans:
        bit = TARGET_BITS[span.target]
        if breached & bit or warned & bit:
            continue
        # Business time runs no faster than the wall clock: a warning that cannot
        # come before the best moment so far need not be computed (the bulk path
        # skips most resolution warnings this way).
        used = span.offset + span.seconds * percent // 100
        if best is not None and span.start + timedelta(seconds=used) >= best:
            continue
        moment = warn_moments.get(span.target) or hours.add(  # type: ignore[union-attr]
            span.start, used)
        if best is None or moment < best:
            best = moment
    state.sla_check_at = best
    return spans


# -- refresh ------------------------------------------------------------------------


def _measure(ticket: Ticket, target: str, policy: SlaPolicy | None, *, started_at: datetime,
             due_at: datetime, met_at: datetime, business_seconds: int, breached: bool) -> None:
    if breached:
        # The breach wrote the row; the target met late completes it.
        row = (SlaMeasurement.objects.filter(ticket=ticket, target=target, met_at__isnull=True,
                                             breached_at__isnull=False)
               .order_by("-due_at").first())
        if row is not None:
            row.met_at = met_at
            row.business_seconds = max(0, business_seconds)
            row.save(update_fields=["met_at", "business_seconds"])
            return
    SlaMeasurement.objects.create(
        ticket=ticket, target=target, policy=policy,
        plan_id=policy.plan_id if policy else ticket.clock.plan_id, team_id=ticket.team_id,
        priority=ticket.priority, formal=policy.formal if policy else False,
        started_at=started_at, due_at=due_at, met_at=met_at,
        business_seconds=max(0, business_seconds),
    )


def refresh(ticket: Ticket, at: datetime, *, plan: Plan | None = None,
            save: bool = True) -> list[str]:
    """Recompute the ticket's promises after something that matters happened.

    The caller holds the ticket's row lock (the lifecycle does; it guards the
    clock row too) and has saved its own changes; this saves the clock fields
    that changed, in the clock row only, and returns their names (with
    `save=False` it only sets them: a batch of the scan writes them together,
    frontline.sla.services.save_clock_fields). `plan` forces the plan (a
    per-incident premium just bought); otherwise plan_for_ticket decides.
    """
    row = ticket.clock
    old = ClockState.of(ticket)
    old_plan_id, old_policy_id = row.plan_id, row.sla_policy_id
    if plan is None:
        plan = plan_for_ticket(ticket, on=timezone.localdate(at))
    policy = policy_for(plan, ticket.priority)
    if (plan.pk if plan else None) != old_plan_id:
        if old_plan_id is not None:
            before = cached_plan(old_plan_id)
            record_event(ticket, "plan_changed", at=at,
                         before=before.name if before else None,
                         after=plan.name if plan else None)
        row.plan = plan
    if (policy.pk if policy else None) != old_policy_id:
        row.sla_policy = policy
    hours = business_hours(policy) if policy is not None else None
    state = ClockState.of(ticket)
    old_policy = cached_policy(old_policy_id) or policy
    old_hours = business_hours(old_policy) if old_policy is not None else hours

    # The pause: waiting on the customer stops the clock; resuming pushes the
    # resolution target out by the business time paused.
    waiting = ticket.status == Status.PENDING_CUSTOMER
    if waiting and state.sla_paused_at is None and policy is not None:
        state.sla_paused_at = at
        record_event(ticket, "sla_paused", at=at)
    elif not waiting and state.sla_paused_at is not None:
        paused = (old_hours or business_hours(None)).seconds_between(state.sla_paused_at, at)
        state.sla_paused_seconds = (state.sla_paused_seconds or 0) + max(0, paused)
        if ticket.status not in DONE_STATUSES:
            record_event(ticket, "sla_resumed", at=at, seconds=max(0, paused))
        state.sla_paused_at = None

    try:
        compute(state, policy, hours, at)
    except InvalidInput:
        # A calendar without working hours: no due times rather than no ticket.
        logger.warning("SLA policy %s cannot compute due times for %s", policy, ticket.reference,
                       exc_info=True)
        compute(state, None, None, at)

    # Targets met by what just happened.
    hours_then = old_hours or hours
    if hours_then is not None:
        breached = old.sla_breached or 0
        if old.first_response_due is not None and ticket.first_response_at is not None:
            _measure(ticket, Target.FIRST_RESPONSE, old_policy, started_at=ticket.created_at,
                     due_at=old.first_response_due, met_at=ticket.first_response_at,
                     business_seconds=hours_then.seconds_between(ticket.created_at,
                                                                 ticket.first_response_at),
                     breached=bool(breached & TARGET_BITS[Target.FIRST_RESPONSE]))
        agent = ticket.last_agent_message_at
        customer = ticket.last_customer_message_at
        if (old.next_response_due is not None and state.next_response_due is None
                and agent is not None and customer is not None and agent >= customer):
            _measure(ticket, Target.NEXT_RESPONSE, old_policy, started_at=customer,
                     due_at=old.next_response_due, met_at=agent,
                     business_seconds=hours_then.seconds_between(customer, agent),
                     breached=bool(breached & TARGET_BITS[Target.NEXT_RESPONSE]))
        if (old.resolution_due is not None and ticket.status in DONE_STATUSES
                and ticket.resolved_at is not None):
            _measure(ticket, Target.RESOLUTION, old_policy, started_at=ticket.created_at,
                     due_at=old.resolution_due, met_at=ticket.resolved_at,
                     business_seconds=hours_then.seconds_between(
                         ticket.created_at, ticket.resolved_at) - (state.sla_paused_seconds or 0),
                     breached=bool(breached & TARGET_BITS[Target.RESOLUTION]))

    changed = [name for name in ("plan", "sla_policy") if
               getattr(row, f"{name}_id") != (old_plan_id if name == "plan"
                                              else old_policy_id)]
    for name in _CLOCK_STATE:
        if getattr(state, name) != getattr(old, name):
            setattr(row, name, getattr(state, name))
            changed.append(name)
    if changed and save:
        # A ticket without its row (see TicketClock) gets it now.
        row.store(changed)
    return changed


# -- reading ----------------------------------------------------------------------


def breached_targets(ticket: Ticket, now: datetime) -> list[str]:
    """Targets breached: marked by the scan, or past due and not yet scanned."""
    row = ticket.clock
    bits = row.sla_breached or 0
    found = []
    for target, due in ((Target.FIRST_RESPONSE, row.first_response_due),
                        (Target.NEXT_RESPONSE, row.next_response_due),
                        (Target.RESOLUTION, row.resolution_due)):
        if bits & TARGET_BITS[target] or (due is not None and due <= now
                                          and row.sla_paused_at is None):
            found.append(str(target))
    return found


def summary(ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
    """What the API and other apps show of a ticket's promises (no queries when warm)."""
    now = now or timezone.now()
    row = ticket.clock
    policy = cached_policy(row.sla_policy_id)
    plan = cached_plan(row.plan_id)
    return {
        "plan": plan.name if plan else None,
        "policy": policy_name(policy),
        "formal": bool(policy.formal) if policy else False,
        "first_response_due": row.first_response_due,
        "next_response_due": row.next_response_due,
        "resolution_due": row.resolution_due,
        "paused": row.sla_paused_at is not None,
        "breached": breached_targets(ticket, now),
    }


@dataclass(frozen=True)
class TargetView:
    """One target as the desk shows it."""

    target: str
    label: str
    due: datetime | None
    remaining_seconds: int | None
    warned: bool
    breached: bool
    met_at: datetime | None
    # Met in time or missed by how long (frontline.sla.outcomes, the reports' rule);
    # empty while a target still runs within its time.
    outcome: outcomes.Outcome | None = None


def _finished_outcomes(ticket: Ticket, now: datetime) -> dict[str, outcomes.Outcome]:
    """Each finished target's outcome, from its measurement (the due time it had when it
    was answered; the ticket keeps no due time for a met target). One query."""
    judged = {}
    for row in (SlaMeasurement.objects.filter(ticket=ticket, met_at__isnull=False)
                .order_by("id").only("target", "due_at", "met_at", "breached_at")):
        judged[row.target] = outcomes.judge(row.due_at, row.met_at, row.breached_at, now)
    return judged


def targets_view(ticket: Ticket, now: datetime | None = None) -> list[TargetView]:
    """Every target the ticket's policy sets, with its due time and state."""
    now = now or timezone.now()
    row = ticket.clock
    policy = cached_policy(row.sla_policy_id)
    if policy is None:
        return []
    warned, breached = row.sla_warned or 0, row.sla_breached or 0
    finished = (_finished_outcomes(ticket, now)
                if ticket.first_response_at is not None or ticket.resolved_at is not None
                else {})
    rows = []
    for target, minutes, due, met in (
            (Target.FIRST_RESPONSE, policy.first_response_minutes, row.first_response_due,
             ticket.first_response_at),
            (Target.NEXT_RESPONSE, policy.next_response_minutes, row.next_response_due,
             None),
            (Target.RESOLUTION, policy.resolution_minutes, row.resolution_due,
             ticket.resolved_at)):
        if minutes is None:
            continue
        bit = TARGET_BITS[target]
        late = bool(breached & bit) or (due is not None and due <= now
                                        and row.sla_paused_at is None)
        if due is not None:
            outcome = outcomes.judge(due, None, now if breached & bit else None, now)
        elif met is not None:
            # No measurement (a ticket older than them): the breach bit still tells.
            outcome = finished.get(str(target)) or outcomes.Outcome(
                met=not breached & bit, missed=bool(breached & bit), late_seconds=0)
        else:
            outcome = None
        rows.append(TargetView(
            target=str(target), label=TARGET_LABELS[target], due=due,
            remaining_seconds=int((due - now).total_seconds()) if due is not None else None,
            warned=bool(warned & bit), breached=late, met_at=met if due is None else None,
            outcome=outcome if outcome is not None and (outcome.met or outcome.missed)
            else None))
    return rows
