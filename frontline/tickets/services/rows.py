"""Writing a ticket's rows: the ticket with its first message, and each message after.

The per-ticket path (frontline.workflow) and the batched mail import
(frontline.mail.batch, through the workflow's batch stages) both build their
rows here, so the two cannot drift apart: `new_ticket_rows` and
`customer_message_row` return unsaved rows that one saves one by one and the
other in bulk. tests/mail/test_import_batch.py imports the same mails both ways
and compares every row.
"""

from __future__ import annotations

from datetime import datetime

from frontline.core.errors import InvalidTransition
from frontline.core.models import User
from frontline.customers.models import Contact, Product, Version
from frontline.tickets import observers
from frontline.tickets.models import (
    Category,
    Event,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
)
from frontline.tickets.services.inputs import clean_body, clean_subject, parse_channel

# A customer message on a ticket in these statuses changes no status (see
# frontline.workflow.conversation.add_customer_message); only such messages are
# written in bulk.
BULK_REPLY_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING_INTERNAL})


def new_ticket_rows(
    *, requester: Contact, subject: str, body: str, channel: str | None, at: datetime,
    actor: User | None = None, priority: Priority = Priority.NORMAL,
    category: Category | None = None, product: Product | None = None,
    version: Version | None = None, body_html: str | None = None, body_reply: str = "",
    email_message_id: str = "",
) -> tuple[Ticket, Message, Event]:
    """The ticket, its first message and its "created" event, unsaved, in the order
    of saving. `actor` is the member of staff who opened it for the customer."""
    subject = clean_subject(subject)
    body = clean_body(body)
    channel_value = parse_channel(channel)
    ticket = Ticket(
        subject=subject, status=Status.NEW, priority=priority, category=category,
        requester=requester, organization=requester.organization, product=product,
        version=version, channel=channel_value, created_at=at, updated_at=at,
        last_customer_message_at=at,
    )
    message = Message(
        ticket=ticket, kind=MessageKind.INBOUND, author_contact=requester, author_user=None,
        channel=channel_value, body=body, body_html=body_html, created_at=at,
        body_reply=body_reply, email_message_id=email_message_id[:998],
    )
    event = Event(ticket=ticket, kind="created", actor=actor,
                  actor_contact=None if actor else requester, at=at, before=None,
                  after={"status": Status.NEW, "channel": channel_value,
                         "priority": priority.name.lower()}, detail={})
    return ticket, message, event


def proactive_ticket_rows(
    *, requester: Contact, subject: str, body: str, actor: User, at: datetime,
    channel: str | None = None,
) -> tuple[Ticket, Message, Event]:
    """A ticket we open to tell a customer something (an advisory), unsaved: the same
    rows as new_ticket_rows, but its first message is `actor`'s outbound message and
    the ticket waits for the customer (pending customer, first response given), so no
    promise runs until they answer."""
    ticket, message, event = new_ticket_rows(
        requester=requester, subject=subject, body=body, channel=channel, at=at, actor=actor)
    ticket.status = Status.PENDING_CUSTOMER
    ticket.last_customer_message_at = None
    ticket.last_agent_message_at = at
    ticket.first_response_at = at
    message.kind = MessageKind.OUTBOUND
    message.author_contact = None
    message.author_user = actor
    event.after = {**(event.after or {}), "status": Status.PENDING_CUSTOMER}
    event.detail = {"proactive": True}
    return ticket, message, event


def save_new_ticket(ticket: Ticket, message: Message, event: Event) -> None:
    ticket.save(force_insert=True)
    message.ticket = ticket
    message.save(force_insert=True)
    event.ticket = ticket
    event.save(force_insert=True)
    observers.event_recorded(event)


def customer_message_row(
    ticket: Ticket, contact: Contact, body: str, *, channel: str | None, at: datetime,
    body_html: str | None = None, body_reply: str = "", email_message_id: str = "",
) -> Message:
    """A customer's message on `ticket`, unsaved."""
    return Message(
        ticket=ticket, kind=MessageKind.INBOUND, author_contact=contact,
        channel=parse_channel(channel or ticket.channel), body=clean_body(body),
        body_html=body_html, body_reply=body_reply, email_message_id=email_message_id[:998],
        created_at=at,
    )


def bulk_customer_message_row(
    ticket: Ticket, contact: Contact, body: str, *, channel: str, at: datetime,
    body_html: str | None = None, body_reply: str = "", email_message_id: str = "",
) -> tuple[Message, list[str]]:
    """The message add_customer_message writes on a ticket in BULK_REPLY_STATUSES
    (no status changes), unsaved. Changes `ticket` in memory as it does and returns
    the ticket fields to save."""
    if ticket.status not in BULK_REPLY_STATUSES:
        raise InvalidTransition(f"{ticket.reference} is {ticket.status}: its status changes "
                                "with a customer message.")
    message = customer_message_row(ticket, contact, body, channel=channel, at=at,
                                   body_html=body_html, body_reply=body_reply,
                                   email_message_id=email_message_id)
    ticket.last_customer_message_at = at
    ticket.updated_at = max(ticket.updated_at, at)
    return message, ["updated_at", "last_customer_message_at"]


def staff_message(ticket: Ticket, actor: User | None, body: str, *, kind: str,
                  channel: str, at: datetime, body_html: str | None = None,
                  merged_from: Ticket | None = None) -> Message:
    """An agent's reply or note (or, with `actor` None, a message from the system), saved.
    `merged_from`: the merged ticket it was aimed at (frontline.tickets.services.entry)."""
    message = Message.objects.create(
        ticket=ticket, kind=kind, author_user=actor, channel=channel, body=body,
        body_html=body_html, created_at=at, merged_from=merged_from,
    )
    observers.message_added(message)
    return message

