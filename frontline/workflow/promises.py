"""Keeping the promises: the SLA scan, and the actions a breach runs.

The SLA app records warnings and breaches (frontline.sla.services); what a
policy then does to the ticket (raise its priority, move it to a team, move it
up a tier) goes through the same operations a person's change would, so the
tier still has one writer (escalation) and every change its event.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.routing.escalation import escalate, prefill_tried
from frontline.sla import clock as sla_clock
from frontline.sla import services as sla_services
from frontline.sla.models import SlaPolicy
from frontline.tickets.models import Priority, Ticket
from frontline.tickets.services.state import change_field

SCAN_BATCH = sla_services.SCAN_BATCH
SCAN_LIMIT = sla_services.SCAN_LIMIT


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
                          tried=prefill_tried(ticket), at=now).ticket
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


def scan_due(now: datetime | None = None, *, batch: int = SCAN_BATCH,
             limit: int = SCAN_LIMIT) -> dict[str, int]:
    """Warnings and breaches due by `now`: the indexed query on sla_check_at, then
    each ticket in its own transaction under a row lock, re-checked there (a reply
    that arrived meanwhile wins; two workers never warn twice)."""
    now = now or timezone.now()
    counts = {"checked": 0, "warnings": 0, "breaches": 0}
    seen: Counter[int] = Counter()
    while counts["checked"] < limit:
        ids = [pk for pk in sla_services.due_ticket_ids(now, batch) if seen[pk] < 3]
        if not ids:
            break
        for ticket_id in ids:
            seen[ticket_id] += 1
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
                if ticket is None or ticket.sla_check_at is None or ticket.sla_check_at > now:
                    continue
                warnings, breaches = check_ticket(ticket, now)
            counts["checked"] += 1
            counts["warnings"] += warnings
            counts["breaches"] += breaches
    return counts
