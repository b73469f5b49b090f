"""The ticket's own state changes: status transitions, assignee, one field.

These are the "do" halves: the caller holds the row lock (`locked_ticket`)
and has checked permission. They change the ticket row and record the event,
nothing else; what other apps do after a change (the SLA clock, the search
index, routing) is the workflow's business (frontline.workflow).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from frontline.core.errors import InvalidTransition
from frontline.core.models import User
from frontline.customers.models import Contact
from frontline.tickets.models import Status, Ticket
from frontline.tickets.services.events import record_event

# Which status may follow which. Resolved and closed are left only by reopening;
# closing needs a resolution first (the customer is asked to confirm).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING_CUSTOMER, Status.PENDING_INTERNAL,
                           Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING_CUSTOMER, Status.PENDING_INTERNAL, Status.RESOLVED}),
    Status.PENDING_CUSTOMER: frozenset({Status.OPEN, Status.PENDING_INTERNAL, Status.RESOLVED}),
    Status.PENDING_INTERNAL: frozenset({Status.OPEN, Status.PENDING_CUSTOMER, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def touch(ticket: Ticket, at: datetime, *fields: str) -> None:
    """Save `fields` and move `updated_at` on to `at` (never back)."""
    ticket.updated_at = max(ticket.updated_at, at)
    ticket.save(update_fields=["updated_at", *fields])


def apply_status(
    ticket: Ticket, actor: User | None, status: Status, at: datetime,
    *, actor_contact: Contact | None = None, reason: str = "",
) -> bool:
    """Move the ticket to `status` if the transition is allowed; True if it changed."""
    before = ticket.status
    if status == before:
        return False
    if status not in TRANSITIONS[before]:
        hint = " Resolve it first; it closes when the customer confirms." if (
            status == Status.CLOSED) else ""
        if before in FINISHED_STATUSES and status != Status.CLOSED:
            hint = " Reopen it first."
        raise InvalidTransition(
            f"{ticket.reference} cannot go from {Status(before).label.lower()} to "
            f"{status.label.lower()}.{hint}", field="status")
    ticket.status = status
    fields = ["status"]
    if status == Status.RESOLVED:
        ticket.resolved_at = at
        ticket.resolution_reminder_at = None
        fields += ["resolved_at", "resolution_reminder_at"]
    elif status == Status.CLOSED:
        ticket.closed_at = at
        fields.append("closed_at")
    elif before in FINISHED_STATUSES:
        ticket.resolved_at = None
        ticket.closed_at = None
        ticket.resolution_reminder_at = None
        fields += ["resolved_at", "closed_at", "resolution_reminder_at"]
    touch(ticket, at, *fields)
    record_event(ticket, "status_changed", actor=actor, actor_contact=actor_contact, at=at,
                 before=before, after=status.value, reason=reason)
    return True


def reopen_status(ticket: Ticket, actor: User | None, at: datetime, *, reason: str,
                  actor_contact: Contact | None = None) -> None:
    """A resolved or closed ticket opens again (and says why on the timeline)."""
    before = ticket.status
    if before not in FINISHED_STATUSES:
        raise InvalidTransition(f"{ticket.reference} is {Status(before).label.lower()}, "
                                "not resolved or closed.", field="status")
    apply_status(ticket, actor, Status.OPEN, at, actor_contact=actor_contact, reason=reason)
    record_event(ticket, "reopened", actor=actor, actor_contact=actor_contact, at=at,
                 before=before, after=Status.OPEN.value, reason=reason)


def apply_assignee(ticket: Ticket, actor: User | None, assignee: User | None,
                   at: datetime) -> bool:
    """Give the ticket to `assignee` (None: nobody); True if it changed."""
    before = ticket.assignee
    if (before.pk if before else None) == (assignee.pk if assignee else None):
        return False
    ticket.assignee = assignee
    touch(ticket, at, "assignee")
    # The usernames are the record (the API and webhooks name people by them); the
    # names are what the timeline says ("assigned to Otto Level-Two", not "to otto").
    record_event(ticket, "assigned", actor=actor, at=at,
                 before=before.username if before else None,
                 after=assignee.username if assignee else None,
                 before_name=before.display_name if before else None,
                 after_name=assignee.display_name if assignee else None)
    return True


def change_field(ticket: Ticket, actor: User | None, field: str, value: Any, shown: Any,
                 before_shown: Any, kind: str, at: datetime) -> bool:
    """Set one field and record `kind` (shown before -> after); nothing when unchanged.
    `actor` None is the system (an SLA breach action). The caller holds the row lock.
    The tier is not such a field: it changes only through escalation
    (frontline.routing.escalation), which records the decision and its promises."""
    if field == "tier":
        raise ValueError("The tier changes through frontline.routing.escalation only.")
    if before_shown == shown:
        return False
    setattr(ticket, field, value)
    touch(ticket, at, field)
    record_event(ticket, kind, actor=actor, at=at, before=before_shown, after=shown)
    return True
