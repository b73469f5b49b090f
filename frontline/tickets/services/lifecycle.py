"""The ticket lifecycle: open, converse, change, resolve, close, reopen.

Every operation is one transaction that locks the ticket row, checks the
actor's permission, changes the ticket, records an Event and keeps the search
index in step. Views, API, CLI and tasks all call these functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition, NotFound
from frontline.core.models import Role, User
from frontline.core.tiers import parse_tier
from frontline.customers import services as customers
from frontline.customers.models import Contact, Product, Version
from frontline.routing.models import Team
from frontline.search import index as search_index
from frontline.sla import clock as sla_clock
from frontline.tickets.models import (
    ACTIVE_STATUSES,
    Category,
    Channel,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    parse_reference,
)
from frontline.tickets.services.events import record_event

MAX_SUBJECT = 300
MAX_BODY = 1_000_000

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


# -- lookups the faces share -------------------------------------------------


def get_ticket(reference: str | int) -> Ticket:
    """The ticket for `FL-10427` (or 10427); a merged ticket answers as itself."""
    number = reference if isinstance(reference, int) else parse_reference(str(reference))
    if number is None:
        raise NotFound(f"'{reference}' is not a ticket reference (e.g. FL-10427).")
    ticket = Ticket.objects.filter(pk=number).first()
    if ticket is None:
        raise NotFound(f"There is no ticket {reference}.")
    return ticket


def locked_ticket(ticket: Ticket) -> Ticket:
    """The ticket read again under its row lock (the caller holds the transaction)."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise InvalidInput("A ticket needs a subject.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"The subject is longer than {MAX_SUBJECT} characters.",
                           field="subject")
    return subject


def _clean_body(body: str, field: str = "body") -> str:
    body = (body or "").replace("\r\n", "\n").strip("\n")
    if not body.strip():
        raise InvalidInput("The message is empty.", field=field)
    if len(body) > MAX_BODY:
        raise InvalidInput(f"The message is longer than {MAX_BODY} characters.", field=field)
    return body


def _priority(value: int | str | None) -> Priority:
    if isinstance(value, Priority):
        return value
    if isinstance(value, int) and value in Priority.values:
        return Priority(value)
    found = Priority.from_name(str(value)) if value is not None else None
    if found is None:
        names = ", ".join(p.name.lower() for p in Priority)
        raise InvalidInput(f"'{value}' is not a priority ({names}).", field="priority")
    return found


def _status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        names = ", ".join(Status.values)
        raise InvalidInput(f"'{value}' is not a status ({names}).", field="status") from None


def _tier(value: int | str) -> int:
    return parse_tier(value)


def _channel(value: str | None) -> Channel:
    try:
        return Channel(value or Channel.WEB)
    except ValueError:
        names = ", ".join(Channel.values)
        raise InvalidInput(f"'{value}' is not a channel ({names}).", field="channel") from None


def find_category(value: str | None) -> Category | None:
    if value in (None, ""):
        return None
    category = (Category.objects.filter(slug=value).first()
                or Category.objects.filter(name__iexact=value).first())
    if category is None:
        names = ", ".join(Category.objects.values_list("slug", flat=True)) or "none defined"
        raise InvalidInput(f"No category '{value}' (categories: {names}).", field="category")
    return category


def find_team(value: str | int | None) -> Team | None:
    if value in (None, ""):
        return None
    team = None
    if isinstance(value, int) or str(value).isdigit():
        team = Team.objects.filter(pk=int(value)).first()
    team = team or Team.objects.filter(name__iexact=str(value)).first()
    if team is None:
        raise InvalidInput(f"No team '{value}'.", field="team")
    return team


def find_assignee(value: str | int | None) -> User | None:
    if value in (None, ""):
        return None
    user = None
    if isinstance(value, int) or str(value).isdigit():
        user = User.objects.filter(pk=int(value)).first()
    user = user or User.objects.filter(username=str(value)).first()
    if user is None or not user.is_active:
        raise InvalidInput(f"No active user '{value}'.", field="assignee")
    if user.role == Role.VIEWER:
        raise InvalidInput(f"{user.username} is a viewer and cannot own tickets.",
                           field="assignee")
    return user


def find_product(value: str | None) -> Product | None:
    if value in (None, ""):
        return None
    product = (Product.objects.filter(slug=value).first()
               or Product.objects.filter(name__iexact=value).first())
    if product is None:
        raise InvalidInput(f"No product '{value}'.", field="product")
    return product


def find_version(product: Product | None, value: str | None) -> Version | None:
    if value in (None, ""):
        return None
    if product is None:
        raise InvalidInput("A version needs a product.", field="version")
    version = Version.objects.filter(product=product, name=value).first()
    if version is None:
        raise InvalidInput(f"{product.name} has no version '{value}'.", field="version")
    return version


# -- opening -----------------------------------------------------------------


@transaction.atomic
def open_ticket(
    *,
    requester_email: str,
    subject: str,
    body: str,
    requester_name: str = "",
    channel: str | None = None,
    category: str | None = None,
    priority: int | str | None = None,
    product: str | None = None,
    version: str | None = None,
    actor: User | None = None,
    body_html: str | None = None,
    at: datetime | None = None,
    body_reply: str = "",
    email_message_id: str = "",
    requester: Contact | None = None,
) -> Ticket:
    """Open a ticket for the person at `requester_email`, with their first message.

    `actor` is the member of staff who opened it on the customer's behalf (a
    phone call, the API); None when the customer opened it themselves.
    `at` lets an import keep the original time. `body_reply` and
    `email_message_id` come with a mail (the new part of the text, its Message-ID).
    `requester`: the contact the caller already resolved for `requester_email`,
    so it is not looked up again.
    """
    if actor is not None and actor.role == Role.VIEWER and not actor.is_admin:
        raise permissions.NotAllowed("Viewers cannot open tickets.")
    subject = _clean_subject(subject)
    body = _clean_body(body)
    channel_value = _channel(channel)
    found_product = find_product(product)
    found_version = find_version(found_product, version)
    found_category = find_category(category)
    found_priority = _priority(priority) if priority not in (None, "") else Priority.NORMAL
    if requester is None:
        requester = customers.resolve_contact(requester_email, requester_name)
    now = at or timezone.now()
    ticket = Ticket.objects.create(
        subject=subject,
        status=Status.NEW,
        priority=found_priority,
        category=found_category,
        requester=requester,
        organization=requester.organization,
        product=found_product,
        version=found_version,
        channel=channel_value,
        created_at=now,
        updated_at=now,
        last_customer_message_at=now,
    )
    first_message = Message.objects.create(
        ticket=ticket, kind=MessageKind.INBOUND, author_contact=requester,
        author_user=None, channel=channel_value, body=body, body_html=body_html, created_at=now,
        body_reply=body_reply, email_message_id=email_message_id[:998],
    )
    record_event(ticket, "created", actor=actor, actor_contact=None if actor else requester,
                 at=now, after={"status": Status.NEW, "channel": channel_value,
                                "priority": found_priority.name.lower()})
    from frontline.routing.rules import route_new_ticket

    route_new_ticket(ticket, body, now)
    sla_clock.refresh(ticket, now)
    search_index.index_ticket(ticket)
    search_index.index_message(first_message)
    return ticket


# -- conversation -------------------------------------------------------------


def touch(ticket: Ticket, at: datetime, *fields: str) -> None:
    """Save `fields` and move `updated_at` on to `at` (never back)."""
    ticket.updated_at = max(ticket.updated_at, at)
    ticket.save(update_fields=["updated_at", *fields])


@transaction.atomic
def add_reply(
    ticket: Ticket,
    actor: User,
    body: str,
    *,
    status: str | None = None,
    body_html: str | None = None,
    at: datetime | None = None,
    reopen: bool = False,
) -> Message:
    """An agent's reply to the customer. `status` optionally moves the ticket on.
    A closed ticket takes a reply only with `reopen` (it reopens first)."""
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    if ticket.status == Status.CLOSED and not reopen:
        raise InvalidTransition(f"{ticket.reference} is closed; reopen it to reply.")
    body = _clean_body(body)
    now = at or timezone.now()
    if ticket.status == Status.CLOSED:
        _reopen(ticket, actor, now, reason="Reopened to reply.")
    message = Message.objects.create(
        ticket=ticket, kind=MessageKind.OUTBOUND, author_user=actor, channel=Channel.EMAIL,
        body=body, body_html=body_html, created_at=now,
    )
    fields = ["last_agent_message_at"]
    ticket.last_agent_message_at = now
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        record_event(ticket, "first_response", actor=actor, at=now)
    if ticket.assignee_id is None and actor.role != Role.VIEWER:
        _apply_assignee(ticket, actor, actor, now)
        fields.append("assignee")
    touch(ticket, now, *fields)
    next_status = _status(status) if status else (
        Status.OPEN if ticket.status == Status.NEW else None)
    if next_status is not None and next_status != ticket.status:
        _apply_status(ticket, actor, next_status, now)  # refreshes the SLA clock
    else:
        sla_clock.refresh(ticket, now)
    search_index.index_message(message)
    # The mail is queued in this transaction: the reply and its mail commit together.
    from frontline.mail.outbound import queue_reply

    queue_reply(message)
    return message


@transaction.atomic
def add_note(ticket: Ticket, actor: User, body: str, *, at: datetime | None = None) -> Message:
    """An internal note: seen by staff only, never sent to the customer."""
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    body = _clean_body(body)
    now = at or timezone.now()
    message = Message.objects.create(
        ticket=ticket, kind=MessageKind.NOTE, author_user=actor, channel=Channel.WEB,
        body=body, created_at=now,
    )
    touch(ticket, now)
    search_index.index_message(message)
    return message


@transaction.atomic
def add_customer_message(
    ticket: Ticket,
    contact: Contact,
    body: str,
    *,
    channel: str | None = None,
    body_html: str | None = None,
    at: datetime | None = None,
    body_reply: str = "",
    email_message_id: str = "",
    automatic: bool = False,
) -> Message:
    """A message from the customer. It reopens a resolved or closed ticket and
    moves one waiting on the customer back to open: nothing closes while they write.

    `automatic` (an out-of-office reply, a bounce) is kept on the timeline but is
    not the customer writing: it changes no status and no "last customer message"
    time, so a robot can neither reopen a ticket nor stop its clock.
    """
    ticket = locked_ticket(ticket)
    body = _clean_body(body)
    now = at or timezone.now()
    message = Message.objects.create(
        ticket=ticket, kind=MessageKind.INBOUND, author_contact=contact,
        channel=_channel(channel or ticket.channel), body=body, body_html=body_html,
        body_reply=body_reply, email_message_id=email_message_id[:998], created_at=now,
    )
    if automatic:
        touch(ticket, now)
        search_index.index_message(message)
        return message
    ticket.last_customer_message_at = now
    touch(ticket, now, "last_customer_message_at")
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        _reopen(ticket, None, now, reason="The customer wrote again.", actor_contact=contact)
    elif ticket.status == Status.PENDING_CUSTOMER:
        _apply_status(ticket, None, Status.OPEN, now, actor_contact=contact)
    else:
        sla_clock.refresh(ticket, now)  # (a status change above refreshed it)
    search_index.index_message(message)
    return message


# -- field changes -----------------------------------------------------------


def _apply_status(
    ticket: Ticket, actor: User | None, status: Status, at: datetime,
    *, actor_contact: Contact | None = None, reason: str = "",
) -> None:
    before = ticket.status
    if status == before:
        return
    if status not in TRANSITIONS[before]:
        hint = " Resolve it first; it closes when the customer confirms." if (
            status == Status.CLOSED) else ""
        if before in (Status.RESOLVED, Status.CLOSED) and status != Status.CLOSED:
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
    elif before in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        ticket.resolution_reminder_at = None
        fields += ["resolved_at", "closed_at", "resolution_reminder_at"]
    touch(ticket, at, *fields)
    record_event(ticket, "status_changed", actor=actor, actor_contact=actor_contact, at=at,
                 before=before, after=status.value, reason=reason)
    sla_clock.refresh(ticket, at)


def _reopen(ticket: Ticket, actor: User | None, at: datetime, *, reason: str,
            actor_contact: Contact | None = None) -> None:
    before = ticket.status
    if before not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidTransition(f"{ticket.reference} is {Status(before).label.lower()}, "
                                "not resolved or closed.", field="status")
    _apply_status(ticket, actor, Status.OPEN, at, actor_contact=actor_contact, reason=reason)
    record_event(ticket, "reopened", actor=actor, actor_contact=actor_contact, at=at,
                 before=before, after=Status.OPEN.value, reason=reason)


def _apply_assignee(ticket: Ticket, actor: User | None, assignee: User | None,
                    at: datetime) -> None:
    before = ticket.assignee
    if (before.pk if before else None) == (assignee.pk if assignee else None):
        return
    ticket.assignee = assignee
    touch(ticket, at, "assignee")
    record_event(ticket, "assigned", actor=actor, at=at,
                 before=before.username if before else None,
                 after=assignee.username if assignee else None)


@transaction.atomic
def change_status(ticket: Ticket, actor: User, status: str, *, reason: str = "",
                  at: datetime | None = None) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    target = _status(status)
    now = at or timezone.now()
    if target == Status.OPEN and ticket.status in (Status.RESOLVED, Status.CLOSED):
        _reopen(ticket, actor, now, reason=reason or "Reopened by staff.")
    else:
        _apply_status(ticket, actor, target, now, reason=reason)
    return ticket


@transaction.atomic
def reopen(ticket: Ticket, actor: User, *, reason: str = "") -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    _reopen(ticket, actor, timezone.now(), reason=reason or "Reopened by staff.")
    return ticket


@transaction.atomic
def assign(ticket: Ticket, actor: User, assignee: str | int | User | None,
           *, at: datetime | None = None) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    user = assignee if isinstance(assignee, User) or assignee is None else find_assignee(assignee)
    if user is not None and not permissions.can_view_ticket(user, ticket):
        raise InvalidInput(f"{user.username} cannot see {ticket.reference} at tier "
                           f"{ticket.tier}.", field="assignee")
    _apply_assignee(ticket, actor, user, at or timezone.now())
    return ticket


def change_field(ticket: Ticket, actor: User | None, field: str, value: Any, shown: Any,
                 before_shown: Any, kind: str, at: datetime) -> None:
    """Set one field and record `kind` (shown before -> after); nothing when unchanged.
    `actor` None is the system (an SLA breach action). The caller holds the row lock."""
    if before_shown == shown:
        return
    setattr(ticket, field, value)
    touch(ticket, at, field)
    record_event(ticket, kind, actor=actor, at=at, before=before_shown, after=shown)


@transaction.atomic
def set_priority(ticket: Ticket, actor: User, priority: int | str) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    new = _priority(priority)
    old = Priority(ticket.priority)
    now = timezone.now()
    change_field(ticket, actor, "priority", new.value, new.name.lower(), old.name.lower(),
                 "priority_changed", now)
    if new != old:
        sla_clock.refresh(ticket, now)  # the policy is per priority
    return ticket


@transaction.atomic
def set_tier(ticket: Ticket, actor: User, tier: int | str, *, reason: str = "",
             at: datetime | None = None) -> Ticket:
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    new = _tier(tier)
    if new == ticket.tier:
        return ticket
    now = at or timezone.now()
    before = ticket.tier
    ticket.tier = new
    touch(ticket, now, "tier")
    record_event(ticket, "tier_changed", actor=actor, at=now, before=before, after=new,
                 reason=reason)
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
def set_team(ticket: Ticket, actor: User, team: str | int | None,
             *, at: datetime | None = None) -> Ticket:
    ticket = locked_ticket(ticket)
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
    new = _clean_subject(subject)
    change_field(ticket, actor, "subject", new, new, ticket.subject, "subject_changed",
                 timezone.now())
    search_index.index_ticket(ticket)
    return ticket


UPDATABLE_FIELDS = ("status", "priority", "tier", "team", "assignee", "category", "subject")


@transaction.atomic
def update_ticket(ticket: Ticket, actor: User, changes: dict[str, Any]) -> Ticket:
    """Apply several changes at once (the API's PATCH): all of them or none."""
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be changed here.", field=unknown[0])
    permissions.check_can_change_ticket(actor, ticket)
    # Resolve every value before changing anything, so one bad field changes nothing.
    if "status" in changes:
        _status(changes["status"])
    if "priority" in changes:
        _priority(changes["priority"])
    if "tier" in changes:
        _tier(changes["tier"])
    appliers = {
        "subject": set_subject, "category": set_category, "priority": set_priority,
        "team": set_team, "tier": set_tier, "assignee": assign, "status": change_status,
    }
    for field in ("subject", "category", "priority", "team", "tier", "assignee", "status"):
        if field in changes:
            ticket = appliers[field](ticket, actor, changes[field])
    return ticket


# -- the resolved → closed quiet period -------------------------------------


@transaction.atomic
def confirm_resolution(ticket: Ticket, contact: Contact, *, at: datetime | None = None) -> Ticket:
    """The customer confirms the fix: the ticket closes."""
    ticket = locked_ticket(ticket)
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition(f"{ticket.reference} is not waiting for a confirmation.")
    _apply_status(ticket, None, Status.CLOSED, at or timezone.now(), actor_contact=contact,
                  reason="The customer confirmed the resolution.")
    return ticket


def close_quiet_resolved(now: datetime | None = None) -> dict[str, int]:
    """Remind, then close, resolved tickets the customer has not answered.

    Run periodically by the worker. Each ticket is handled in its own
    transaction under a row lock and re-checked there, so a customer message
    arriving meanwhile wins, and two workers never remind or close twice.
    """
    now = now or timezone.now()
    quiet = timedelta(days=settings.FRONTLINE_RESOLVED_QUIET_DAYS)
    remind = timedelta(days=settings.FRONTLINE_RESOLVED_REMINDER_DAYS)
    counts = {"reminded": 0, "closed": 0}
    due_close = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=now - quiet)
    for ticket_id in list(due_close.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
            if ticket is None or ticket.status != Status.RESOLVED or ticket.resolved_at is None:
                continue
            if ticket.resolved_at > now - quiet:
                continue
            _apply_status(ticket, None, Status.CLOSED, now,
                          reason=f"No reply for {quiet.days} days after the resolution.")
            counts["closed"] += 1
    if remind < quiet:
        due_remind = Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=now - remind,
                                           resolution_reminder_at__isnull=True)
        for ticket_id in list(due_remind.values_list("pk", flat=True)[:5000]):
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
                if (ticket is None or ticket.status != Status.RESOLVED
                        or ticket.resolution_reminder_at is not None):
                    continue
                _send_resolution_reminder(ticket, now, closes_at=ticket.resolved_at + quiet
                                          if ticket.resolved_at else now)
                counts["reminded"] += 1
    return counts


def _send_resolution_reminder(ticket: Ticket, now: datetime, *, closes_at: datetime) -> None:
    body = (
        f"We marked {ticket.reference} ({ticket.subject}) as resolved. If it is not solved "
        f"for you, just reply and we will carry on. Otherwise it closes on "
        f"{closes_at:%A %d %B}."
    )
    message = Message.objects.create(
        ticket=ticket, kind=MessageKind.OUTBOUND, author_user=None, channel=Channel.EMAIL,
        body=body, created_at=now,
    )
    ticket.resolution_reminder_at = now
    ticket.save(update_fields=["resolution_reminder_at"])
    record_event(ticket, "resolution_reminder", at=now, after={"message": message.pk})
    from frontline.mail.outbound import send_resolution_reminder

    send_resolution_reminder(message)


def active_statuses() -> tuple[str, ...]:
    return tuple(str(s) for s in ACTIVE_STATUSES)


# -- in bulk: the mail import ------------------------------------------------
#
# `frontline mail import` writes the tickets of thousands of mails in bulk
# (frontline.mail.batch). These build the very rows open_ticket and
# add_customer_message write for a customer, unsaved, and run what those two
# run once their rows are saved. Keep them in step with the two functions
# above: tests/mail/test_import_batch.py imports the same mails both ways and
# compares every row.

# A customer message on a ticket in these statuses changes no status (see
# add_customer_message); only such messages are written in bulk.
BULK_REPLY_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING_INTERNAL})


def customer_ticket_rows(
    *, requester: Contact, subject: str, body: str, channel: str, at: datetime,
    body_html: str | None = None, body_reply: str = "", email_message_id: str = "",
) -> tuple[Ticket, Message, Any]:
    """The ticket, first message and "created" event open_ticket writes when the
    customer opens a ticket themselves (no actor, category, product or priority),
    unsaved, in that order of saving; raises what open_ticket raises for them.
    Once they are saved the caller runs `after_ticket_opened_in_bulk`."""
    from frontline.tickets.models import Event

    subject = _clean_subject(subject)
    body = _clean_body(body)
    channel_value = _channel(channel)
    ticket = Ticket(
        subject=subject, status=Status.NEW, priority=Priority.NORMAL, category=None,
        requester=requester, organization=requester.organization, product=None,
        version=None, channel=channel_value, created_at=at, updated_at=at,
        last_customer_message_at=at,
    )
    message = Message(
        ticket=ticket, kind=MessageKind.INBOUND, author_contact=requester, author_user=None,
        channel=channel_value, body=body, body_html=body_html, created_at=at,
        body_reply=body_reply, email_message_id=email_message_id[:998],
    )
    event = Event(ticket=ticket, kind="created", actor=None, actor_contact=requester, at=at,
                  before=None, after={"status": Status.NEW, "channel": channel_value,
                                      "priority": Priority.NORMAL.name.lower()}, detail={})
    return ticket, message, event


def after_ticket_opened_in_bulk(ticket: Ticket, message: Message, at: datetime) -> None:
    """What open_ticket runs after writing its rows (search indexing aside)."""
    from frontline.routing.rules import route_new_ticket

    route_new_ticket(ticket, message.body, at)
    sla_clock.refresh(ticket, at)


def customer_message_row(
    ticket: Ticket, contact: Contact, body: str, *, channel: str, at: datetime,
    body_html: str | None = None, body_reply: str = "", email_message_id: str = "",
) -> tuple[Message, list[str]]:
    """The message add_customer_message writes on a ticket in BULK_REPLY_STATUSES
    (no status changes), unsaved. Changes `ticket` in memory as it does and returns
    the ticket fields to save; then the caller runs `after_customer_message_in_bulk`."""
    if ticket.status not in BULK_REPLY_STATUSES:
        raise InvalidTransition(f"{ticket.reference} is {ticket.status}: its status changes "
                                "with a customer message.")
    body = _clean_body(body)
    message = Message(
        ticket=ticket, kind=MessageKind.INBOUND, author_contact=contact,
        channel=_channel(channel or ticket.channel), body=body, body_html=body_html,
        body_reply=body_reply, email_message_id=email_message_id[:998], created_at=at,
    )
    ticket.last_customer_message_at = at
    ticket.updated_at = max(ticket.updated_at, at)
    return message, ["updated_at", "last_customer_message_at"]


def after_customer_message_in_bulk(ticket: Ticket, message: Message, at: datetime) -> None:
    """What add_customer_message runs after writing its rows (search indexing aside)."""
    sla_clock.refresh(ticket, at)
