"""Sending mail: agent replies, acknowledgements, reminders and fresh links.

Queueing is part of the operation that caused it (an agent's reply queues its
mail inside `add_reply`'s transaction), so a reply and its mail commit or roll
back together. Delivery happens later in the worker (`deliver`), outside any
transaction that holds rows: talking to a mail server can take seconds, and on
SQLite a held write lock would stop every other writer meanwhile.

Every state shows on the ticket's timeline: "queued" beside the message (the desk
reads the OutboundMail), and each outcome as a "delivery" event: sent, a retry with
the server's answer, failed with the server's answer, or not sent (suppressed)
with the reason.

Automatic mails (everything an agent did not write) are rate-limited per
recipient and per ticket (FRONTLINE_AUTO_MAIL_LIMITS, FRONTLINE_AUTO_MAIL_TICKET_LIMITS):
when a robot answers every mail with a mail, the conversation stops at the limit
instead of running forever. A suppressed mail is still recorded, with the reason.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from frontline.core import email_address, outages
from frontline.customers.models import ContactEmail
from frontline.intake import follow_up
from frontline.intake.models import Question
from frontline.mail import addresses, compose, leases, transport
from frontline.mail.auto import DEFAULT_LOOP_HEADER
from frontline.mail.models import OutboundMail, OutboundState
from frontline.mail.recipients import (  # noqa: F401  (participant_addresses: read here too)
    default_recipients,
    participant_addresses,
    requester_address,
)
from frontline.sla import promises
from frontline.tickets import access
from frontline.tickets.channels import Recipients
from frontline.tickets.models import Channel, Message, MessageKind, Ticket
from frontline.tickets.services.events import record_event

if TYPE_CHECKING:
    from frontline.mail.models import InboundMail

logger = logging.getLogger(__name__)

DELIVERY_EVENT = leases.DELIVERY_EVENT
SEND_LEASE = leases.SEND_LEASE
# The periodic sweep sends the due mails in batches this size (frontline.mail.leases).
DUE_BATCH = 25
MAX_BACKOFF = timedelta(hours=6)
SUMMARY_CHARS = 400
HISTORY_AGE = timedelta(minutes=10)

_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$", re.I)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


# -- rate limits ----------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    count: int
    period: timedelta

    def __str__(self) -> str:
        seconds = int(self.period.total_seconds())
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds % size == 0:
                amount = seconds // size
                return f"{self.count} per {amount} {unit}{'s' if amount != 1 else ''}" if (
                    amount != 1) else f"{self.count} per {unit}"
        return f"{self.count} per {seconds} seconds"


def parse_limits(text: str, name: str = "FRONTLINE_AUTO_MAIL_LIMITS") -> list[Limit]:
    """`"10/10m,50/1d"` -> [10 per 10 minutes, 50 per day]; empty means no limit."""
    limits = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _LIMIT.match(part)
        if match is None:
            raise ImproperlyConfigured(
                f"{name}: '{part.strip()}' is not a limit like 10/10m or 50/1d.")
        count, amount, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
        if amount <= 0:
            raise ImproperlyConfigured(f"{name}: '{part.strip()}' has an empty period.")
        limits.append(Limit(count, timedelta(seconds=amount * _UNITS[unit.lower()])))
    return limits


def _counted(now: datetime, period: timedelta) -> QuerySet[OutboundMail]:
    # Suppressed mails do not count: they were not sent, and counting them would
    # keep a recipient blocked for as long as a robot keeps writing.
    return OutboundMail.objects.filter(automatic=True, created_at__gt=now - period).exclude(
        state=OutboundState.SUPPRESSED)


def over_limit(ticket: Ticket, recipient: str, now: datetime) -> str | None:
    """Why one more automatic mail to `recipient` on `ticket` must not go out, or None.

    Two statements, however many limits: the recipient's own automatic mail (through
    its index, outbound_auto_recipient, however many others got theirs meanwhile),
    then the ticket's, each counted over every period at once."""
    key = _recipient_key([recipient])
    for limits, mine, whose in (
            (parse_limits(settings.FRONTLINE_AUTO_MAIL_LIMITS), Q(recipient_key=key),
             f"to {recipient}"),
            (parse_limits(settings.FRONTLINE_AUTO_MAIL_TICKET_LIMITS,
                          "FRONTLINE_AUTO_MAIL_TICKET_LIMITS"), Q(ticket=ticket),
             f"on {ticket.reference}")):
        if not limits:
            continue
        longest = max(limit.period for limit in limits)
        counts = _counted(now, longest).filter(mine).aggregate(**{
            f"p{number}": Count("pk", filter=Q(created_at__gt=now - limit.period))
            for number, limit in enumerate(limits)})
        for number, limit in enumerate(limits):
            sent = counts[f"p{number}"]
            if sent >= limit.count:
                return (f"rate limit: {sent} automatic mails {whose} in the last "
                        f"{_period_words(limit.period)} (at most {limit})")
    return None


def _recipient_key(to: list[str]) -> str:
    """An automatic mail's one recipient, one spelling per address (OutboundMail.recipient_key)."""
    return email_address.comparable(to[0])[:320] if to else ""


def _period_words(period: timedelta) -> str:
    return str(Limit(0, period)).removeprefix("0 per ")


# -- queueing -------------------------------------------------------------------


def _create(ticket: Ticket, message: Message | None, *, to: list[str], subject: str,
            automatic: bool, now: datetime, state: str = OutboundState.QUEUED,
            reason: str = "", cc: list[str] | None = None,
            send_at: datetime | None = None) -> OutboundMail:
    outbound = OutboundMail.objects.create(
        ticket=ticket, message=message, header_message_id=addresses.new_message_id(ticket.pk),
        to=to, cc=cc or [], subject=compose.header_text(subject, 900), automatic=automatic,
        recipient_key=_recipient_key(to) if automatic else "", state=state, last_error=reason,
        created_at=now,
        next_attempt_at=(send_at or now) if state == OutboundState.QUEUED else None,
    )
    if state == OutboundState.QUEUED:
        if message is not None:
            # Replies quoting this id in In-Reply-To/References thread back here.
            message.email_message_id = outbound.header_message_id
            message.save(update_fields=["email_message_id"])
        # "Queued" shows beside the message itself (the desk reads the OutboundMail);
        # events record what happened to it next: sent, retried, failed, suppressed.
        due_at = outbound.next_attempt_at if send_at is not None else None
        transaction.on_commit(lambda: _enqueue(outbound.pk, due_at))
    else:
        leases.record_delivery(outbound, state, now, reason=reason)
    return outbound


def _enqueue(outbound_id: int, run_after: datetime | None = None) -> None:
    from frontline.mail.tasks.delivery import deliver_task

    try:
        if run_after is None:
            deliver_task.enqueue(outbound_id)
        elif deliver_task.get_backend().supports_defer:
            deliver_task.using(run_after=run_after).enqueue(outbound_id)
        # A backend that cannot wait (the immediate one) would send at once, inside
        # the undo window: the periodic sweep (deliver_due) sends it once due instead.
    except Exception:
        # The mail is committed as queued and due now: the periodic retry job
        # sends it within a minute, so a failed enqueue delays, never loses.
        logger.exception("Could not enqueue delivery of outbound mail %s", outbound_id)


def is_history(message: Message, now: datetime | None = None) -> bool:
    """A message dated well before now is history being recorded (an import, the
    demo, a reply written offline): it already reached the customer, or never
    will. Mailing it now would be news from the past."""
    return message.created_at < (now or timezone.now()) - HISTORY_AGE


def queue_reply(message: Message, *, recipients: Recipients | None = None,
                hold: timedelta | None = None) -> OutboundMail | None:
    """Queue an agent's reply for sending (inside the caller's transaction) to
    `recipients` (checked by frontline.mail.recipients.check_recipients; None: the
    requester, Cc the participants). None for internal notes, history, or nobody to
    mail (a requester without an address).

    `hold` is the undo-send window: the mail is due only after it (`next_attempt_at`),
    its task runs then, and the periodic sweep (`deliver_due`) sends it should the
    task be lost (a worker restarted in the window). Until then `withdraw` takes it
    back; the lease's row lock (`leases.claim`) decides between the two, so it is
    sent once or not at all."""
    if message.kind != MessageKind.OUTBOUND or is_history(message):
        return None
    ticket = message.ticket
    chosen = recipients if recipients is not None else default_recipients(ticket)
    if not chosen.to:
        return None
    send_at = message.created_at + hold if hold and hold > timedelta(0) else None
    return _create(ticket, message, to=list(chosen.to), cc=list(chosen.cc),
                   subject=compose.reply_subject(ticket), automatic=False,
                   now=message.created_at, send_at=send_at)


def held_until(message: Message, now: datetime | None = None) -> datetime | None:
    """When the reply's held mail goes out (undo send), or None when none is held."""
    now = now or timezone.now()
    return (OutboundMail.objects.filter(message=message, state=OutboundState.QUEUED,
                                        attempts=0, next_attempt_at__gt=now)
            .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first())


def withdraw(message: Message, at: datetime) -> bool:
    """Undo send: take back the reply's mail while it is still held. True when it was
    (state withdrawn, never sent); False when there was none to take back or it is
    sent or being sent.

    One conditional UPDATE: it matches only a mail no worker has claimed
    (`attempts` 0: `leases.claim` counts the attempt under its row lock before sending)
    and whose window is still open, so between an undo and a worker one wins."""
    mails = OutboundMail.objects.filter(message=message, automatic=False)
    if not mails.exists():
        return False
    taken = mails.filter(state=OutboundState.QUEUED, attempts=0, next_attempt_at__gt=at).update(
        state=OutboundState.WITHDRAWN, next_attempt_at=None,
        last_error="withdrawn by its writer before it was sent (undo)")
    return taken > 0 and not mails.exclude(state=OutboundState.WITHDRAWN).exists()


def bouncing_reason(address: str) -> str | None:
    """Why an address must get no automatic mail: it bounced permanently before."""
    email = ContactEmail.objects.filter(
        address__in=email_address.lookup_forms(address)).order_by("pk").first()
    since = getattr(email, "bouncing_since", None)
    if email is None or since is None:
        return None
    return f"{address} bounces since {since:%Y-%m-%d} ({getattr(email, 'bounce_reason', '')})"


def _queue_automatic(ticket: Ticket, message: Message | None, to: str | None, *,
                     subject: str, now: datetime) -> OutboundMail | None:
    if to is None:
        return None
    reason = bouncing_reason(to) or over_limit(ticket, to, now)
    if reason is not None:
        logger.warning("Not sending an automatic mail on %s: %s", ticket.reference, reason)
        _create(ticket, message, to=[to], subject=subject, automatic=True, now=now,
                state=OutboundState.SUPPRESSED, reason=reason)
        return None
    return _create(ticket, message, to=[to], subject=subject, automatic=True, now=now)


def acknowledgement_text(ticket: Ticket, inbound_mail: InboundMail | None,
                         asking: list[Question] | None = None) -> str:
    """The acknowledgement: what we received, what we promise, and (`asking`) the
    required facts still missing, each with why we ask (frontline.intake.follow_up:
    the acknowledgement and the follow-up are one mail)."""
    first = ticket.messages.filter(kind=MessageKind.INBOUND).order_by("created_at", "pk").first()
    summary = " ".join((first.body if first else "").split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    files = list(first.attachments.values_list("filename", flat=True)) if first else []
    name = ticket.requester.name.split()[0] if ticket.requester.name.strip() else ""
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        f"thank you for writing to us. We have received your request and opened "
        f"ticket {ticket.reference} for it.",
        "",
        "What we received:",
        f"  Subject: {compose.header_text(ticket.subject, 300)}",
    ]
    if summary:
        lines.append(f"  \u201c{summary}\u201d")
    if files:
        lines.append(f"  Attachments: {', '.join(files[:10])}"
                     + (f" and {len(files) - 10} more" if len(files) > 10 else ""))
    lines += [
        "",
        # The formal SLA's first-response time in the customer's zone, else the
        # general sentence from settings.
        promises.acknowledgement_promise(ticket),
    ]
    if asking:
        lines += ["", follow_up.text(asking, access.answers_url(ticket, ticket.requester))]
    lines += [
        "",
        "To add anything, just reply to this email. You can also read the whole "
        "conversation and reply online, with no account and no password, at the "
        "link below.",
        f"For a new request, write to us or use our form: {access.request_form_url()}",
    ]
    return "\n".join(lines)


def acknowledge(ticket: Ticket, inbound_mail: InboundMail | None = None) -> None:
    """Acknowledge a new request (by mail, or from the public form): the ticket
    matters more than its acknowledgement, so a failure to queue it is logged, not
    raised (agents still answer the ticket); a database that is unwell is raised."""
    try:
        with transaction.atomic():
            send_acknowledgement(ticket, inbound_mail)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("Could not acknowledge %s", ticket.reference)


@transaction.atomic
def send_acknowledgement(ticket: Ticket, inbound_mail: InboundMail | None = None
                         ) -> OutboundMail | None:
    """The one acknowledgement a new ticket by email gets (automatic, rate-limited).

    Recorded on the timeline as an outbound message. None when the ticket was
    already acknowledged, the requester has no address, or a rate limit holds it.
    """
    ticket = Ticket.objects.select_for_update().select_related("requester").get(pk=ticket.pk)
    if ticket.events.filter(kind="acknowledged").exists():
        return None
    sender = inbound_mail.from_address if inbound_mail is not None else ""
    to = requester_address(ticket, sender)
    if to is None:
        return None
    if inbound_mail is not None and inbound_mail.message_id and inbound_mail.header_message_id:
        # Threading needs the customer's Message-ID on their message (inbound
        # normally stores it; this covers a message stored without it).
        Message.objects.filter(pk=inbound_mail.message_id, email_message_id="").update(
            email_message_id=inbound_mail.header_message_id[:998])
    now = timezone.now()
    subject = compose.reply_subject(ticket)
    reason = bouncing_reason(to) or over_limit(ticket, to, now)
    if reason is not None:
        logger.warning("Not acknowledging %s: %s", ticket.reference, reason)
        _create(ticket, None, to=[to], subject=subject, automatic=True, now=now,
                state=OutboundState.SUPPRESSED, reason=reason)
        return None
    # One mail: the follow-up rides on the acknowledgement when the category sends it.
    plan = follow_up.plan(ticket)
    asking = plan.questions if plan.sends_itself else None
    message = Message.objects.create(
        ticket=ticket, kind=MessageKind.OUTBOUND, author_user=None, channel=Channel.EMAIL,
        body=acknowledgement_text(ticket, inbound_mail, asking), created_at=now,
    )
    record_event(ticket, "acknowledged", at=now, message=message.pk)
    if asking:
        follow_up.record_requested(ticket, asking, at=now, message=message)
    return _create(ticket, message, to=[to], subject=subject, automatic=True, now=now)


def send_resolution_reminder(message: Message) -> OutboundMail | None:
    """Mail the reminder a resolved ticket gets before it closes (automatic)."""
    if is_history(message):
        return None
    ticket = message.ticket
    return _queue_automatic(ticket, message, requester_address(ticket),
                            subject=compose.reply_subject(ticket), now=message.created_at)


@transaction.atomic
def send_portal_link(ticket: Ticket, address: str) -> OutboundMail | None:
    """Mail a fresh link to the ticket's page, if `address` is one of its requester's.

    The caller shows the same answer whatever this returns: whether an address
    belongs to a ticket is not for a stranger to find out.
    """
    ticket = Ticket.objects.select_for_update().select_related("requester").get(pk=ticket.pk)
    wanted = compose.clean_address(address)
    if wanted is None:
        return None
    to = requester_address(ticket, wanted)
    if to != wanted:
        return None
    return _queue_automatic(ticket, None, to, now=timezone.now(),
                            subject=f"{compose.subject_tag(ticket)} Your link to "
                                    f"{compose.header_text(ticket.subject, 200)}")


# -- delivery -------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: base, 2x, 4x, ... capped at MAX_BACKOFF."""
    base = timedelta(seconds=settings.FRONTLINE_MAIL_RETRY_SECONDS)
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Connection:
    """One connection to the mail server for a run of mails (a worker sending the
    waiting acknowledgements together, mail/tasks/delivery.py), opened by the first
    mail that is sent. A server's refusal of one mail (a recipient, the sender, the
    data: smtplib has reset the transaction, RFC 5321 §4.1.1.5) is that mail's
    answer and the session goes on; any other failure (the connection dropped or
    timed out) closes it, and the next mail opens a new one. SMTP only: the outbox
    folder writes one file per connection, and a provider's API has no session to
    keep, so those open one per mail, as before."""

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, mail: EmailMessage) -> None:
        if self._backend is None:
            backend = transport.connection()
            if not isinstance(backend, SmtpBackend):
                with backend:
                    backend.send_messages([mail])
                return
            backend.open()
            self._backend = backend
        try:
            self._backend.send_messages([mail])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused,
                smtplib.SMTPNotSupportedError) as refusal:
            # 421: the server is closing the session (RFC 5321 §3.8).
            if getattr(refusal, "smtp_code", None) == 421:
                self.close()
            raise
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception as error:  # the mails are sent; a failed QUIT changes nothing
            logger.info("Closing the mail connection: %s", error)


def deliver(outbound_id: int, *, now: datetime | None = None,
            over: Connection | None = None) -> str | None:
    """Try to send one queued mail now; returns its state afterwards (None when it
    was not due, not queued, or being sent by another worker). `over`: a connection
    kept for several mails (else one is opened for this mail)."""
    return deliver_many([outbound_id], now=now, over=over).get(outbound_id)


def deliver_many(outbound_ids: Sequence[int], *, now: datetime | None = None,
                 over: Connection | None = None) -> dict[int, str]:
    """Try to send these queued mails now, in this order, over one connection (`over`,
    else one opened here): their states afterwards, by id (an id left out was not due,
    not queued, or is being sent by another worker).

    The rows are leased together (frontline.mail.leases) and what the mails are
    built from is read once for all of them (compose.prefetch); each mail's outcome
    is its own (a server refusing one fails or defers that one) and is written as
    soon as the server answered (on PostgreSQL written before, committed then:
    `_send`), before the next mail goes: a worker killed
    mid-batch leaves at most the mail in hand to be sent again once its lease runs
    out, as one mail per task did. Should the batch stop half-way (a transient
    database error, the worker stopped), the mail in hand keeps its lease (it may
    have reached the server), and the rest are given back, due at once."""
    if over is None:
        with Connection() as connection:
            return deliver_many(outbound_ids, now=now, over=connection)
    now = now or timezone.now()
    claimed = leases.claim(outbound_ids, now)
    states: dict[int, str] = {}
    try:
        prefetched = _prefetch(claimed)
        for outbound in claimed:
            outcome = _attempt(outbound, prefetched, over, now)
            leases.settle([outcome], now)
            states[outbound.pk] = outcome.state
    except BaseException:
        leases.settle([], now, unsent=claimed[len(states) + 1:])
        raise
    return states


def _prefetch(claimed: list[OutboundMail]) -> compose.Prefetched | None:
    """What the batch's mails are built from, read once; None when that failed for a
    reason other than the database being away: each mail then reads its own, so a
    mail that cannot be built fails alone."""
    if len(claimed) < 2:
        return None
    try:
        return compose.prefetch(claimed)
    except Exception as error:
        if outages.is_transient(error):
            raise
        logger.exception("Cannot read the mails %s for building together",
                         [outbound.pk for outbound in claimed])
        return None


def _attempt(outbound: OutboundMail, prefetched: compose.Prefetched | None,
             over: Connection, now: datetime) -> leases.Outcome:
    """Build and send one claimed mail: its outcome, not written yet."""
    try:
        mail = compose.build(outbound, prefetched=prefetched)
        if not mail.to and not mail.cc:
            raise ValueError("no valid recipient address")
    except Exception as error:  # a mail that cannot be built will not build next time
        if outages.is_transient(error):
            # The database is away, not the mail broken: it stays queued, and is sent
            # once the claim's lease ends (the task's retry, or deliver_due).
            raise
        logger.exception("Cannot build outbound mail %s", outbound.pk)
        return leases.Outcome(outbound, OutboundState.FAILED, f"cannot build the mail: {error}")
    try:
        written = _send(outbound, mail, over, now)
    except DatabaseError:
        raise  # the database away before the mail went: it keeps its lease
    except Exception as error:
        answer = transport.explain(error)
        if answer.permanent:
            return leases.Outcome(outbound, OutboundState.FAILED, answer.text)
        if outbound.attempts >= settings.FRONTLINE_MAIL_MAX_ATTEMPTS:
            return leases.Outcome(
                outbound, OutboundState.FAILED,
                f"{answer.text} (gave up after {outbound.attempts} attempts)")
        return leases.Outcome(outbound, OutboundState.QUEUED, answer.text,
                              retry_at=now + backoff(outbound.attempts))
    return leases.Outcome(outbound, OutboundState.SENT, f"accepted by {transport.describe()}",
                          written=written)


def _send(outbound: OutboundMail, mail: EmailMessage, over: Connection, now: datetime) -> bool:
    """Send `mail`. On PostgreSQL its row is written as sent first, in a transaction
    committed as soon as the server took the mail (a refusal or a dropped
    connection rolls it back): a worker killed after the server's answer leaves
    the mail to be sent again only if it dies within that COMMIT (leases). True
    when the row was so written; False when `settle` must write it (SQLite, or
    the COMMIT failed after the server took the mail)."""
    if not leases.writes_sent_with_the_send():
        over.send(mail)
        return False
    taken = False
    try:
        with transaction.atomic():
            leases.write_sent(outbound, now)
            over.send(mail)
            taken = True
    except DatabaseError:
        if not taken:
            raise
        logger.warning("Outbound mail %s was sent but its row not written; writing it again",
                       outbound.pk)
        return False
    return True


def due(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    """Queued mails whose time has come: retries, and any whose enqueue was lost."""
    now = now or timezone.now()
    return list(OutboundMail.objects.filter(state=OutboundState.QUEUED, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Send every due mail now (the periodic job): counts by resulting state."""
    counts: dict[str, int] = {}
    ids = due(now)
    with Connection() as connection:
        for start in range(0, len(ids), DUE_BATCH):
            batch = ids[start:start + DUE_BATCH]
            states = deliver_many(batch, now=now, over=connection)
            for outbound_id in batch:
                state = states.get(outbound_id) or "skipped"
                counts[state] = counts.get(state, 0) + 1
    return counts


def send_test(address: str) -> transport.Answer:
    """Send a short test mail to `address` now, bypassing the queue: for an admin
    checking the mail settings. The answer says where it went or what the server said."""
    to = compose.clean_address(address)
    if to is None:
        return transport.Answer(f"'{compose.header_text(address, 100)}' is not one email "
                                "address.", True)
    mail = EmailMessage(
        subject="Frontline test mail",
        body=f"This is a test mail from Frontline, sent through {transport.describe()}.\n",
        from_email=formataddr(
            (compose.header_text(settings.FRONTLINE_SUPPORT_NAME, 80) or "Support",
             addresses.support_address()), charset="utf-8"),
        to=[to],
        headers={"Auto-Submitted": "auto-generated",
                 DEFAULT_LOOP_HEADER: settings.FRONTLINE_MESSAGE_ID_DOMAIN},
    )
    try:
        with transport.connection() as connection:
            connection.send_messages([mail])
    except Exception as error:
        return transport.explain(error)
    return transport.Answer(f"sent to {to} through {transport.describe()}", False)
