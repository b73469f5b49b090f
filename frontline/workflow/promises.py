"""Keeping the promises: the SLA scan, and the actions a breach runs.

The SLA app records warnings and breaches (frontline.sla.services); what a
policy then does to the ticket (raise its priority, move it to a team, move it
up a tier) goes through the same operations a person's change would, so the
tier still has one writer (escalation) and every change its event.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.core import outages
from frontline.costs import services as costs
from frontline.routing.escalation import escalate, prefill_tried
from frontline.sla import clock as sla_clock
from frontline.sla import services as sla_services
from frontline.sla.models import SlaPolicy
from frontline.tickets.models import Priority, Ticket
from frontline.tickets.services.events import events_together
from frontline.tickets.services.state import change_field

SCAN_BATCH = sla_services.SCAN_BATCH
SCAN_LIMIT = sla_services.SCAN_LIMIT
# A ticket the scan could not check is left for the next run after this many tries.
SCAN_TRIES = 3

logger = logging.getLogger(__name__)


def run_breach_actions(ticket: Ticket, policy: SlaPolicy, now: datetime) -> Ticket:
    """The policy's actions on a breach, as the system (actor None). The caller holds
    the row lock; returns the ticket as it now stands."""
    if policy.raise_priority and ticket.priority < Priority.URGENT:
        old, new = Priority(ticket.priority), Priority(ticket.priority + 1)
        change_field(ticket, None, "priority", new.value, new.name.lower(), old.name.lower(),
                     "priority_changed", now)
    if policy.move_to_team_id and policy.move_to_team_id != ticket.team_id:
        team = policy.move_to_team
        old_team = ticket.team
        change_field(ticket, None, "team", team, team.name if team else None,
                     old_team.name if old_team else None, "team_changed", now)
    if policy.move_to_tier and policy.move_to_tier > ticket.tier:
        team = ticket.team if ticket.team and ticket.team.tier == policy.move_to_tier else None
        ticket = escalate(ticket, None, policy.move_to_tier, team=team,
                          reason=f"SLA target missed ({policy_label(policy)}).",
                          tried=prefill_tried(ticket), at=now, held=True).ticket
    return ticket


def policy_label(policy: SlaPolicy) -> str:
    return sla_clock.policy_name(policy) or "SLA"


def check_ticket(ticket: Ticket, now: datetime) -> tuple[int, int]:
    """Record the warnings and breaches due on `ticket`, run the breach actions, and
    move its next SLA moment on. The caller holds the row lock. (warnings, breaches)"""
    warnings, breaches, acting = sla_services.record_due_moments(ticket, now)
    if acting is not None:
        ticket = run_breach_actions(ticket, acting, now)
    # Moves sla_check_at past `now` (a raised priority may bring a moment into the
    # past: the scan takes the ticket again, at most a few times per run).
    sla_clock.refresh(ticket, now)
    return warnings, breaches


def check_tickets(tickets: Sequence[Ticket], now: datetime) -> tuple[int, int]:
    """check_ticket for a batch of tickets the caller holds locked: the same
    events, measurements, notifications, actions and clock, written together
    (one INSERT per kind of row and one UPDATE of the clock columns for the
    batch, instead of a handful of statements per ticket). The batch's warnings
    and breaches are brought on record first; then the tickets whose breach acts
    are acted on one by one, so each timeline reads as check_ticket writes it.
    (warnings, breaches)"""
    writes = sla_services.ScanWrites()
    sla_clock.load_contracts(ticket.organization_id for ticket in tickets)
    checked: list[Ticket] = []
    acting: list[tuple[Ticket, SlaPolicy]] = []
    warnings = breaches = 0
    # The escalations a batch's breaches run are weighed against one reading of
    # the cost settings and the week's developer budget.
    with events_together() as events, costs.read_once():
        for ticket in tickets:
            warned, breached, policy = sla_services.record_due_moments(ticket, now,
                                                                       writes=writes)
            if policy is not None:
                acting.append((ticket, policy))
            else:
                sla_clock.refresh(ticket, now, save=False)
                checked.append(ticket)
            warnings += warned
            breaches += breached
        events.flush()
        writes.flush()
        for ticket, policy in acting:
            ticket = run_breach_actions(ticket, policy, now)
            sla_clock.refresh(ticket, now, save=False)
            checked.append(ticket)
        writes.flush()
    sla_services.save_clock_fields(checked)
    return warnings, breaches


def scan_due(now: datetime | None = None, *, batch: int = SCAN_BATCH,
             limit: int = SCAN_LIMIT, spread: Callable[[], None] | None = None
             ) -> dict[str, int]:
    """Warnings and breaches due by `now`: batches of tickets claimed from the
    indexed query on the clock rows' sla_check_at, each in one transaction under
    its rows' locks, re-checked there (a reply that arrived meanwhile wins; two
    scans never warn twice: a row another transaction holds is skipped, and found
    again on the next pass or run).

    `spread` is called first when more than a batch is due (a backlog): it may
    queue other scans, which then claim other batches beside this one."""
    now = now or timezone.now()
    counts = {"checked": 0, "warnings": 0, "breaches": 0}
    seen: Counter[int] = Counter()
    if spread is not None and len(sla_services.due_ticket_ids(now, batch + 1)) > batch:
        spread()
    while counts["checked"] < limit:
        ids: list[int] = []
        try:
            with transaction.atomic():
                ids = [pk for pk in sla_services.due_ticket_ids(now, batch, claim=True)
                       if seen[pk] < SCAN_TRIES]
                if not ids:
                    break
                seen.update(ids)
                tickets = list(_locked_due(ids, now))
                warnings, breaches = check_tickets(tickets, now)
            checked = len(tickets)
        except Exception as error:
            # The database away: the worker runs the task again (core/worker.py).
            if outages.is_transient(error) or not ids:
                raise
            # One ticket that cannot be checked must not hold up the other 499 (nor
            # every later scan): the batch again, one ticket per transaction.
            logger.exception("SLA scan: a batch of %s tickets failed; checking them one "
                             "by one", len(ids))
            checked, warnings, breaches = _check_one_by_one(ids, now, seen)
        counts["checked"] += checked
        counts["warnings"] += warnings
        counts["breaches"] += breaches
    return counts


def _locked_due(ids: Sequence[int], now: datetime) -> list[Ticket]:
    """The tickets of `ids` still due by `now`, locked with their clock rows; rows
    another transaction holds are skipped (found again on the next pass or run).

    Both rows are locked. The ticket's lock is the one every change of the ticket
    takes first (and then writes the clock under it), so the scan serialises with
    agents' changes as before. The clock row's lock makes the re-check sound: a
    scan that checked these tickets in another worker and committed after this
    statement began changed only their clock rows, and PostgreSQL re-reads a
    locked row that changed meanwhile and tests `sla_check_at <= now` again on its
    new version (not on this statement's snapshot), so the ticket is skipped, not
    warned twice. SKIP LOCKED never waits, so the two locks cannot deadlock with a
    change that holds the ticket and waits for its clock row."""
    return list(Ticket.objects.select_for_update(skip_locked=True, of=("self", "clock"))
                .filter(pk__in=ids, clock__sla_check_at__lte=now)
                .select_related("clock", "assignee", "team__lead", "organization")
                .order_by("pk"))


def _check_one_by_one(ids: Sequence[int], now: datetime,
                      seen: Counter[int]) -> tuple[int, int, int]:
    """check_ticket for each of `ids` in its own transaction; a ticket that fails is
    logged with its reference and left for the next run. (checked, warnings, breaches)"""
    checked = warnings = breaches = 0
    for ticket_id in ids:
        try:
            with transaction.atomic():
                found = _locked_due([ticket_id], now)
                if not found:
                    continue
                warned, breached = check_ticket(found[0], now)
        except Exception as error:
            if outages.is_transient(error):
                raise
            seen[ticket_id] = SCAN_TRIES
            logger.exception("SLA scan: ticket %s could not be checked; left for the next "
                             "run", ticket_id)
            continue
        checked += 1
        warnings += warned
        breaches += breached
    return checked, warnings, breaches
