"""Read queries the faces share (desk, API, CLI): one place decides what a
queue holds and how a ticket's story is loaded, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import Prefetch, Q, QuerySet

from frontline.core import permissions
from frontline.core.models import User
from frontline.customers.models import EnvironmentFact
from frontline.tickets.models import (
    ACTIVE_STATUSES,
    PENDING_STATUSES,
    Attachment,
    Event,
    Message,
    Ticket,
    TicketLink,
)

TICKET_RELATED = (
    "requester", "organization", "organization__plan", "product", "version", "team",
    "assignee", "category", "merged_into",
)

# name -> (label, filter). "mine" and "team" depend on the user, see queue_filter().
QUEUES: dict[str, str] = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "team": "My teams",
    "tier1": "Tier 1",
    "tier2": "Tier 2",
    "tier3": "Tier 3",
    "pending": "Pending",
    "open": "All open",
}

SORTS: dict[str, tuple[str, ...]] = {
    "updated": ("-updated_at", "-id"),
    "oldest": ("updated_at", "id"),
    "created": ("-created_at", "-id"),
    "priority": ("-priority", "-updated_at", "-id"),
}


def queue_filter(user: User, queue: str) -> Q:
    active = Q(status__in=ACTIVE_STATUSES)
    if queue == "mine":
        return active & Q(assignee=user)
    if queue == "unassigned":
        return active & Q(assignee__isnull=True)
    if queue == "team":
        return active & Q(team__members=user)
    if queue in ("tier1", "tier2", "tier3"):
        return active & Q(tier=int(queue[-1]))
    if queue == "pending":
        return Q(status__in=PENDING_STATUSES)
    return active


def queue_tickets(
    user: User,
    queue: str = "open",
    *,
    sort: str = "updated",
    status: str | None = None,
    priority: int | None = None,
    tier: int | None = None,
    team_id: int | None = None,
    assignee_id: int | None = None,
    organization_id: int | None = None,
) -> QuerySet[Ticket]:
    """The tickets of a queue as `user` may see them, filtered and sorted."""
    tickets = Ticket.objects.filter(queue_filter(user, queue))
    if status:
        tickets = tickets.filter(status=status)
    if priority:
        tickets = tickets.filter(priority=priority)
    if tier:
        tickets = tickets.filter(tier=tier)
    if team_id:
        tickets = tickets.filter(team_id=team_id)
    if assignee_id:
        tickets = tickets.filter(assignee_id=assignee_id)
    if organization_id:
        tickets = tickets.filter(organization_id=organization_id)
    tickets = permissions.visible_tickets(user, tickets)
    return tickets.select_related(*TICKET_RELATED).order_by(*SORTS.get(sort, SORTS["updated"]))


def queue_counts(user: User) -> dict[str, int]:
    """How many tickets each queue holds, for the navigation (one query per queue)."""
    visible = permissions.visible_tickets(user, Ticket.objects.all())
    return {name: visible.filter(queue_filter(user, name)).count() for name in QUEUES}


@dataclass(frozen=True)
class TimelineEntry:
    type: Literal["message", "event"]
    at: datetime
    message: Message | None = None
    event: Event | None = None


def ticket_for_page(pk: int) -> Ticket | None:
    return Ticket.objects.select_related(*TICKET_RELATED).filter(pk=pk).first()


def timeline(ticket: Ticket, *, include_notes: bool = True) -> list[TimelineEntry]:
    """Messages and events interleaved, oldest first (two queries + attachments)."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    if not include_notes:
        messages = messages.exclude(kind="note")
    events = Event.objects.filter(ticket=ticket).select_related("actor", "actor_contact")
    entries = [TimelineEntry("message", m.created_at, message=m) for m in messages]
    entries += [TimelineEntry("event", e.at, event=e) for e in events]
    # At the same instant, the message comes before the events it caused.
    entries.sort(key=lambda e: (e.at, 0 if e.type == "message" else 1,
                                (e.message or e.event).pk))  # type: ignore[union-attr]
    return entries


def environment_facts(ticket: Ticket) -> list[EnvironmentFact]:
    """The requester's facts, then their organization's (the requester's win on a clash)."""
    clauses = Q(contact_id=ticket.requester_id)
    if ticket.organization_id:
        clauses |= Q(organization_id=ticket.organization_id, contact__isnull=True)
    facts = list(EnvironmentFact.objects.filter(clauses).order_by("key", "-contact_id"))
    seen: set[str] = set()
    merged = []
    for fact in facts:
        if fact.key not in seen:
            seen.add(fact.key)
            merged.append(fact)
    return merged


def linked_tickets(ticket: Ticket) -> list[Ticket]:
    links = TicketLink.objects.filter(Q(from_ticket=ticket) | Q(to_ticket=ticket)).select_related(
        "from_ticket", "to_ticket")
    return [link.to_ticket if link.from_ticket_id == ticket.pk else link.from_ticket
            for link in links]


def organization_tickets(organization_id: int) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(organization_id=organization_id)
            .select_related("requester", "assignee", "category", "team")
            .order_by("-updated_at", "-id"))
