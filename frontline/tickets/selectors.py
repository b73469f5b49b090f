"""Read queries the faces share (desk, API, CLI): one place decides what a
queue holds and how a ticket's story is loaded, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import Combinable, RawSQL
from django.utils import timezone

from frontline.core import paging, permissions
from frontline.core.models import User
from frontline.core.paging import Keyset
from frontline.customers.models import Contact, EnvironmentFact
from frontline.tickets.models import (
    ACTIVE_STATUSES,
    PENDING_STATUSES,
    Attachment,
    Event,
    Message,
    MessageKind,
    Participant,
    SavedView,
    Ticket,
    TicketLink,
)
from frontline.tickets.queue_query import QueueQuery, read_queue_query

TICKET_RELATED = (
    "requester", "organization", "organization__plan", "product", "version", "team",
    "assignee", "category", "merged_into", "clock",
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

# The orders a ticket list is read in, each a keyset the one paginator pages by
# (frontline.core.paging): the desk's queues offer them all, the API's ticket list
# "updated" and "oldest", so the same list pages the same way in both.
SORTS: dict[str, Keyset] = {
    "updated": Keyset("-updated_at", "-id"),
    "oldest": Keyset("updated_at", "id"),
    "created": Keyset("-created_at", "-id"),
    "priority": Keyset("-priority", "-updated_at", "-id"),
    # SLA time left: the earliest due first, tickets without one (or paused) last.
    # The due time is the clock row's (TicketClock): the rows with one walk its
    # clock_sla_due index, those without it the ticket's own indexes by id.
    "due": Keyset("clock__sla_due", "id", nulls_last=True),
}


def queue_statuses(queue: str, status: str | None = None) -> tuple[str, ...]:
    """The statuses `queue` lists: its own (pending ones for "pending", active ones
    for the others), or with a status filter, that status alone. A filter on
    resolved or closed lists finished tickets in any queue (issue 12: the filter
    offered them, and every queue then answered "No ticket matches"); on
    "pending" it narrows the pending statuses."""
    own: tuple[str, ...] = PENDING_STATUSES if queue == "pending" else ACTIVE_STATUSES
    if status is None:
        return own
    if queue == "pending":
        return (status,) if status in own else ()
    return (status,)


def queue_filter(user: User, queue: str, *, status: str | None = None) -> Q:
    active = Q(status__in=queue_statuses(queue, status))
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
    tickets = Ticket.objects.filter(queue_filter(user, queue, status=status))
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
    return tickets.select_related(*TICKET_RELATED).order_by(
        *SORTS.get(sort, SORTS["updated"]).ordering())


def listed_tickets(user: User, queue: str, query: QueueQuery) -> QuerySet[Ticket]:
    """The tickets a queue page lists with `query`'s filters and sort."""
    return queue_tickets(user, queue, sort=query.sort, status=query.status,
                         priority=query.priority, tier=query.tier, team_id=query.team_id,
                         assignee_id=query.assignee_id)


def saved_view_tickets(user: User, view: SavedView) -> QuerySet[Ticket]:
    """The tickets a saved view lists for `user`, as its queue page lists them."""
    query = read_queue_query(dict(parse_qsl(view.query)), sorts=SORTS)
    return listed_tickets(user, view.queue if view.queue in QUEUES else "open", query)


def view_count_key(view: SavedView) -> str:
    """A saved view's key among queue_counts' answers (queue names are slugs)."""
    return f"view:{view.pk}"


def queue_counts(user: User, *, cap: int | None = None,
                 views: Sequence[SavedView] = ()) -> dict[str, int]:
    """How many tickets each queue holds, for the navigation (one query per queue),
    and each of `views` (under view_count_key).

    With `cap`, each count stops at `cap` and all of them come in one statement
    (capped_counts), so the navigation costs the same at a million tickets as at
    a hundred, with or without saved views.
    """
    visible = permissions.visible_tickets(user, Ticket.objects.all())
    lists = {name: visible.filter(queue_filter(user, name)) for name in QUEUES}
    lists.update({view_count_key(view): saved_view_tickets(user, view) for view in views})
    if cap is None:
        return {name: tickets.count() for name, tickets in lists.items()}
    return capped_counts(lists, cap=cap)


def capped_counts(lists: dict[str, QuerySet[Ticket]], *, cap: int) -> dict[str, int]:
    """How many rows each queryset of `lists` holds, each count stopping at `cap`
    (COUNT over a LIMITed subquery), all in one statement: one round trip for
    the navigation's queues and saved views together, however many rows."""
    parts: list[str] = []
    params: list[Any] = []
    counted: list[str] = []
    for name, tickets in lists.items():
        ids = tickets.order_by().values("pk")[:cap]
        try:
            sql, query_params = ids.query.sql_with_params()
        except EmptyResultSet:
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{len(parts)})")
        params.extend(query_params)
        counted.append(name)
    counts = dict.fromkeys(lists, 0)
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
    # get(), not first(): no ORDER BY over the many joined columns (see paging.page).
    try:
        return Ticket.objects.select_related(*TICKET_RELATED).get(pk=pk)
    except Ticket.DoesNotExist:
        return None


def customer_messages(ticket: Ticket, contact_id: int) -> QuerySet[Message]:
    """The messages on `ticket` that the customer `contact_id` may read: no notes, and
    only those written on a ticket they take part in (its requester or a participant).

    A merge moves messages onto the ticket that lives on, each remembering the ticket
    it was written on (Message.merged_from); so after merging one customer's ticket
    into another's, each still reads only their own conversation, and a merge of one
    customer's duplicates shows them everything. Staff read all of it. One query
    (and one more when `contact_id` is not the requester).
    """
    takes_part = (ticket.requester_id == contact_id or Participant.objects.filter(
        ticket=ticket, contact_id=contact_id).exists())
    written_where_they_take_part = _written_where_they_take_part(contact_id)
    visible = ((Q(merged_from__isnull=True) | written_where_they_take_part) if takes_part
               else written_where_they_take_part)
    return _readable(Message.objects.filter(ticket=ticket), visible)


def requesters_messages(ticket_ids: Sequence[int]) -> QuerySet[Message]:
    """`customer_messages(ticket, ticket.requester_id)` for many tickets in one query:
    the messages on each ticket that its own requester may read (the mails sent in
    one batch thread with them, frontline.mail.compose.prefetch)."""
    requester = OuterRef("ticket__requester_id")
    written_where_they_take_part = Q(merged_from__requester_id=F("ticket__requester_id")) | Exists(
        Participant.objects.filter(ticket_id=OuterRef("merged_from_id"), contact_id=requester))
    return _readable(Message.objects.filter(ticket_id__in=ticket_ids),
                     Q(merged_from__isnull=True) | written_where_they_take_part)


def _written_where_they_take_part(contact_id: int) -> Combinable:
    return Q(merged_from__requester_id=contact_id) | Exists(
        Participant.objects.filter(ticket_id=OuterRef("merged_from_id"), contact_id=contact_id))


def _readable(messages: QuerySet[Message], visible: Combinable) -> QuerySet[Message]:
    # A reply still in its undo-send window is not theirs yet (Message.held_until).
    return (messages.exclude(kind=MessageKind.NOTE).filter(visible)
            .exclude(held_until__gt=timezone.now()))


@dataclass(frozen=True)
class TimelineMark:
    """How far a page's timeline goes: the ids of its newest message and newest event
    (messages and events are numbered apart). `event` None: the page wants no
    events (only messages matter to it)."""

    message: int
    event: int | None


def newest_message_id(ticket: Ticket) -> int:
    """The id of the ticket's newest message, 0 if it has none: what a composer
    opened now has seen (frontline.tickets.services.collision)."""
    return Message.objects.filter(ticket=ticket).aggregate(newest=Max("pk"))["newest"] or 0


def timeline(ticket: Ticket, *, include_notes: bool = True,
             since: datetime | None = None, customer_id: int | None = None,
             after: TimelineMark | None = None) -> list[TimelineEntry]:
    """Messages and events interleaved, oldest first (two queries + attachments).

    `since` keeps only what happened at or after that instant (what a change just added).
    `after` keeps only what a page showing up to that mark has not shown yet (what
    others added meanwhile, too).
    `customer_id`: as that customer may read it (customer_messages; no notes).
    """
    messages = (
        (customer_messages(ticket, customer_id) if customer_id is not None
         else Message.objects.filter(ticket=ticket))
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
    if after is not None:
        messages = messages.filter(pk__gt=after.message)
        events = (events.filter(pk__gt=after.event) if after.event is not None
                  else events.none())
    entries = [TimelineEntry("message", m.created_at, message=m) for m in messages]
    # An event recorded with `shown_in` (the id of another event) is told by that
    # event's line: routing's team, tier and priority changes read once, in "Routing
    # rules set ..." (issue 12: routing was logged twice). The rows stay for the record.
    entries += [TimelineEntry("event", e.at, event=e) for e in events
                if not (e.detail or {}).get("shown_in")]
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


def requester_recent_tickets(ticket: Ticket, *, limit: int = 5) -> list[Ticket]:
    """The requester's other tickets, newest first (one query): what else they asked
    lately is the first thing an agent wants beside their request."""
    return list(Ticket.objects.filter(requester_id=ticket.requester_id, merged_into__isnull=True)
                .exclude(pk=ticket.pk).order_by("-created_at", "-id")
                .only("id", "subject", "status", "created_at", "tier")[:limit])


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


# The partial "active" indexes' condition, spelled as SQL literals. SQLite uses a
# partial index only when the query repeats its WHERE term with literal values
# (a bound parameter is not known when the plan is made); PostgreSQL would match
# either way. Redundant with every queue's own filter, which names active statuses.
_ACTIVE_LITERAL = RawSQL(
    '"tickets_ticket"."status" IN ({})'.format(", ".join(f"'{s}'" for s in ACTIVE_STATUSES)),
    [], output_field=BooleanField())


# What a ticket list's rows show (desk ticket_rows), and no more: the ticket page's
# other joins and columns would be built for 50 rows and never read (a third of
# the rows' CPU). A column left out here costs a query per row when read, which
# tests/desk/test_query_counts.py would catch.
ROW_RELATED = ("requester", "organization", "category", "team", "assignee", "clock")
ROW_FIELDS = (
    "subject", "status", "priority", "tier", "updated_at", "requester__name",
    "organization__name", "category__name", "team__name", "assignee__first_name",
    "assignee__last_name", "assignee__username", "clock__sla_policy_id", "clock__sla_due",
    "clock__sla_paused_at", "clock__sla_warned", "clock__sla_breached",
)


def _with_related(ids: list[int]) -> QuerySet[Ticket]:
    return Ticket.objects.select_related(*ROW_RELATED).only(*ROW_FIELDS).filter(pk__in=ids)


def page_of(tickets: QuerySet[Ticket], *, sort: str = "updated", after: str | None = None,
            size: int = PAGE_SIZE, active_only: bool = False) -> TicketPage:
    """One page of a ticket queryset in `sort` order, starting after `after` (a cursor
    of frontline.core.paging, the same the API hands out for the same order).

    Two queries: the page's keys from the ticket table alone, then those rows with
    their related objects. `active_only` says every ticket in `tickets` is active,
    which lets the active-ticket indexes serve the first query.

    A cursor that does not parse starts from the top rather than failing: it
    only ever comes from a link we rendered or a hand-edited URL.
    """
    lean = tickets.filter(_ACTIVE_LITERAL) if active_only else tickets
    found = paging.page(lean, SORTS.get(sort, SORTS["updated"]), cursor=after, limit=size,
                        load=_with_related, restart_on_bad_cursor=True)
    return TicketPage(found.rows, found.next_cursor)


def next_in_queue(user: User, queue: str, ticket: Ticket, *, sort: str = "updated") -> int | None:
    """The id of the ticket after `ticket` in `queue` (one query), for "next ticket"."""
    keyset = SORTS.get(sort, SORTS["updated"])
    tickets = queue_tickets(user, queue, sort=sort).filter(
        keyset.after(keyset.values_of(ticket)), _ACTIVE_LITERAL).exclude(pk=ticket.pk)
    return tickets.values_list("pk", flat=True).first()


def organization_ticket_counts(organization_id: int) -> dict[str, Any]:
    """Open, pending, resolved and closed tickets of one customer, in one query."""
    return Ticket.objects.filter(organization_id=organization_id).aggregate(
        open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        pending=Count("pk", filter=Q(status__in=PENDING_STATUSES)),
        resolved=Count("pk", filter=Q(status="resolved")),
        closed=Count("pk", filter=Q(status="closed")),
        total=Count("pk"),
        first=Min("created_at"),  # when they first asked us (customers.services.customer_since)
    )


def organization_environment(organization_id: int) -> list[EnvironmentFact]:
    """The organization-wide environment facts (contacts' own facts are on their tickets)."""
    return list(EnvironmentFact.objects.filter(organization_id=organization_id,
                                               contact__isnull=True).order_by("key"))


def organization_contacts(organization_id: int, *, limit: int = 200) -> list[Contact]:
    """The customer's people with their addresses, by name (two queries)."""
    return list(Contact.objects.filter(organization_id=organization_id)
                .prefetch_related("emails").order_by("name", "id")[:limit])
