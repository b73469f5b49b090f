"""Read queries the faces share (desk, API, CLI): one place decides what a
queue holds and how a ticket's story is loaded, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Count, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from frontline.core import permissions
from frontline.core.models import User
from frontline.customers.models import Contact, EnvironmentFact
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
    # SLA time left: the earliest due first, tickets without one (or paused) last.
    "due": ("sla_due", "id"),
}
# Sorts whose first column may be NULL; those rows come last (see _due_page).
NULLS_LAST_SORTS = frozenset({"due"})


def queue_filter(user: User, queue: str) -> Q:
    active = Q(status__in=ACTIVE_STATUSES)
    if queue == "mine":
        return active & Q(assignee=user)
    if queue == "unassigned":
        return active & Q(assignee__isnull=True)
    if queue == "team":
        # The ids, not a join through the membership table: a join lets the planner
        # walk every ticket looking for team members; a literal list uses the team index.
        return active & Q(team_id__in=list(user.teams.values_list("id", flat=True)))
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
    return tickets.select_related(*TICKET_RELATED).order_by(*_ordering(sort))


def _ordering(sort: str) -> list[Any]:
    order = SORTS.get(sort, SORTS["updated"])
    if sort in NULLS_LAST_SORTS:
        return [F(order[0]).asc(nulls_last=True), *order[1:]]
    return list(order)


def queue_counts(user: User, *, cap: int | None = None) -> dict[str, int]:
    """How many tickets each queue holds, for the navigation (one query per queue).

    With `cap`, each count stops at `cap` (COUNT over a LIMITed subquery) and all
    of them come in one statement, so the navigation costs the same at a million
    tickets as at a hundred.
    """
    visible = permissions.visible_tickets(user, Ticket.objects.all())
    if cap is None:
        return {name: visible.filter(queue_filter(user, name)).count() for name in QUEUES}
    # All capped counts in one statement: one round trip instead of one per queue.
    parts: list[str] = []
    params: list[Any] = []
    counted: list[str] = []
    for name in QUEUES:
        ids = visible.filter(queue_filter(user, name)).order_by().values("pk")[:cap]
        try:
            sql, query_params = ids.query.sql_with_params()
        except EmptyResultSet:
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{len(parts)})")
        params.extend(query_params)
        counted.append(name)
    counts = dict.fromkeys(QUEUES, 0)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        counts.update(zip(counted, (int(value) for value in row), strict=True))
    return counts


@dataclass(frozen=True)
class TimelineEntry:
    type: Literal["message", "event"]
    at: datetime
    message: Message | None = None
    event: Event | None = None


def ticket_for_page(pk: int) -> Ticket | None:
    return Ticket.objects.select_related(*TICKET_RELATED).filter(pk=pk).first()


def timeline(ticket: Ticket, *, include_notes: bool = True,
             since: datetime | None = None) -> list[TimelineEntry]:
    """Messages and events interleaved, oldest first (two queries + attachments).

    `since` keeps only what happened at or after that instant (what a change just added).
    """
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects
                                   .select_related("blob").order_by("id")),
                          # Each outbound message's delivery state (frontline.mail).
                          "outbound_mails")
    )
    if not include_notes:
        messages = messages.exclude(kind="note")
    events = Event.objects.filter(ticket=ticket).select_related("actor", "actor_contact")
    if since is not None:
        messages = messages.filter(created_at__gte=since)
        events = events.filter(at__gte=since)
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


# -- keyset pages (queues and organization lists stay fast at any depth) -------

PAGE_SIZE = 50


@dataclass(frozen=True)
class TicketPage:
    tickets: list[Ticket]
    next_cursor: str | None


def _sort_key_values(ticket: Ticket, order: tuple[str, ...]) -> list[object]:
    return [getattr(ticket, field.lstrip("-")) for field in order]


def ticket_cursor(ticket: Ticket, sort: str = "updated") -> str:
    """An opaque position in a sorted ticket list: the sort values of `ticket`."""
    order = SORTS.get(sort, SORTS["updated"])
    parts = []
    for value in _sort_key_values(ticket, order):
        parts.append(value.isoformat() if isinstance(value, datetime)
                     else "" if value is None else str(value))
    return "~".join(parts)


def _parse_cursor(cursor: str, order: tuple[str, ...]) -> list[object] | None:
    parts = cursor.split("~")
    if len(parts) != len(order):
        return None
    values: list[object] = []
    try:
        for field, part in zip(order, parts, strict=True):
            name = field.lstrip("-")
            if part == "" and name == "sla_due":
                values.append(None)
            elif name.endswith(("_at", "_due")):
                values.append(datetime.fromisoformat(part))
            else:
                values.append(int(part))
    except ValueError:
        return None
    return values


def _after(order: tuple[str, ...], values: list[object]) -> Q:
    """Rows strictly after `values` in `order` (a row-value comparison spelled out).

    The leading `<=`/`>=` on the first column lets the planner use the index range
    before it tests the ties.
    """
    first = order[0].lstrip("-")
    first_op = "lte" if order[0].startswith("-") else "gte"
    alternatives = Q()
    for position, field in enumerate(order):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        clause = Q(**{f"{name}__{op}": values[position]})
        for earlier, value in zip(order[:position], values[:position], strict=True):
            clause &= Q(**{earlier.lstrip("-"): value})
        alternatives |= clause
    return Q(**{f"{first}__{first_op}": values[0]}) & alternatives


# The partial "active" indexes' condition, spelled as SQL literals. SQLite uses a
# partial index only when the query repeats its WHERE term with literal values
# (a bound parameter is not known when the plan is made); PostgreSQL would match
# either way. Redundant with every queue's own filter, which names active statuses.
_ACTIVE_LITERAL = RawSQL(
    '"tickets_ticket"."status" IN ({})'.format(", ".join(f"'{s}'" for s in ACTIVE_STATUSES)),
    [], output_field=BooleanField())


def page_of(tickets: QuerySet[Ticket], *, sort: str = "updated", after: str | None = None,
            size: int = PAGE_SIZE, active_only: bool = False) -> TicketPage:
    """One page of a ticket queryset in `sort` order, starting after `after` (a cursor).

    Two queries: the page's ids from the ticket table alone (so the planner walks
    a sort index and cannot reorder joins), then those rows with their related
    objects. `active_only` says every ticket in `tickets` is active, which lets
    the active-ticket indexes serve the first query.

    A cursor that does not parse starts from the top rather than failing: it
    only ever comes from a link we rendered or a hand-edited URL.
    """
    order = SORTS.get(sort, SORTS["updated"])
    values = _parse_cursor(after, order) if after else None
    if sort in NULLS_LAST_SORTS:
        return _due_page(tickets, values, size=size, active_only=active_only)
    lean = tickets.order_by(*order)
    if values is not None:
        lean = lean.filter(_after(order, values))
    if active_only:
        lean = lean.filter(_ACTIVE_LITERAL)
    ids = list(lean.values_list("pk", flat=True)[: size + 1])
    if not ids:
        return TicketPage([], None)
    found = Ticket.objects.select_related(*TICKET_RELATED).in_bulk(ids)
    rows = [found[pk] for pk in ids if pk in found]
    next_cursor = ticket_cursor(rows[size - 1], sort) if len(rows) > size else None
    return TicketPage(rows[:size], next_cursor)


def _due_after(values: list[object]) -> Q:
    """Rows after `values` in (sla_due NULLS LAST, id) order."""
    due, pk = values
    if due is None:
        return Q(sla_due__isnull=True, pk__gt=pk)
    return (Q(sla_due__gte=due) & (Q(sla_due__gt=due) | Q(sla_due=due, pk__gt=pk))
            | Q(sla_due__isnull=True))


def _due_page(tickets: QuerySet[Ticket], values: list[object] | None, *, size: int,
              active_only: bool) -> TicketPage:
    """A page in SLA order, nulls last, as two index walks of ticket_active_sla_due:
    the tickets with a due time, then (if the page is not full) those without.
    One ORDER BY ... NULLS LAST would make SQLite sort every active ticket."""
    lean = tickets.order_by()
    if active_only:
        lean = lean.filter(_ACTIVE_LITERAL)
    ids: list[int] = []
    if values is None or values[0] is not None:
        dated = lean.filter(sla_due__isnull=False)
        if values is not None:
            dated = dated.filter(Q(sla_due__gte=values[0])
                                 & (Q(sla_due__gt=values[0])
                                    | Q(sla_due=values[0], pk__gt=values[1])))
        ids = list(dated.order_by("sla_due", "id").values_list("pk", flat=True)[: size + 1])
    if len(ids) <= size:
        undated = lean.filter(sla_due__isnull=True)
        if values is not None and values[0] is None:
            undated = undated.filter(pk__gt=values[1])
        ids += list(undated.order_by("id").values_list("pk", flat=True)[: size + 1 - len(ids)])
    if not ids:
        return TicketPage([], None)
    found = Ticket.objects.select_related(*TICKET_RELATED).in_bulk(ids)
    rows = [found[pk] for pk in ids if pk in found]
    next_cursor = ticket_cursor(rows[size - 1], "due") if len(rows) > size else None
    return TicketPage(rows[:size], next_cursor)


def next_in_queue(user: User, queue: str, ticket: Ticket, *, sort: str = "updated") -> int | None:
    """The id of the ticket after `ticket` in `queue` (one query), for "next ticket"."""
    order = SORTS.get(sort, SORTS["updated"])
    values = _sort_key_values(ticket, order)
    after = _due_after(values) if sort in NULLS_LAST_SORTS else _after(order, values)
    tickets = queue_tickets(user, queue, sort=sort).filter(
        after, _ACTIVE_LITERAL).exclude(pk=ticket.pk)
    return tickets.values_list("pk", flat=True).first()


def organization_ticket_counts(organization_id: int) -> dict[str, int]:
    """Open, pending, resolved and closed tickets of one customer, in one query."""
    return Ticket.objects.filter(organization_id=organization_id).aggregate(
        open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        pending=Count("pk", filter=Q(status__in=PENDING_STATUSES)),
        resolved=Count("pk", filter=Q(status="resolved")),
        closed=Count("pk", filter=Q(status="closed")),
        total=Count("pk"),
    )


def organization_environment(organization_id: int) -> list[EnvironmentFact]:
    """The organization-wide environment facts (contacts' own facts are on their tickets)."""
    return list(EnvironmentFact.objects.filter(organization_id=organization_id,
                                               contact__isnull=True).order_by("key"))


def organization_contacts(organization_id: int, *, limit: int = 200) -> list[Contact]:
    """The customer's people with their addresses, by name (two queries)."""
    return list(Contact.objects.filter(organization_id=organization_id)
                .prefetch_related("emails").order_by("name", "id")[:limit])
