"""The conversation on a ticket: the agent's reply, the internal note, the customer's
message. Each keeps the SLA clock and the search index in step, and a reply leaves
through the sender its channel registered (frontline.tickets.channels)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidTransition, NotAllowed, NotFound
from frontline.core.models import User
from frontline.costs import services as time_costs
from frontline.customers.models import Contact
from frontline.intake import asking, questions, reading
from frontline.notifications import mentions
from frontline.search import index as search_index
from frontline.sla import clock as sla_clock
from frontline.tickets import channels, observers
from frontline.tickets.channels import Recipients
from frontline.tickets.models import Channel, Event, Message, MessageKind, Status, Ticket
from frontline.tickets.services import drafts
from frontline.tickets.services.attachments import UploadedFile, attach, check_files
from frontline.tickets.services.collision import check_seen
from frontline.tickets.services.entry import EntryKind, check_customer_message, locked_landing
from frontline.tickets.services.events import record_event
from frontline.tickets.services.inputs import clean_body, parse_status
from frontline.tickets.services.rows import customer_message_row, staff_message
from frontline.tickets.services.state import (
    FINISHED_STATUSES,
    TRANSITIONS,
    apply_assignee,
    apply_status,
    reopen_status,
    touch,
)


def reply_channel(ticket: Ticket) -> str:
    """The channel an agent's reply goes out on: the ticket's own when it has a sender
    (a ticket that came by mail is answered by mail), else email, the channel every
    customer with an address can be reached on."""
    if channels.sender_for(ticket.channel) is not None:
        return str(ticket.channel)
    return str(Channel.EMAIL)


def reply_recipients(ticket: Ticket) -> Recipients:
    """Who a reply on `ticket` goes to unless the agent changes it (the composer's To
    and Cc, filled in): the reply channel's default (frontline.mail.recipients)."""
    sender = channels.sender_for(reply_channel(ticket))
    return sender.recipients(ticket, None, None) if sender is not None else Recipients()


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
    seen: int | None = None,
    files: Sequence[UploadedFile] = (),
    to: Sequence[str] | None = None,
    cc: Sequence[str] | None = None,
    undo_seconds: int = 0,
) -> Message:
    """An agent's reply to the customer. `status` optionally moves the ticket on.
    A closed ticket takes a reply only with `reopen` (it reopens first). Aimed at a
    merged ticket, it lands on the one that lives on if that is the same customer's,
    else it is refused (frontline.tickets.services.entry). `seen`, the newest message
    the agent read, holds the reply when somebody wrote since (NewerEntries, 409:
    frontline.tickets.services.collision).

    `files` go out with the mail, within the inbound limits (refused whole
    otherwise: frontline.tickets.services.attachments.check_files); `body_html` is
    the formatted form of `body` (already sanitised). Sending ends the agent's
    draft on the ticket (frontline.tickets.services.drafts).

    `to` and `cc` are where the agent sends it (None: the channel's default, the
    requester and Cc the participants), checked before anything is written
    (frontline.mail.recipients: 422 naming the field). `undo_seconds` holds the
    mail that long (the desk's undo-send window, FRONTLINE_UNDO_SEND_SECONDS):
    the reply is stored at once and `undo_reply` may take it back until then.

    The first response counts when the reply is stored, not when its mail leaves
    (as a reply whose mail is retried for an hour counted when written): the
    agent answered then, and an undo within the window takes the count back."""
    addressed = ticket.pk
    landing = locked_landing(ticket, EntryKind.REPLY)
    ticket = landing.ticket
    permissions.check_can_change_ticket(actor, ticket)
    check_seen(ticket, actor, seen)
    if ticket.status == Status.CLOSED and not reopen:
        raise InvalidTransition(f"{ticket.reference} is closed; reopen it to reply.")
    body = clean_body(body)
    check_files(files)
    next_status = parse_status(status) if status else None
    now = at or timezone.now()
    channel = reply_channel(ticket)
    sender = channels.sender_for(channel)
    recipients = sender.recipients(ticket, to, cc) if sender is not None else None
    if ticket.status == Status.CLOSED:
        reopen_status(ticket, actor, now, reason="Reopened to reply.")
    message = staff_message(ticket, actor, body, kind=MessageKind.OUTBOUND, channel=channel,
                            at=now, body_html=body_html, merged_from=landing.merged_from)
    # Before the sender queues the mail below: it goes out with its files.
    _attach_files(message, files)
    drafts.discard(actor, {addressed, ticket.pk})
    fields = ["last_agent_message_at"]
    ticket.last_agent_message_at = now
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        record_event(ticket, "first_response", actor=actor, at=now)
    if ticket.assignee_id is None and permissions.can_own_tickets(actor):
        apply_assignee(ticket, actor, actor, now)
        fields.append("assignee")
    touch(ticket, now, *fields)
    if next_status is None and ticket.status == Status.NEW:
        next_status = Status.OPEN
    if next_status is not None:
        apply_status(ticket, actor, next_status, now)
    sla_clock.refresh(ticket, now)
    search_index.index_message(message)
    # What the reply asked the customer for: how often agents still have to ask for
    # each fact (frontline.insights.intake). asked_keys is pure and the questions are
    # kept per process: this costs the ticket's category row and, if it asked, one INSERT.
    asked = asking.asked_keys(body, questions.questions_for(ticket.category))
    if asked:
        record_event(ticket, "facts_asked", actor=actor, at=now, keys=asked, message=message.pk)
    # Queued in this transaction: the reply and its delivery commit together.
    if sender is not None:
        hold = timedelta(seconds=undo_seconds) if undo_seconds > 0 else None
        queued = sender.reply(message, recipients=recipients, hold=hold)
        if hold is not None and queued is not None:
            # Until then the customer's page does not show it (selectors.customer_messages).
            message.held_until = now + hold
            message.save(update_fields=["held_until"])
    stop_timers_after_writing(ticket, actor, now)
    return message


@dataclass(frozen=True)
class WithdrawnReply:
    """What undo send took back: the text (now the writer's draft again), the
    files, which a draft does not keep, so the composer names them, and where it
    was going, for the composer's To and Cc; the events removed with it (the
    first response it gave, the facts it asked), for pages that show them."""

    ticket: Ticket
    body: str
    files: list[str]
    event: Event
    to: list[str]
    cc: list[str]
    removed_events: list[int]


@transaction.atomic
def undo_reply(ticket: Ticket, actor: User, message_id: int, *,
               at: datetime | None = None) -> WithdrawnReply:
    """Undo send: take back `actor`'s reply `message_id` while its mail is still held
    (add_reply's `undo_seconds`). The mail is withdrawn (never sent), the reply
    leaves the timeline and the customer's view, its text becomes the writer's draft
    again (frontline.tickets.services.drafts), and a `reply_withdrawn` event records
    it, text included: nothing written is lost, and the timeline says what happened.

    What the reply did is taken back with it: the first response and the last agent
    message times, the facts it asked for, and the status it set when the way back
    is allowed (else the event says the status stays). A reply whose mail left or is
    being sent is refused: 409 "already sent". Only its writer may undo it (403)."""
    ticket = locked_landing(ticket, EntryKind.CHANGE).ticket
    permissions.check_can_change_ticket(actor, ticket)
    now = at or timezone.now()
    message = (Message.objects.filter(pk=message_id, ticket=ticket, kind=MessageKind.OUTBOUND)
               .prefetch_related("attachments").first())
    if message is None:
        raise NotFound(f"{ticket.reference} has no reply {message_id} to undo.")
    if message.author_user_id != actor.pk:
        raise NotAllowed("Only the agent who sent a reply can undo it.")
    sender = channels.sender_for(message.channel)
    if sender is None or not sender.withdraw(message, now):
        raise InvalidTransition("This reply was already sent; it can no longer be undone.",
                                field="undo")
    files = [attachment.filename for attachment in message.attachments.all()]
    mailed = message.outbound_mails.order_by("pk").first()
    status_kept = _take_back_status(ticket, actor, message, now)
    fields = []
    # Events that only told of this reply go with it (the withdrawal tells instead).
    told = ticket.events.filter(kind="facts_asked", detail__message=message.pk)
    if ticket.first_response_at == message.created_at:
        ticket.first_response_at = None
        fields.append("first_response_at")
        told = told | ticket.events.filter(kind="first_response", at=message.created_at)
    removed_events = list(told.values_list("pk", flat=True))
    Event.objects.filter(pk__in=removed_events).delete()
    if ticket.last_agent_message_at == message.created_at:
        ticket.last_agent_message_at = (
            ticket.messages.filter(kind=MessageKind.OUTBOUND, author_user__isnull=False)
            .exclude(pk=message.pk).order_by("-created_at")
            .values_list("created_at", flat=True).first())
        fields.append("last_agent_message_at")
    event = record_event(
        ticket, "reply_withdrawn", actor=actor, at=now, body=message.body,
        to=list(mailed.to) if mailed else [], cc=list(mailed.cc) if mailed else [],
        files=files, sent_at=message.created_at.isoformat(), status_kept=status_kept,
        # Which timeline entries it takes away: other agents' open pages drop them at
        # their next refresh (desk/static/desk/ticket_live.js), and the
        # ticket.message_withdrawn webhook names the message that message_added named.
        message=message.pk, removed_events=removed_events)
    draft = drafts.draft_for(ticket, actor)
    body = message.body if draft is None else f"{message.body.rstrip()}\n\n{draft.body}"
    search_index.remove_message(message)
    message.delete()
    # The draft keeps where the reply was going, so a reload brings the To and Cc back.
    drafts.save_draft(ticket, actor, body, kind="reply", at=now,
                      to=", ".join(mailed.to) if mailed else None,
                      cc=", ".join(mailed.cc) if mailed else None)
    touch(ticket, now, *fields)
    sla_clock.refresh(ticket, now)
    return WithdrawnReply(ticket=ticket, body=body, files=files, event=event,
                          to=list(mailed.to) if mailed else [],
                          cc=list(mailed.cc) if mailed else [],
                          removed_events=removed_events)


def _take_back_status(ticket: Ticket, actor: User, message: Message, at: datetime) -> str:
    """Put back the status the reply set (its own status_changed event, written in
    the same moment); "" when done or nothing to do, else the status that stays (a
    resolved ticket goes back only to open: one that was pending stays resolved, and
    the withdrawal's line on the timeline says so)."""
    changed = (ticket.events.filter(kind="status_changed", actor=actor, at=message.created_at)
               .order_by("-pk").first())
    if changed is None or changed.after != ticket.status or not changed.before:
        return ""
    # A new ticket the reply moved on is open now that an agent worked on it (a
    # ticket never goes back to new).
    before = Status.OPEN if changed.before == Status.NEW else Status(str(changed.before))
    if before == ticket.status:
        return ""
    if before not in TRANSITIONS[ticket.status]:
        return Status(ticket.status).label.lower()
    apply_status(ticket, actor, before, at)
    return ""


def _attach_files(message: Message, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        attach(message, upload.name, upload.content, content_type=upload.content_type)


def stop_timers_after_writing(ticket: Ticket, actor: User, at: datetime) -> None:
    """Sending ends the writer's timer on the ticket (its entry joins the timeline);
    a send that resolved or closed the ticket ends everybody's
    (frontline.costs.services.stop_timers_on)."""
    finished = ticket.status in FINISHED_STATUSES
    time_costs.stop_timers_on(ticket, at, user=None if finished else actor)


@transaction.atomic
def add_note(ticket: Ticket, actor: User, body: str, *, at: datetime | None = None,
             seen: int | None = None, body_html: str | None = None,
             files: Sequence[UploadedFile] = ()) -> Message:
    """An internal note: seen by staff only, never sent to the customer; the staff it
    @mentions are notified (frontline.notifications.mentions). Aimed at a
    merged ticket, it lands on the one that lives on. `seen` holds it as a reply's
    (frontline.tickets.services.collision); `files` and `body_html` are taken as a
    reply's (add_reply)."""
    addressed = ticket.pk
    landing = locked_landing(ticket, EntryKind.NOTE)
    ticket = landing.ticket
    permissions.check_can_change_ticket(actor, ticket)
    check_seen(ticket, actor, seen)
    body = clean_body(body)
    check_files(files)
    now = at or timezone.now()
    message = staff_message(ticket, actor, body, kind=MessageKind.NOTE, channel=Channel.WEB,
                            at=now, body_html=body_html, merged_from=landing.merged_from)
    _attach_files(message, files)
    drafts.discard(actor, {addressed, ticket.pk})
    # Whom the note names (@otto, @"Otto Level-Two"): told if they may see the ticket.
    mentions.record_mentions(message, actor)
    touch(ticket, now)
    search_index.index_message(message)
    stop_timers_after_writing(ticket, actor, now)
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
    read_now: bool = True,
    files: Sequence[UploadedFile] = (),
) -> Message:
    """A message from the customer. It reopens a resolved or closed ticket and
    moves one waiting on the customer back to open: nothing closes while they write.

    `automatic` (an out-of-office reply, a bounce) is kept on the timeline but is
    not the customer writing: it changes no status and no "last customer message"
    time, so a robot can neither reopen a ticket nor stop its clock.

    Aimed at a merged ticket (its portal link, its reply address), the message
    lands on the ticket that lives on and remembers where it was written; a ticket
    closed longer than the reopen window refuses it (ReopenWindowPassed, 409; the
    mail intake asks first and opens a new ticket instead). Both rules:
    frontline.tickets.services.entry.

    The facts the message gives are read at once, or with `read_now=False` (an
    import of history) queued for the worker (frontline.intake.reading).

    `files` (the portal's reply form) are held to the inbound mail's limits and
    refused whole when over them (frontline.tickets.services.attachments); the
    mail intake attaches its own, after its own limits.
    """
    landing = locked_landing(ticket, EntryKind.CUSTOMER_MESSAGE)
    ticket = landing.ticket
    now = at or timezone.now()
    if not automatic:
        check_customer_message(ticket, now)
    check_files(files)
    message = customer_message_row(ticket, contact, body, channel=channel, at=now,
                                   body_html=body_html, body_reply=body_reply,
                                   email_message_id=email_message_id)
    message.merged_from = landing.merged_from
    message.save(force_insert=True)
    _attach_files(message, files)
    observers.message_added(message)
    if automatic:
        touch(ticket, now)
        search_index.index_message(message)
        return message
    ticket.last_customer_message_at = now
    touch(ticket, now, "last_customer_message_at")
    if ticket.status in FINISHED_STATUSES:
        reopen_status(ticket, None, now, reason="The customer wrote again.",
                      actor_contact=contact)
    elif ticket.status == Status.PENDING_CUSTOMER:
        apply_status(ticket, None, Status.OPEN, now, actor_contact=contact)
    if read_now:
        reading.read_message(ticket, message, now)
    else:
        reading.queue([(ticket, message, False)], now)
    sla_clock.refresh(ticket, now)
    search_index.index_message(message)
    return message


def after_customer_message(ticket: Ticket, message: Message, at: datetime, *,
                           read_now: bool = False) -> None:
    """What follows a customer message that changes no status (the batch form of
    add_customer_message; the search index aside, filled per batch). Its facts are
    read at once with `read_now` (live mail), else the batch queues them for the
    worker (an import: frontline.intake.reading.queue)."""
    if read_now:
        reading.read_message(ticket, message, at)
    sla_clock.refresh(ticket, at)
