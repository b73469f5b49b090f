"""Processing stored mail in batches: an import's (`frontline mail import`), and
live mail that waits in the worker's queue (`process_stored`).

One mail at a time, `services.process_inbound` costs about 18 SQL statements and
two transactions per mail, ~90 mails per CPU second. An import brings tens of
thousands of mails at once, and a busy desk's worker finds a backlog of live mail
behind the one it was given (tasks/inbound.py takes the waiting ones along); here
a batch of stored mails is processed in one transaction, with the same rules and
the same rows as one at a time:

- what the batch needs to know is read up front, one query per kind for the
  whole batch: the stored rows' states (locked), the senders' and recipients'
  contacts, the tickets and messages the mails quote;
- each mail is decided in order by the rules of `services._route`, threaded by
  `threading.thread` with a TicketLookup that answers from what was read;
- the rows of the mails decided so far are written together: contacts, tickets,
  messages, events and participants in multi-row INSERTs; then, ticket by
  ticket, what open_ticket and add_customer_message run after their rows
  (routing, the SLA clock: the workflow's `opening.after_opened` and
  `conversation.after_customer_message`), the search index,
  attachments, and the stored rows' states.

Live mail differs from an import's in what process_inbound does with it, and so
here too: it is dated when it is processed, not by its Date header; its facts are
read at once (the acknowledgement asks only for what is still missing), not
queued for the worker; its new tickets are queued for detection and acknowledged
once their rows are written. The listeners (webhooks) hear of every event and
customer message the batch writes, as they would one mail at a time.

Only the common cases are written in bulk: a customer's mail that opens a
ticket, or that adds to a ticket without changing its status. Every other mail
(a bounce, automatic mail, a member of staff writing, evidence that does not
hold, a reply that reopens, a reply to a merged ticket, a mail that cannot be read,
an original that came after its replies) is handed
to `process_inbound` at its place in the order, after what came before it has
been written, so it sees the database as it would one mail at a time. A mail
for a ticket that the rows not yet written already touch waits until they are
written, so the hooks see each ticket as they would.

A batch that fails anywhere is rolled back as a whole and processed again one
mail at a time: a broken mail costs its batch some speed, never its neighbours
their processing. Storing stays first and separate (store.accept_raw_many
commits before this runs): a crash here leaves the batch `stored`, and the next
import, `frontline mail reprocess` or the worker's sweep finishes it.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from frontline.core import email_address, outages
from frontline.core.errors import FrontlineError
from frontline.customers import deployments
from frontline.customers import services as customers
from frontline.customers.models import Contact, ContactEmail, Deployment, Organization
from frontline.mail.attachments import Attachment as MailAttachment
from frontline.mail.models import InboundMail, InboundSource, InboundState, QuotedMessageId
from frontline.mail.outbound import acknowledge
from frontline.mail.parse import ParsedMail, parse_message
from frontline.mail.services import (
    FINISHED_STATES,
    message_body,
    new_text,
    participant_addresses,
    process_inbound,
    skipped_detail,
    staff_user,
    ticket_subject,
    within_limits,
)
from frontline.mail.threading import (
    TicketLookup,
    _quoted_ids,
    _sent,
    _written_on,
    quoted_rows,
    quoted_to_remember,
    thread,
)
from frontline.search import index as search_index
from frontline.tickets import observers
from frontline.tickets.models import (
    Attachment,
    Blob,
    Event,
    Message,
    Participant,
    ParticipantRole,
    Ticket,
)
from frontline.tickets.services import rows
from frontline.tickets.services.attachments import MAX_ATTACHMENT_BYTES, clean_filename
from frontline.tickets.services.lookup import load_clocks
from frontline.workflow import conversation, opening

logger = logging.getLogger(__name__)


class _OneByOne(Exception):
    """This mail needs the one-at-a-time path (raised where a batch cannot decide)."""


@dataclass
class _Mail:
    inbound: InboundMail
    parsed: ParsedMail
    attempts: int


@dataclass
class _Planned:
    """One mail decided for bulk writing: its rows, not yet saved."""

    mail: _Mail
    ticket: Ticket
    message: Message
    at: datetime
    opened: bool
    created: Event | None = None  # the "created" event of a new ticket
    ticket_fields: list[str] = field(default_factory=list)  # a reply's changed fields
    participants: list[tuple[Participant, Event]] = field(default_factory=list)
    files: list[MailAttachment] = field(default_factory=list)  # within the limits
    skipped: list[str] = field(default_factory=list)  # the names of those left out


def process_stored(inbound_ids: list[int]) -> dict[int, InboundMail]:
    """Process these stored mails (live or imported) in one batch, or, should the
    batch fail, one at a time (process_inbound); returns {id: row as processing left
    it} for every mail that exists (process_inbound answers for the others). A
    database that is away is raised, the mails still `stored`; a deadlock with
    another worker's batch is not: the mails then go one at a time."""
    found = {row.pk: row for row in InboundMail.objects.filter(pk__in=set(inbound_ids))}
    ordered = [found[pk] for pk in dict.fromkeys(inbound_ids) if pk in found]
    try:
        processed = process_batch(ordered)
    except Exception as error:
        if outages.is_transient(error) and not outages.is_conflict(error):
            raise
        logger.warning("A batch of %d stored mails failed (%s); processing them one by one",
                       len(ordered), outages.describe(error), exc_info=True)
        # Read afresh: the failed batch left its in-memory rows as it had planned them.
        processed = [process_inbound(row.pk) for row in ordered]
    return {row.pk: row for row in processed}


def process_batch(inbounds: list[InboundMail]) -> list[InboundMail]:
    """Process stored mail in one transaction; see the module docstring.

    Returns the rows in order, with `state`, `error` and `opened_ticket` as
    processing left them. Raises whatever went wrong, with the whole batch rolled
    back (the mails are still `stored`): the caller processes them again one by
    one (process_stored, importer._process_one).
    """
    if not inbounds:
        return []
    # Parsed before the transaction: on SQLite it holds the only write lock.
    parsed = [parse_message(bytes(inbound.raw)) for inbound in inbounds]
    with transaction.atomic():
        results = _Batch(inbounds, parsed).run()
    # A mail written in bulk is its own row, as _mark_processed saved it.
    return [result.mail.inbound if isinstance(result, _Planned) else result
            for result in results]


class _Lookups(TicketLookup):
    """Threading's and the contacts' questions, answered from what the batch read.

    Tickets are read locked (add_customer_message locks its ticket); a ticket the
    rows not yet written touch is dropped from the cache once they are, and read
    again if a later mail needs it.
    """

    def __init__(self) -> None:
        self.tickets: dict[int, Ticket | None] = {}
        # Message-ID -> ticket id, as the database answers for the mails still to come.
        self.known: dict[str, int] = {}
        # Message-IDs of the messages not yet written -> their (maybe unsaved) ticket.
        self.pending: dict[str, Ticket] = {}
        # Message-IDs of the batch's mails that stored messages quote (late
        # originals), and those the messages not yet written quote.
        self.quoted: set[str] = set()
        self.pending_quoted: set[str] = set()
        self.emails: dict[str, ContactEmail | None] = {}
        self.organizations: dict[str, Organization | None] = {}
        self.participants: dict[int, set[int]] = {}
        # Each organization's deployments, read once per import (they do not change).
        self.deployments: dict[int, list[Deployment]] = {}

    def read(self, mails: Iterable[_Mail]) -> None:
        """Read what `mails` will ask: contacts, quoted Message-IDs, their tickets."""
        mails = list(mails)
        self.tickets.clear()
        self.participants.clear()
        self.emails.clear()
        self.known.clear()
        own_ids = {mail.parsed.message_id[:998] for mail in mails if mail.parsed.message_id}
        self.quoted = set(QuotedMessageId.objects.filter(quoted_id__in=own_ids)
                          .values_list("quoted_id", flat=True)) if own_ids else set()
        addresses = set()
        quoted: set[str] = set()
        for mail in mails:
            parsed = mail.parsed
            if parsed.sender is not None:
                addresses.add(email_address.comparable(parsed.sender.email))
            addresses.update(email_address.comparable(address.email)
                             for address in parsed.to + parsed.cc)
            quoted.update(_quoted_ids(parsed))
        addresses.discard("")
        spellings = {form for address in addresses
                     for form in email_address.lookup_forms(address)}
        canonical: dict[int, Contact] = {}
        for email in (ContactEmail.objects.select_related("contact__organization")
                      .filter(address__in=spellings).order_by("pk")):
            # One Contact instance per contact, whichever address finds it.
            email.contact = canonical.setdefault(email.contact_id, email.contact)
            self.emails.setdefault(email_address.comparable(email.address), email)
        for address in addresses:
            self.emails.setdefault(address, None)
        if quoted:
            self.known = _written_on(list(quoted))
            for message_id, ticket_id in _sent(list(quoted)):
                self.known.setdefault(message_id, ticket_id)
            # Locked in id order: two workers' batches that quote the same
            # tickets wait for each other, never in a circle.
            locked = list(Ticket.objects.select_for_update().filter(
                pk__in=set(self.known.values())).order_by("pk"))
            load_clocks(locked)
            for ticket in locked:
                self.tickets[ticket.pk] = ticket
            found = {ticket.pk for ticket in self.tickets.values() if ticket is not None}
            self.participants = {pk: set() for pk in found}
            for ticket_id, contact_id in Participant.objects.filter(
                    ticket_id__in=found).values_list("ticket_id", "contact_id"):
                self.participants[ticket_id].add(contact_id)

    def written(self, touched: set[int]) -> None:
        """The planned rows are written; they touched the tickets `touched`."""
        for number, ticket in list(self.tickets.items()):
            # A number that named no ticket may name one of the rows just written.
            if ticket is None or ticket.pk in touched:
                del self.tickets[number]
        for pk in touched:
            self.participants.pop(pk, None)
        for message_id, ticket in self.pending.items():
            self.known[message_id] = ticket.pk
        self.pending.clear()
        self.quoted |= self.pending_quoted
        self.pending_quoted.clear()

    def deployments_of(self, organization_id: int) -> list[Deployment]:
        if organization_id not in self.deployments:
            self.deployments[organization_id] = list(
                deployments.history(organization_id))
        return self.deployments[organization_id]

    # -- TicketLookup

    def ticket(self, number: int | None) -> Ticket | None:
        if number is None:
            return None
        if number not in self.tickets:
            found = Ticket.objects.select_for_update().filter(pk=number).first()
            if found is not None:
                load_clocks([found])
            self.tickets[number] = found
        return self.tickets[number]

    def ticket_for_message_ids(self, message_ids: list[str]) -> Ticket | None:
        for message_id in message_ids:
            pending = self.pending.get(message_id)
            if pending is not None:
                return pending
            ticket = self.ticket(self.known.get(message_id))
            if ticket is not None:
                return ticket
        return None

    def tickets_quoting(self, message_id: str) -> list[Ticket]:
        # A late original may merge tickets: one by one, after what came before it
        # is written. Rare in an import, which reads its mail in date order.
        if message_id[:998] in self.quoted or message_id[:998] in self.pending_quoted:
            raise _OneByOne
        return []

    def sender_on_ticket(self, ticket: Ticket, contact: Contact | None, *, is_staff: bool,
                         sender_address: str) -> bool:
        # A subject tag: rare in an import, and it asks about participants the
        # batch may not have written yet.
        raise _OneByOne

    # -- contacts

    def email(self, address: str) -> ContactEmail | None:
        key = email_address.comparable(address)
        if key not in self.emails:
            self.emails[key] = customers.find_email(key)
        return self.emails[key]

    def organization(self, address: str) -> Organization | None:
        domain = email_address.domain_of(address)
        if domain not in self.organizations:
            if len(self.organizations) > 10_000:  # bounded, whatever the history
                self.organizations.clear()
            self.organizations[domain] = customers.organization_for_email(address)
        return self.organizations[domain]

    def participant_ids(self, ticket: Ticket) -> set[int]:
        if ticket.pk is None:
            return set()
        if ticket.pk not in self.participants:
            self.participants[ticket.pk] = set(
                Participant.objects.filter(ticket_id=ticket.pk)
                .values_list("contact_id", flat=True))
        return self.participants[ticket.pk]


_ONE_BY_ONE = "one by one"
_WRITE_FIRST = "write first"


class _Batch:
    def __init__(self, inbounds: list[InboundMail], parsed: list[ParsedMail]) -> None:
        self.inbounds = inbounds
        self.parsed = parsed
        self.lookups = _Lookups()
        self.planned: list[_Planned] = []
        self.touched: set[int] = set()  # tickets in the database the planned rows touch
        self.new_emails: list[ContactEmail] = []
        self.renamed: dict[int, Contact] = {}
        # Undo for the mail being decided, should it go one by one after all.
        self.undo: list[Callable[[], None]] = []

    def run(self) -> list[InboundMail | _Planned]:
        states = {pk: (state, attempts) for pk, state, attempts in
                  InboundMail.objects.select_for_update()
                  .filter(pk__in=[inbound.pk for inbound in self.inbounds])
                  .values_list("pk", "state", "attempts")}
        results: dict[int, InboundMail | _Planned] = {}
        mails: list[_Mail] = []
        for inbound, parsed in zip(self.inbounds, self.parsed, strict=True):
            state, attempts = states.get(inbound.pk, (None, 0))
            if state is None or state in FINISHED_STATES:
                # Gone, or done by someone else meanwhile: as process_inbound answers.
                results[inbound.pk] = process_inbound(inbound.pk, stored=inbound)
                continue
            mails.append(_Mail(inbound, parsed, attempts))
        self.lookups.read(mails)
        position = 0
        while position < len(mails):
            mail = mails[position]
            plan = self._plan(mail)
            if plan == _WRITE_FIRST:
                self._write()
                continue  # decide the same mail again, on the written rows
            if plan == _ONE_BY_ONE:
                self._write()
                results[mail.inbound.pk] = process_inbound(mail.inbound.pk, stored=mail.inbound)
                # It may have written anything (contacts, messages, ticket states).
                self.lookups.read(mails[position + 1:])
            else:
                assert isinstance(plan, _Planned)
                self.planned.append(plan)
                results[mail.inbound.pk] = plan
            position += 1
        self._write()
        return [results[inbound.pk] for inbound in self.inbounds]

    # -- deciding -----------------------------------------------------------------

    def _plan(self, mail: _Mail) -> _Planned | str:
        """The rows for `mail`, as services._route would write them, or why not."""
        inbound, parsed = mail.inbound, mail.parsed
        if (parsed.parse_error or parsed.sender is None or parsed.bounce is not None
                or parsed.auto.kind == "bounce" or parsed.report is not None
                or parsed.auto.is_automatic
                or parsed.refused_date):  # services records the refused date; rare
            return _ONE_BY_ONE
        sender = parsed.sender.email
        if staff_user(sender) is not None:
            return _ONE_BY_ONE
        known = self.lookups.email(sender)
        if known is not None and known.bouncing_since is not None:
            return _ONE_BY_ONE
        known_contact = known.contact if known is not None else None
        try:
            threading = thread(parsed, envelope_recipients=inbound.envelope_recipients or [],
                               sender_contact=known_contact, sender_is_staff=False,
                               sender_address=sender, lookup=self.lookups)
        except _OneByOne:
            return _ONE_BY_ONE
        if threading.claimed is not None:
            return _ONE_BY_ONE
        ticket = threading.ticket
        if ticket is not None:
            if ticket.merged_into_id is not None:
                return _ONE_BY_ONE  # it lands elsewhere (tickets.services.entry)
            if ticket.pk is None or ticket.pk in self.touched:
                return _WRITE_FIRST
            if ticket.status not in rows.BULK_REPLY_STATUSES:
                return _ONE_BY_ONE
        files, skipped = within_limits(parsed)
        if any(file.size > MAX_ATTACHMENT_BYTES for file in files):
            return _ONE_BY_ONE  # refused by store_blob: the mail fails, one by one
        # As services._process dates them: history by its own time, live mail now.
        at = ((parsed.date or inbound.received_at) if _imported(inbound)
              else timezone.now())
        self.undo = []
        try:
            if ticket is None:
                requester = (known_contact if known_contact is not None and (
                    known_contact.name or not parsed.sender.name.strip())
                    else self._resolve(sender, parsed.sender.name, field="requester_email"))
                # What the organization ran then (opening.open_ticket's default).
                deployed = (deployments.in_use(
                    requester.organization_id, at,
                    deployments=self.lookups.deployments_of(requester.organization_id))
                    if requester.organization_id is not None else None)
                ticket, message, created = rows.new_ticket_rows(
                    requester=requester, subject=ticket_subject(parsed), body=message_body(parsed),
                    channel="email", at=at, body_html=parsed.html, body_reply=new_text(parsed),
                    email_message_id=parsed.message_id or "",
                    product=deployed.product if deployed is not None else None,
                    version=deployed.version if deployed is not None else None)
                plan = _Planned(mail, ticket, message, at, opened=True, created=created)
            else:
                contact = known_contact or self._resolve(sender, parsed.sender.name,
                                                         field="from")
                message, fields = rows.bulk_customer_message_row(
                    ticket, contact, message_body(parsed), channel="email", at=at,
                    body_html=parsed.html, body_reply=new_text(parsed),
                    email_message_id=parsed.message_id or "")
                plan = _Planned(mail, ticket, message, at, opened=False, ticket_fields=fields)
                self.touched.add(ticket.pk)
        except FrontlineError:
            for undo in reversed(self.undo):
                undo()
            return _ONE_BY_ONE
        plan.files, plan.skipped = files, skipped
        plan.participants = self._participants(ticket, parsed, sender=sender, at=at,
                                               envelope=inbound.envelope_recipients or [])
        if message.email_message_id:
            self.lookups.pending[message.email_message_id] = ticket
        self.lookups.pending_quoted.update(quoted_to_remember(parsed))
        return plan

    def _resolve(self, address: str, name: str, *, field: str) -> Contact:
        """customers.resolve_contact, against the batch's contacts."""
        address = customers.normalize_email(address, field=field)
        known = self.lookups.email(address)
        if known is not None:
            contact = known.contact
            if name and not contact.name:
                before = contact.name
                contact.name = name.strip()[:200]
                if contact.pk is not None:
                    was_renamed = contact.pk in self.renamed
                    self.renamed[contact.pk] = contact
                    self.undo.append(lambda: self._unrename(contact, before, was_renamed))
                else:
                    self.undo.append(lambda: setattr(contact, "name", before))
            return contact
        contact = Contact(name=(name or "").strip()[:200],
                          organization=self.lookups.organization(address))
        email = ContactEmail(contact=contact, address=address, is_primary=True)
        self.lookups.emails[address] = email
        self.new_emails.append(email)
        self.undo.append(lambda: self._unmake(address))
        return contact

    def _unrename(self, contact: Contact, name: str, was_renamed: bool) -> None:
        contact.name = name
        if not was_renamed:
            self.renamed.pop(contact.pk, None)

    def _unmake(self, address: str) -> None:
        self.lookups.emails[address] = None
        self.new_emails.pop()

    def _participants(self, ticket: Ticket, parsed: ParsedMail, *, sender: str, at: datetime,
                      envelope: list[str]) -> list[tuple[Participant, Event]]:
        """services._add_participants, as rows to write."""
        added: list[Contact] = []
        rows: list[tuple[Participant, Event]] = []
        for email, name in participant_addresses(parsed, exclude={sender}, envelope=envelope):
            try:
                contact = self._resolve(email, name, field="cc")
            except FrontlineError:
                continue  # an unusable address in Cc: nobody to add
            # A ticket read from the database is compared by id (its requester is
            # not loaded); a new one by its requester, who may be new too.
            if (contact.pk is not None and contact.pk == ticket.requester_id) or (
                    ticket.pk is None and contact is ticket.requester):
                continue
            if any(contact is other for other in added) or (
                    contact.pk is not None and contact.pk in self.lookups.participant_ids(ticket)):
                continue
            added.append(contact)
            rows.append((
                Participant(ticket=ticket, contact=contact, role=ParticipantRole.CC, added_at=at),
                Event(ticket=ticket, kind="participant_added", actor=None, actor_contact=contact,
                      at=at, before=None, after=email.lower(), detail={}),
            ))
        return rows

    # -- writing ------------------------------------------------------------------

    def _write(self) -> None:
        """Write the planned rows, in the order one mail at a time would."""
        planned, self.planned = self.planned, []
        new_emails, self.new_emails = self.new_emails, []
        renamed, self.renamed = self.renamed, {}
        touched, self.touched = self.touched, set()
        if new_emails:
            Contact.objects.bulk_create([email.contact for email in new_emails])
            ContactEmail.objects.bulk_create(new_emails)
        for contact in renamed.values():
            contact.save(update_fields=["name"])
        if not planned:
            self.lookups.written(touched)
            return
        Ticket.objects.bulk_create([plan.ticket for plan in planned if plan.opened])
        Message.objects.bulk_create([plan.message for plan in planned])
        QuotedMessageId.objects.bulk_create([row for plan in planned
                                             for row in quoted_rows(plan.message,
                                                                    plan.mail.parsed)])
        replied: dict[tuple[str, ...], list[Ticket]] = {}
        for plan in planned:
            if not plan.opened:
                replied.setdefault(tuple(plan.ticket_fields), []).append(plan.ticket)
        for fields, tickets in replied.items():
            _update(Ticket, list(fields), tickets)
        Event.objects.bulk_create([plan.created for plan in planned if plan.created is not None])
        with _saves_collected([plan.ticket for plan in planned]):
            for plan in planned:
                # Live mail's facts are read now (its acknowledgement asks for the
                # rest); an import's are queued for the worker (read_later below).
                live = not _imported(plan.mail.inbound)
                if plan.opened:
                    opening.after_opened(plan.ticket, plan.message, plan.at, read_now=live)
                else:
                    conversation.after_customer_message(plan.ticket, plan.message, plan.at,
                                                        read_now=live)
        search_index.index_new_rows(
            [plan.ticket.pk for plan in planned if plan.opened],
            [plan.message.pk for plan in planned])
        opening.read_later([(plan.ticket, plan.message, plan.opened) for plan in planned
                            if _imported(plan.mail.inbound)])
        _store_files(planned)
        Participant.objects.bulk_create([participant for plan in planned
                                         for participant, _ in plan.participants])
        # services._route's order on each ticket: the files left out, then who joined.
        events = []
        for plan in planned:
            if plan.skipped:
                events.append(Event(ticket=plan.ticket, kind="attachments_skipped", actor=None,
                                    actor_contact=None, at=plan.at, before=None, after=None,
                                    detail=skipped_detail(plan.message, plan.skipped)))
            events += [event for _, event in plan.participants]
        Event.objects.bulk_create(events)
        self._mark_processed(planned)
        self.lookups.written(touched | {plan.ticket.pk for plan in planned})
        _tell_listeners(planned, events)
        for plan in planned:
            if plan.opened and not _imported(plan.mail.inbound):
                # What services._process and open_ticket do after a live mail's new ticket.
                opening.detect_later(plan.ticket)
                acknowledge(plan.ticket, plan.mail.inbound)

    def _mark_processed(self, planned: list[_Planned]) -> None:
        """What services._process saves on the stored row, for every planned mail."""
        now = timezone.now()
        for plan in planned:
            inbound, parsed = plan.mail.inbound, plan.mail.parsed
            assert parsed.sender is not None
            inbound.state, inbound.error = InboundState.PROCESSED, ""
            inbound.ticket, inbound.message = plan.ticket, plan.message
            inbound.attempts = plan.mail.attempts + 1
            inbound.processed_at = now
            inbound.from_address = parsed.sender.email[:320]
            inbound.subject = (parsed.subject or "")[:300]
            inbound.opened_ticket = plan.opened
        _update(InboundMail, ["state", "ticket", "message", "error", "attempts", "processed_at",
                              "from_address", "subject"],
                [plan.mail.inbound for plan in planned])


def _imported(inbound: InboundMail) -> bool:
    return inbound.source == InboundSource.IMPORT


def _tell_listeners(planned: list[_Planned], events: list[Event]) -> None:
    """The observers hear what one mail at a time tells them: each new ticket's
    "created" event, each message added to a ticket, each event after them."""
    for plan in planned:
        if plan.created is not None:
            observers.event_recorded(plan.created)
        else:
            observers.message_added(plan.message)
    for event in events:
        observers.event_recorded(event)


def _store_files(planned: list[_Planned]) -> None:
    """tickets.services.attachments.attach for every file of `planned`: content
    stored once per SHA-256 (store_blob), an Attachment row per file."""
    files = [(plan.message, file, hashlib.sha256(file.payload).hexdigest())
             for plan in planned for file in plan.files]
    if not files:
        return
    stored = set(Blob.objects.filter(sha256__in={digest for _, _, digest in files})
                 .values_list("sha256", flat=True))
    blobs: dict[str, Blob] = {}
    for _, file, digest in files:
        if digest in stored or digest in blobs:
            continue
        blob = Blob(sha256=digest, size=len(file.payload))
        # store_blob's layout: two-level fan-out.
        blob.file.save(f"blobs/{digest[:2]}/{digest[2:4]}/{digest}", ContentFile(file.payload),
                       save=False)
        blobs[digest] = blob
    Blob.objects.bulk_create(list(blobs.values()))
    rows = []
    for message, file, digest in files:
        name = clean_filename(file.filename)
        rows.append(Attachment(
            message=message, blob_id=digest, filename=name,
            content_type=(file.content_type or mimetypes.guess_type(name)[0]
                          or "application/octet-stream")[:255],
            inline=file.inline, content_id=(file.content_id or "").strip("<>")[:255]))
    Attachment.objects.bulk_create(rows)


@contextmanager
def _saves_collected(tickets: list[Ticket]) -> Iterator[None]:
    """While the hooks run (the SLA clock, routing), a ticket or its clock row
    (TicketClock) they save with `update_fields` is not written at once: the
    fields are collected, and written for all the batch's tickets together when the
    hooks are done (one prepared statement per table and set of fields, instead of
    one statement per ticket). A save without update_fields is written at once.
    Each ticket's hooks run before any of its collected fields are written; they
    read the ticket they were handed, not the row (the lifecycle's own hooks work
    on the instance they are given), and no two of the batch's tickets are the
    same ticket."""
    collected: dict[int, tuple[models.Model, set[str]]] = {}

    def collector(row: models.Model) -> Callable[..., None]:
        def save(*args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
            if args or kwargs or update_fields is None:
                type(row).save(row, *args, update_fields=update_fields, **kwargs)
                return
            collected.setdefault(id(row), (row, set()))[1].update(update_fields)
        return save

    # The clock rows come loaded with their tickets (select_related, or the
    # bulk_create that wrote them); one not in the database yet is saved at once.
    rows: list[models.Model] = [*tickets, *(ticket.clock for ticket in tickets
                                            if not ticket.clock._state.adding)]
    for row in rows:
        row.save = collector(row)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for row in rows:
            del row.save
    by_fields: dict[tuple[type[models.Model], tuple[str, ...]], list[Any]] = {}
    for row, names in collected.values():
        by_fields.setdefault((type(row), tuple(sorted(names))), []).append(row)
    for (model, fields), group in by_fields.items():
        _update(model, list(fields), group)


def _update(model: type[models.Model], names: list[str], rows: list[Any]) -> None:
    """`row.save(update_fields=names)` for each of `rows`, as one prepared statement
    (QuerySet.bulk_update builds a CASE per field and row: slower than the saves)."""
    if not rows:
        return
    concrete: list[models.Field[Any, Any]] = []
    for name in names:
        found = model._meta.get_field(name)
        assert isinstance(found, models.Field) and found.column is not None
        concrete.append(found)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(found.column))} = %s" for found in concrete)
    key = model._meta.pk
    assert key is not None and key.column is not None
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(key.column)} = %s"
    params = [[found.get_db_prep_save(getattr(row, found.attname), connection)
               for found in concrete] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
