"""Changing a ticket's fields from the desk, the API or a bulk action.

Each is one transaction under the ticket's row lock with the permission check
first; the SLA clock follows the changes it reads (status, priority), the
search index the ones it shows (subject). The tier is not a field here: see
frontline.workflow.tiers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.accounts import find_assignee
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.core.tiers import parse_tier
from frontline.costs import services as time_costs
from frontline.notifications import services as notifications
from frontline.routing import inputs as routing_inputs
from frontline.routing.arrival import add_tags as add_tag_rows
from frontline.routing.teams import find_team
from frontline.search import index as search_index
from frontline.sla import clock as sla_clock
from frontline.tickets.models import Priority, Status, Ticket
from frontline.tickets.services.entry import check_accepts_change
from frontline.tickets.services.inputs import clean_subject, parse_status
from frontline.tickets.services.lookup import locked_ticket
from frontline.tickets.services.state import (
    FINISHED_STATUSES,
    apply_assignee,
    apply_status,
    change_field,
    reopen_status,
)
from frontline.tickets.taxonomy import find_category, find_priority
from frontline.workflow.tiers import set_tier


@transaction.atomic
def change_status(ticket: Ticket, actor: User, status: str, *, reason: str = "",
                  at: datetime | None = None) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    target = parse_status(status)
    now = at or timezone.now()
    if target == Status.OPEN and ticket.status in FINISHED_STATUSES:
        reopen_status(ticket, actor, now, reason=reason or "Reopened by staff.")
    elif not apply_status(ticket, actor, target, now, reason=reason):
        return ticket
    sla_clock.refresh(ticket, now)
    if ticket.status in FINISHED_STATUSES:
        # Nobody works a resolved or closed ticket: its running timers end here.
        time_costs.stop_timers_on(ticket, now)
    return ticket


@transaction.atomic
def reopen(ticket: Ticket, actor: User, *, reason: str = "") -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    now = timezone.now()
    reopen_status(ticket, actor, now, reason=reason or "Reopened by staff.")
    sla_clock.refresh(ticket, now)
    return ticket


@transaction.atomic
def assign(ticket: Ticket, actor: User, assignee: str | int | User | None,
           *, at: datetime | None = None) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    user = find_assignee(assignee)
    if user is not None and not permissions.can_view_ticket(user, ticket):
        raise InvalidInput(f"{user.username} cannot see {ticket.reference} at tier "
                           f"{ticket.tier}.", field="assignee")
    now = at or timezone.now()
    if apply_assignee(ticket, actor, user, now):
        notifications.tell_assignee(ticket, actor, user, at=now)
    return ticket


def _priority(value: int | str | None) -> Priority:
    found = find_priority(value)
    if found is None:
        raise InvalidInput("Say which priority (low, normal, high, urgent).", field="priority")
    return found


@transaction.atomic
def set_priority(ticket: Ticket, actor: User | None, priority: int | str, *,
                 at: datetime | None = None) -> Ticket:
    """`actor` None: the system (an SLA breach action raises the priority)."""
    ticket = locked_ticket(ticket)
    if actor is not None:
        permissions.check_can_change_ticket(actor, ticket)
    new = _priority(priority)
    old = Priority(ticket.priority)
    now = at or timezone.now()
    if change_field(ticket, actor, "priority", new.value, new.name.lower(), old.name.lower(),
                    "priority_changed", now):
        sla_clock.refresh(ticket, now)  # the policy is per priority
    return ticket


@transaction.atomic
def set_category(ticket: Ticket, actor: User, category: str | None) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    new = find_category(category)
    old = ticket.category
    change_field(ticket, actor, "category", new, new.slug if new else None,
                 old.slug if old else None, "category_changed", timezone.now())
    return ticket


@transaction.atomic
def set_team(ticket: Ticket, actor: User | None, team: Any,
             *, at: datetime | None = None) -> Ticket:
    """`actor` None: the system (an SLA breach action moves the ticket to a team)."""
    ticket = locked_ticket(ticket)
    if actor is not None:
        permissions.check_can_change_ticket(actor, ticket)
    new = find_team(team)
    old = ticket.team
    change_field(ticket, actor, "team", new, new.name if new else None,
                 old.name if old else None, "team_changed", at or timezone.now())
    return ticket


@transaction.atomic
def set_subject(ticket: Ticket, actor: User, subject: str) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    new = clean_subject(subject)
    change_field(ticket, actor, "subject", new, new, ticket.subject, "subject_changed",
                 timezone.now())
    search_index.index_ticket(ticket)
    return ticket


@transaction.atomic
def add_tags(ticket: Ticket, actor: User, tags: Any, *, reason: str = "") -> Ticket:
    """Add tags (a list or "a, b"); the ones it has already stay. The tag rules
    (length, how many) are the routing rules' (frontline.routing.inputs.tags)."""
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    names = [name for name in routing_inputs.tags(tags, field="tags").split(", ") if name]
    if names:
        add_tag_rows(ticket, names, timezone.now(), reason, actor=actor)
    return ticket


UPDATABLE_FIELDS = ("status", "priority", "tier", "team", "assignee", "category", "subject")


def check_change_values(changes: dict[str, Any]) -> None:
    """Refuse a value that names nothing (InvalidInput naming the field), before any
    ticket changes: for update_ticket, and once for a whole bulk change
    (frontline.workflow.bulk) instead of once per ticket. Whether the ticket may
    take the value (permissions, transitions) is each change's own check."""
    for field, check in _VALUE_CHECKS.items():
        if field in changes:
            check(changes[field])


# Each changeable field's reader: it refuses a value that names nothing.
_VALUE_CHECKS: dict[str, Callable[[Any], object]] = {
    "status": parse_status, "priority": lambda value: _priority(value), "tier": parse_tier,
    "team": find_team, "assignee": find_assignee, "category": find_category,
    "subject": clean_subject, "tags": lambda value: routing_inputs.tags(value, field="tags"),
}


@transaction.atomic
def update_ticket(ticket: Ticket, actor: User, changes: dict[str, Any]) -> Ticket:
    """Apply several changes at once (the API's PATCH): all of them or none.
    A `tier` goes through set_tier (an escalation, with its permission and its
    record); `reason` says why, as in the escalation dialog. A merged ticket takes
    none (409, naming the ticket that lives on), before any value is read."""
    check_accepts_change(ticket)
    changes = dict(changes)
    reason = str(changes.pop("reason", "") or "")
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be changed here.", field=unknown[0])
    permissions.check_can_change_ticket(actor, ticket)
    # Resolve every value before changing anything, so one bad field changes nothing.
    check_change_values(changes)
    if "tier" in changes:
        tier = parse_tier(changes["tier"])
        permissions.check_can_change_tier(actor, ticket)
        if tier != ticket.tier and not reason.strip():
            raise InvalidInput(f"Say why {ticket.reference} moves to tier {tier}.",
                               field="reason")
    appliers = {
        "subject": set_subject, "category": set_category, "priority": set_priority,
        "team": set_team, "assignee": assign, "status": change_status,
    }
    for field in ("subject", "category", "priority", "team", "tier", "assignee", "status"):
        if field not in changes:
            continue
        if field == "tier":
            ticket = set_tier(ticket, actor, changes["tier"], reason=reason)
        else:
            ticket = appliers[field](ticket, actor, changes[field])
    return ticket
