"""Turning stored mail into tickets: `process_inbound(inbound_id)`.

The raw mail was committed by `store.accept_raw` before anything read it. Here it
is parsed, guarded, threaded and added to a ticket, all in one transaction that
also marks the stored row processed: a crash anywhere rolls everything back to
"stored", and the row is processed again later (by the worker's sweep or
`frontline mail reprocess`). Processing locks the row and skips what is already
done, so a mail processed twice (two workers, a re-queued task) lands once.

Decisions (issue 3, "Threading" and "Loops, auto-replies and bounces"):
- Forged or borrowed evidence (a reply address or Message-ID with a wrong
  signature, a subject tag from someone not on the ticket) never appends: the
  mail opens a new ticket linked to the claimed one (event "linked" with the
  reason). We chose linking over the review state because the sender gets a
  normal answer and an agent sees the connection at once; nothing waits unseen.
- A reply to a closed ticket reopens it within FRONTLINE_REOPEN_WINDOW_DAYS of the
  closing; later, it opens a new ticket linked to the old one. A reply to a merged
  ticket lands on the ticket that lives on (and is judged by its state); people it
  copies in join the merged ticket's conversation, the one they were written into.
  Both rules are frontline.tickets.services.entry's, the same as the portal's.
- Automatic mail (out-of-office, list, bulk) that threads is stored on its ticket
  but changes no status and is not "the customer writing" (it cannot reopen a
  resolved ticket or stop a clock); it is never answered. If it threads nowhere it
  is kept as `ignored` with its reason. Our own mail coming back (a loop) is never
  stored on a ticket.
- A mail from a staff member's own address that threads is recorded as that
  agent's reply. If the customer was among its recipients they already have it,
  so the copy outbound would send is suppressed. If the agent may not reply
  there (role, closed ticket), the mail waits in `review` with the reason.
- Message.body keeps the whole text; Message.body_reply the new part only (the
  desk folds the rest).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from frontline import workflow
from frontline.core import email_address
from frontline.core.errors import (
    FrontlineError,
    InvalidTransition,
    NeedsConfirmation,
    NotFound,
)
from frontline.core.models import User
from frontline.customers import services as customers
from frontline.customers.models import ContactEmail
from frontline.mail import addresses, reports
from frontline.mail.attachments import Attachment as MailAttachment
from frontline.mail.models import InboundMail, InboundSource, InboundState, OutboundMail
from frontline.mail.outbound import acknowledge
from frontline.mail.parse import ParsedMail, parse_message
from frontline.mail.reports import MailReport
from frontline.mail.threading import (
    Threading,
    remember_quoted,
    thread,
    ticket_for_message_id,
)
from frontline.tickets import services as tickets
from frontline.tickets.models import (
    Message,
    Participant,
    ParticipantRole,
    Ticket,
    TicketLink,
)
from frontline.tickets.services import attachments as attachment_limits
from frontline.tickets.services.attachments import attach

logger = logging.getLogger(__name__)

NO_SUBJECT = "(no subject)"
NO_TEXT = "(This mail has no text; see its attachments.)"
MAX_SUBJECT = 300
FINISHED_STATES = (InboundState.PROCESSED, InboundState.IGNORED, InboundState.REVIEW)


class _Review(Exception):
    """The mail needs an agent's eye: kept in the `review` state with this reason."""

    def __init__(self, reason: str, ticket: Ticket | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ticket = ticket


@dataclass
class _Outcome:
    state: str = InboundState.PROCESSED
    ticket: Ticket | None = None
    message: Message | None = None
    reason: str = ""
    new_ticket: bool = False
    skipped: list[str] = field(default_factory=list)
    # Tickets opened by replies to this mail that came before it (threading, "Late
    # originals"): joined to `ticket` once the mail is on it.
    split: list[Ticket] = field(default_factory=list)


def process_inbound(inbound_id: int, *, stored: InboundMail | None = None) -> InboundMail:
    """Process one stored mail into its ticket. Idempotent; never loses the mail.

    A failure rolls the work back and records `failed` with the error (the raw
    mail stays for an admin and for a later retry); the error is not raised.
    `stored` is the row as its caller has just stored or read it (an import): its
    raw bytes are not read again, only its state, under the same lock.
    """
    try:
        with transaction.atomic():
            inbound = _locked_inbound(inbound_id, stored)
            if inbound is None:
                raise NotFound(f"There is no stored mail {inbound_id}.")
            if inbound.state in FINISHED_STATES:
                return inbound
            _process(inbound)
            return inbound
    except (NotFound, OperationalError, InterfaceError):
        # The database itself is unwell (locked, restarting, gone): the mail stays
        # `stored`, not marked as a bad mail. The worker runs the task again within
        # seconds (core/worker.py); the sweep is left for a worker that died.
        raise
    except Exception as error:  # anything else: the mail must be kept and shown
        logger.exception("Processing stored mail %s failed", inbound_id)
        message = (error.message if isinstance(error, FrontlineError)
                   else f"{type(error).__name__}: {error}")
        with transaction.atomic():
            InboundMail.objects.filter(pk=inbound_id).exclude(state__in=FINISHED_STATES).update(
                state=InboundState.FAILED, error=message[:5000],
                attempts=F("attempts") + 1, processed_at=timezone.now())
        return InboundMail.objects.get(pk=inbound_id)


def _locked_inbound(inbound_id: int, stored: InboundMail | None) -> InboundMail | None:
    rows = InboundMail.objects.select_for_update().filter(pk=inbound_id)
    if stored is None or stored.pk != inbound_id:
        return rows.first()
    current = rows.values_list("state", "attempts").first()
    if current is None:
        return None
    stored.state, stored.attempts = current
    return stored


def _process(inbound: InboundMail) -> None:
    parsed = parse_message(bytes(inbound.raw))
    inbound.from_address = (parsed.sender.email if parsed.sender else "")[:320]
    inbound.subject = (parsed.subject or "")[:300]
    imported = inbound.source == InboundSource.IMPORT
    # Imported history keeps its own times; live mail is dated when it reached us.
    at = (parsed.date or inbound.received_at) if imported else timezone.now()
    if parsed.parse_error:
        raise ValueError(f"The mail could not be read: {parsed.parse_error}")
    if parsed.sender is None:
        raise ValueError("The mail has no sender address (From).")
    try:
        outcome = _route(inbound, parsed, at=at, imported=imported)
    except _Review as review:
        outcome = _Outcome(state=InboundState.REVIEW, ticket=review.ticket,
                           reason=review.reason)
    inbound.state = outcome.state
    inbound.ticket = outcome.ticket
    inbound.message = outcome.message
    inbound.error = outcome.reason
    inbound.attempts += 1
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=["state", "ticket", "message", "error", "attempts",
                                "processed_at", "from_address", "subject"])
    inbound.opened_ticket = outcome.new_ticket
    if outcome.message is not None:
        remember_quoted(outcome.message, parsed)
        if parsed.refused_date:
            # headers.plausible_date refused it: say so where the mail's time shows.
            tickets.record_event(outcome.message.ticket, "mail_date_refused", at=at,
                                 message=outcome.message.pk, written=parsed.refused_date)
    if outcome.split and outcome.ticket is not None and outcome.message is not None:
        inbound.joined_tickets = _join_split(outcome.ticket, outcome.split, parsed, at=at)
    if (outcome.new_ticket and outcome.ticket is not None and not imported
            and not parsed.auto.is_automatic):
        acknowledge(outcome.ticket, inbound)


def _route(inbound: InboundMail, parsed: ParsedMail, *, at: datetime,
           imported: bool) -> _Outcome:
    assert parsed.sender is not None
    sender = parsed.sender.email
    if parsed.bounce is not None or parsed.auto.kind == "bounce":
        return _bounce(parsed, at=at)
    if parsed.report is not None:
        return _report(parsed, parsed.report, at=at)
    staff = staff_user(sender)
    known = _known_address(sender) if staff is None else None
    known_contact = known.contact if known is not None else None
    threading = thread(parsed, envelope_recipients=inbound.envelope_recipients or [],
                       sender_contact=known_contact, sender_is_staff=staff is not None,
                       sender_address=sender)
    if parsed.auto.is_automatic:
        return _automatic(parsed, threading, at=at)
    if staff is not None and threading.ticket is not None:
        return replace(_agent_reply(staff, parsed, threading.ticket, at=at),
                       split=threading.split)

    if known is not None and known.bouncing_since is not None:
        # They wrote to us from it, so the address works again.
        ContactEmail.objects.filter(pk=known.pk).update(bouncing_since=None, bounce_reason="")
    ticket, reason = threading.ticket, ""
    if ticket is not None:
        decision = workflow.customer_message_decision(ticket, at)
        if not decision.accepted:
            reason = decision.reason
            threading = Threading(claimed=decision.ticket, claim_reason=reason,
                                  split=threading.split)
            ticket = None
    outcome = _Outcome(split=threading.split)
    if ticket is None:
        # The sender's contact was looked up above; hand it down rather than have
        # open_ticket look it up again (unless its missing name is to be filled in,
        # which resolve_contact does).
        requester = (known_contact if known_contact is not None
                     and (known_contact.name or not parsed.sender.name.strip()) else None)
        ticket = workflow.open_ticket(
            requester_email=sender, requester_name=parsed.sender.name,
            subject=ticket_subject(parsed), body=message_body(parsed), channel="email",
            body_html=parsed.html, at=at, body_reply=new_text(parsed),
            email_message_id=parsed.message_id or "", requester=requester,
            read_now=not imported)
        message = ticket.messages.get()
        outcome.new_ticket = True
        if threading.claimed is not None:
            _link(ticket, threading.claimed, threading.claim_reason, at)
            reason = (f"Opened as a new ticket: {threading.claim_reason} "
                      f"({threading.claimed.reference}).")
    else:
        contact = known_contact or customers.resolve_contact(sender, parsed.sender.name,
                                                             field="from")
        message = workflow.add_customer_message(
            ticket, contact, message_body(parsed), channel="email", body_html=parsed.html, at=at,
            body_reply=new_text(parsed), email_message_id=parsed.message_id or "",
            read_now=not imported)
        ticket = message.ticket  # the one that lives on, if the mail named a merged one
    outcome.ticket, outcome.message, outcome.reason = ticket, message, reason
    if parsed.attachments:
        outcome.skipped = _attachments(message, parsed, at=at)
    _add_participants(message.merged_from or ticket, parsed, exclude={sender}, at=at,
                      envelope=inbound.envelope_recipients or [])
    return outcome


def _known_address(address: str) -> ContactEmail | None:
    return customers.find_email(address)


# -- pieces ---------------------------------------------------------------------


def ticket_subject(parsed: ParsedMail) -> str:
    subject = " ".join((parsed.subject or "").split())
    return subject[:MAX_SUBJECT] if subject else NO_SUBJECT


def message_body(parsed: ParsedMail) -> str:
    return parsed.text if parsed.text.strip() else NO_TEXT


def new_text(parsed: ParsedMail) -> str:
    """The new part, or "" when it is the whole text (nothing to fold)."""
    reply = (parsed.reply or "").strip("\n")
    return "" if not reply.strip() or reply.strip() == parsed.text.strip() else reply


_staff_by_address: ContextVar[dict[str, User] | None] = ContextVar(
    "frontline_mail_staff_by_address", default=None)


@contextmanager
def staff_addresses_cached() -> Iterator[None]:
    """Within this block, staff addresses are read once instead of once or more per
    mail. For a bulk run in one process (an import), where users do not change
    meanwhile; live processing always asks the database."""
    staff: dict[str, User] = {}
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        staff.setdefault(user.email.strip().lower(), user)
    token = _staff_by_address.set(staff)
    try:
        yield
    finally:
        _staff_by_address.reset(token)


def staff_user(address: str) -> User | None:
    cached = _staff_by_address.get()
    if cached is not None:
        return cached.get(address.strip().lower())
    return (User.objects.filter(email__iexact=address.strip(), is_active=True)
            .order_by("pk").first())


def _is_ours(address: str, envelope: list[str]) -> bool:
    lowered = email_address.comparable(address)
    support = email_address.comparable(addresses.support_address())
    if lowered == support or lowered in {email_address.comparable(a) for a in envelope}:
        return True
    if addresses.ticket_from_reply_address(address) is not None:
        return True
    return lowered.rpartition("@")[2] == support.rpartition("@")[2]


def participant_addresses(parsed: ParsedMail, *, exclude: set[str],
                          envelope: list[str]) -> Iterator[tuple[str, str]]:
    """(address, name) of everyone else the mail was addressed to (To and Cc), once
    each: not the excluded (the sender), not our own addresses, not staff."""
    skip = {email_address.comparable(address) for address in exclude}
    for address in parsed.to + parsed.cc:
        email = address.email.strip()
        if not email or email_address.comparable(email) in skip or _is_ours(email, envelope):
            continue
        skip.add(email_address.comparable(email))
        if staff_user(email) is None:
            yield email, address.name


def _add_participants(ticket: Ticket, parsed: ParsedMail, *, exclude: set[str],
                      at: datetime, envelope: list[str]) -> None:
    """Everyone else the mail was addressed to (To and Cc) takes part from now on."""
    for email, name in participant_addresses(parsed, exclude=exclude, envelope=envelope):
        try:
            contact = customers.resolve_contact(email, name, field="cc")
        except FrontlineError:
            continue  # an unusable address in Cc: nobody to add
        if contact.pk == ticket.requester_id:
            continue
        _, created = Participant.objects.get_or_create(
            ticket=ticket, contact=contact,
            defaults={"role": ParticipantRole.CC, "added_at": at})
        if created:
            tickets.record_event(ticket, "participant_added", actor_contact=contact, at=at,
                                 after=email.lower())


def _attachments(message: Message, parsed: ParsedMail, *, at: datetime) -> list[str]:
    """Store the mail's files within the size limits; say on the ticket what was left out."""
    kept, skipped = within_limits(parsed)
    for attachment in kept:
        attach(message, attachment.filename, attachment.payload,
               content_type=attachment.content_type, inline=attachment.inline,
               content_id=attachment.content_id or "")
    if skipped:
        tickets.record_event(message.ticket, "attachments_skipped", at=at,
                             **skipped_detail(message, skipped))
    return skipped


def within_limits(parsed: ParsedMail) -> tuple[list[MailAttachment], list[str]]:
    """The mail's files within the size limits, and the names of those left out."""
    total = 0
    kept: list[MailAttachment] = []
    skipped: list[str] = []
    for attachment in parsed.attachments:
        size = attachment.size
        if attachment_limits.refusal(size, total) is not None:
            skipped.append(f"{attachment.filename} ({size} bytes)")
            continue
        total += size
        kept.append(attachment)
    return kept, skipped


def skipped_detail(message: Message, skipped: list[str]) -> dict[str, Any]:
    """The detail of the "attachments_skipped" event."""
    return {"message": message.pk, "files": skipped,
            "reason": (f"larger than the limits ({settings.FRONTLINE_MAX_ATTACHMENT_MB:g} MB a "
                       f"file, {settings.FRONTLINE_MAX_MESSAGE_MB:g} MB a mail); "
                       "the raw mail keeps them")}


def _link(ticket: Ticket, other: Ticket, reason: str, at: datetime) -> None:
    """Link two tickets on the mail system's behalf (no agent did it)."""
    if ticket.pk == other.pk:
        return
    low, high = sorted([ticket, other], key=lambda t: t.pk)
    _, created = TicketLink.objects.get_or_create(from_ticket=low, to_ticket=high)
    if created:
        tickets.record_event(ticket, "linked", at=at, after=other.reference, reason=reason)
        tickets.record_event(other, "linked", at=at, after=ticket.reference, reason=reason)


def _join_split(ticket: Ticket, split: list[Ticket], parsed: ParsedMail, *,
                at: datetime) -> int:
    """The mail came after replies to it that opened tickets of their own (`split`):
    one conversation, so each joins the ticket the mail landed on, merged through the
    workflow on nobody's behalf (redirect and timeline entry as an agent's merge).
    Another customer's ticket is linked instead: only an agent may confirm that
    merge. Returns how many tickets were merged in."""
    reason = ("the replies that opened it came before the mail they answer "
              f"(Message-ID <{parsed.message_id}>).")
    joined = 0
    for other in split:
        if other.pk == ticket.pk:
            continue
        try:
            workflow.join_conversation(other, ticket, reason=reason)
        except NeedsConfirmation:
            _link(ticket, other, f"Not merged, {reason} Different customers' requests: "
                  "merge them if they are one.", at)
        except InvalidTransition:
            continue  # merged meanwhile: it lives on elsewhere
        else:
            joined += 1
    return joined


def _automatic(parsed: ParsedMail, threading: Threading, *, at: datetime) -> _Outcome:
    reason = parsed.auto.reason or parsed.auto.kind
    ticket = threading.ticket
    if parsed.auto.kind == "loop":
        return _Outcome(state=InboundState.IGNORED, ticket=ticket,
                        reason=f"Our own mail came back (loop): {reason}")
    if ticket is None:
        return _Outcome(state=InboundState.IGNORED,
                        reason=f"Automatic mail ({parsed.auto.kind}: {reason}) for no ticket")
    assert parsed.sender is not None
    contact = customers.resolve_contact(parsed.sender.email, parsed.sender.name, field="from")
    message = workflow.add_customer_message(
        ticket, contact, message_body(parsed), channel="email", body_html=parsed.html, at=at,
        body_reply=new_text(parsed), email_message_id=parsed.message_id or "", automatic=True)
    ticket = message.ticket  # the one that lives on, if the mail named a merged one
    tickets.record_event(ticket, "automatic_mail", actor_contact=contact, at=at,
                         message=message.pk, auto_kind=parsed.auto.kind, reason=reason)
    outcome = _Outcome(ticket=ticket, message=message,
                       reason=f"Automatic mail ({parsed.auto.kind}): not answered")
    outcome.skipped = _attachments(message, parsed, at=at)
    return outcome


def _agent_reply(agent: User, parsed: ParsedMail, ticket: Ticket, *, at: datetime) -> _Outcome:
    try:
        message = workflow.add_reply(ticket, agent, message_body(parsed), body_html=parsed.html,
                                    at=at)
    except FrontlineError as error:
        raise _Review(f"A mail from {agent.username} could not be added as their reply: "
                      f"{error.message}", ticket) from None
    ticket = message.ticket  # the one that lives on, if the mail named a merged one
    message.refresh_from_db(fields=["email_message_id"])
    message.body_reply = new_text(parsed)
    recipients = {email_address.comparable(address.email) for address in parsed.to + parsed.cc}
    reached_customer = bool(recipients & {email_address.comparable(stored) for stored in (
        ContactEmail.objects.filter(contact_id=ticket.requester_id)
        .values_list("address", flat=True))})
    if reached_customer:
        # The agent's own client already delivered it to the customer: a second
        # copy from us would be a duplicate, and the customer's answer will quote
        # the agent's Message-ID, not the one our copy would have carried.
        suppressed = OutboundMail.objects.filter(message=message, state="queued").update(
            state="suppressed", last_error="The agent's own mail already reached the customer.")
        if suppressed:
            tickets.record_event(ticket, "delivery", actor=agent, at=at, after="suppressed",
                                 reason="The agent's own mail already reached the customer.")
        if parsed.message_id:
            message.email_message_id = parsed.message_id[:998]
    elif not message.email_message_id:
        message.email_message_id = (parsed.message_id or "")[:998]
    message.save(update_fields=["body_reply", "email_message_id"])
    outcome = _Outcome(ticket=ticket, message=message, reason="")
    outcome.skipped = _attachments(message, parsed, at=at)
    return outcome


def _bounce(parsed: ParsedMail, *, at: datetime) -> _Outcome:
    """A delivery failure: shown on the ticket of the mail that failed; a permanent
    failure marks the address as bouncing so agents are warned before writing."""
    bounce = parsed.bounce
    reason = parsed.auto.reason or "bounce"
    ticket = ticket_for_message_id(bounce.original_message_id if bounce else None)
    if ticket is None:
        threading = thread(parsed, sender_contact=None)
        ticket = threading.ticket
    if ticket is None or bounce is None:
        return _Outcome(state=InboundState.IGNORED,
                        reason=f"A delivery failure for no mail of ours ({reason})")
    # Shown where agents look: on the ticket that lives on, if that one was merged.
    landing = workflow.landing(ticket, workflow.EntryKind.CUSTOMER_MESSAGE)
    ticket = landing.ticket
    diagnostic = (bounce.diagnostic or "").strip()[:500]
    message = Message.objects.create(
        ticket=ticket, kind="inbound", author_user=None, author_contact=None, channel="email",
        body=message_body(parsed), body_html=parsed.html, body_reply="",
        email_message_id=(parsed.message_id or "")[:998], created_at=at,
        merged_from=landing.merged_from)
    tickets.record_event(
        ticket, "bounce", at=at, message=message.pk, recipients=list(bounce.recipients),
        status=bounce.status, permanent=bounce.permanent, diagnostic=diagnostic,
        original_message_id=bounce.original_message_id)
    if bounce.permanent:
        why = diagnostic or f"status {bounce.status or 'unknown'}"
        for recipient in bounce.recipients:
            ContactEmail.objects.filter(address__in=email_address.lookup_forms(recipient)).update(
                bouncing_since=at, bounce_reason=why[:500])
    return _Outcome(ticket=ticket, message=message,
                    reason=f"Delivery failure for {', '.join(bounce.recipients) or 'unknown'}")


def _report(parsed: ParsedMail, report: MailReport, *, at: datetime) -> _Outcome:
    """An abuse complaint or a notice of delivery about a mail of ours (reports.py):
    recorded on that mail's ticket as what it is, never a message and never answered.
    The stored mail stays `ignored` with the report in words, for the admins' list."""
    ticket = ticket_for_message_id(report.original_message_id)
    if ticket is None:
        ticket = thread(parsed, sender_contact=None).ticket
    reason = f"Not answered: {report.summary}"
    if ticket is None:
        return _Outcome(state=InboundState.IGNORED, reason=f"{reason} (for no ticket of ours)")
    ticket = workflow.landing(ticket, workflow.EntryKind.CUSTOMER_MESSAGE).ticket
    if report.kind == reports.FEEDBACK:
        tickets.record_event(ticket, "feedback_report", at=at, recipients=report.recipients,
                             feedback_type=report.feedback_type, reporter=report.reporter,
                             original_message_id=report.original_message_id)
    else:
        tickets.record_event(ticket, "delivery", at=at, after="delivered",
                             to=", ".join(report.recipients), status=report.status,
                             reporter=report.reporter)
    return _Outcome(state=InboundState.IGNORED, ticket=ticket, reason=reason)


# -- re-running ------------------------------------------------------------------


def reprocess_pending(limit: int = 1000, *, include_failed: bool = True) -> int:
    """Process stored mail that has not finished (and, by default, failed mail again).

    For `frontline mail reprocess`: runs in this process, oldest first, and returns
    how many mails it took up.
    """
    states = [InboundState.STORED] + ([InboundState.FAILED] if include_failed else [])
    ids = list(InboundMail.objects.filter(state__in=states).order_by("received_at", "pk")
               .values_list("pk", flat=True)[:max(0, limit)])
    for inbound_id in ids:
        process_inbound(inbound_id)
    return len(ids)


def requeue_stale(*, older_than: timedelta | None = None, limit: int = 1000,
                  now: datetime | None = None) -> int:
    """Queue processing again for mail stored long ago and still unprocessed.

    A worker killed mid-task leaves its task claimed forever and the mail `stored`
    (its transaction rolled back). Mail whose task is still waiting in the queue is
    left alone, and while a large backlog is queued the sweep waits for it to drain.
    """
    from frontline.mail.tasks.inbound import process_inbound_task, waiting_inbound_ids

    now = now or timezone.now()
    age = older_than if older_than is not None else timedelta(
        seconds=settings.FRONTLINE_INBOUND_STALE_SECONDS)
    stale = list(InboundMail.objects.filter(state=InboundState.STORED,
                                            received_at__lte=now - age)
                 .order_by("received_at", "pk").values_list("pk", flat=True)[:limit])
    if not stale:
        return 0
    waiting = waiting_inbound_ids()
    if waiting is None:
        return 0
    queued = 0
    for inbound_id in stale:
        if inbound_id in waiting:
            continue
        process_inbound_task.enqueue(inbound_id)
        queued += 1
    return queued


def remote_image_html(message: Message) -> str | None:
    """The message's HTML again, with remote images allowed (an agent asked)."""
    inbound = InboundMail.objects.filter(message=message).only("raw").first()
    if inbound is None:
        return message.body_html
    return parse_message(bytes(inbound.raw), allow_remote_images=True).html
