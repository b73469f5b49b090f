"""Threading: which ticket, if any, an incoming mail continues.

Evidence, strongest first (issue 3, "Threading"):
1. our per-ticket reply address among the envelope recipients, To or Cc
   (signed: `support+FL-10427-<signature>@domain`);
2. one of our own signed Message-IDs in In-Reply-To or References;
3. a Message-ID we stored for one of the ticket's messages (a customer's own mail,
   a colleague replying to all) or one we sent;
4. the `[FL-10427]` subject tag, and only from someone already on the ticket
   (requester, participant, same organization, or staff).

Late originals: mail arrives out of order (archives, several mailboxes, delayed
delivery, a customer who copies support on a reply), so a reply can come before
the mail it answers and open a ticket of its own. Every stored message remembers
the Message-IDs its mail quoted (mail.models.QuotedMessageId), so a mail whose own
Message-ID is quoted by stored messages is their original:
5. with none of the evidence above, it lands on the (oldest) ticket its replies
   are on;
and whatever it lands on, the other tickets its replies opened are `split`: the
caller joins them to it (merged, with redirect and a timeline entry, on nobody's
behalf; see services._join_split).

The first piece that names a ticket wins, and names it as the mail did: a merged
ticket answers as itself (its own requester and participants are "on" it), and the
intake's workflow call lands the mail on the ticket that lives on, remembering the
one it was written to (frontline.tickets.services.entry). A stored Message-ID names
the ticket its message was written on, wherever a merge moved the message since.

Evidence that *claims* a ticket but does
not hold up (a reply address or Message-ID with a wrong signature, a subject tag
from a stranger) never appends to that ticket: the caller opens a new ticket and
links it to the claimed one, so an agent sees the connection while the stranger
learns nothing and reaches nothing (see services.process_inbound).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from frontline.customers import services as customers
from frontline.customers.models import Contact
from frontline.mail import addresses
from frontline.mail.models import OutboundMail, QuotedMessageId
from frontline.mail.parse import ParsedMail
from frontline.tickets.models import Message, Participant, Ticket

# Looser than addresses._REPLY_LOCAL / _MESSAGE_ID: anything shaped like ours,
# signed or not, so a forgery is recognised as a claim on that ticket.
_CLAIMED_REPLY = re.compile(r"\+(?P<prefix>[a-z]{1,8})-(?P<number>\d{1,12})-[^@]*@", re.I)
_CLAIMED_MESSAGE_ID = re.compile(r"^fl\.(?P<number>\d{1,12})\.", re.I)


def _subject_tag() -> re.Pattern[str]:
    prefix = re.escape(settings.FRONTLINE_REFERENCE_PREFIX)
    return re.compile(rf"\[\s*{prefix}-(\d{{1,12}})\s*\]", re.I)


@dataclass
class Threading:
    """What the evidence says: the ticket (or None), how we know, and a claimed
    ticket whose evidence did not hold (to link, never to append to)."""

    ticket: Ticket | None = None
    evidence: str = ""
    claimed: Ticket | None = None
    claim_reason: str = ""
    # Tickets opened by replies to this mail that came before it, other than
    # `ticket`: one conversation, to be joined to the ticket the mail lands on.
    split: list[Ticket] = field(default_factory=list)


def _existing(number: int | None) -> Ticket | None:
    if number is None:
        return None
    return Ticket.objects.filter(pk=number).first()


def _written_on(message_ids: list[str]) -> dict[str, int]:
    """Message-ID -> the ticket its stored message was written on (before any merge)."""
    return {message_id: merged_from_id or ticket_id
            for message_id, ticket_id, merged_from_id in Message.objects.filter(
                email_message_id__in=message_ids).values_list(
                    "email_message_id", "ticket_id", "merged_from_id")}


def _recipients(parsed: ParsedMail, envelope: Iterable[str]) -> list[str]:
    seen = [str(address) for address in envelope]
    seen += [address.email for address in parsed.to + parsed.cc]
    return list(dict.fromkeys(address.strip() for address in seen if address))


def _quoted_ids(parsed: ParsedMail) -> list[str]:
    # In-Reply-To first: it names the very mail being answered.
    ids = ([parsed.in_reply_to] if parsed.in_reply_to else []) + list(reversed(parsed.references))
    return list(dict.fromkeys(mid for mid in ids if mid))


def _sent(message_ids: list[str]) -> list[tuple[str, int]]:
    """(Message-ID, ticket id) of mails we sent; stored with or without angle brackets."""
    wanted = message_ids + [f"<{mid}>" for mid in message_ids]
    return [(mid.strip("<>"), ticket_id) for mid, ticket_id in OutboundMail.objects.filter(
        header_message_id__in=wanted).values_list("header_message_id", "ticket_id")]


# A References header can name hundreds of mails; the latest ones (and In-Reply-To)
# are the ones a late original can be. Bounded, so one mail adds few rows.
MAX_QUOTED_REMEMBERED = 50
# The tickets one late original joins at most (each is a merge).
MAX_SPLIT = 20


def quoted_to_remember(parsed: ParsedMail) -> list[str]:
    """The Message-IDs `parsed` quoted that could still arrive: In-Reply-To and the
    latest References, not our own (a mail we sent is never late)."""
    return [message_id[:998] for message_id in _quoted_ids(parsed)
            if not _CLAIMED_MESSAGE_ID.match(message_id)][:MAX_QUOTED_REMEMBERED]


def quoted_rows(message: Message, parsed: ParsedMail) -> list[QuotedMessageId]:
    """The QuotedMessageId rows of `message`, which came with `parsed` (unsaved)."""
    return [QuotedMessageId(message=message, quoted_id=message_id)
            for message_id in quoted_to_remember(parsed)]


def remember_quoted(message: Message, parsed: ParsedMail) -> None:
    """Remember what `message`'s mail quoted, for its original, should it come later."""
    rows = quoted_rows(message, parsed)
    if rows:
        QuotedMessageId.objects.bulk_create(rows)


def _tickets_quoting(message_id: str) -> list[Ticket]:
    """The tickets holding messages whose mail quoted `message_id`, oldest first.
    A merge moves messages, so these are tickets that live on."""
    quoting = QuotedMessageId.objects.filter(quoted_id=message_id[:998]).values(
        "message__ticket_id")
    return list(Ticket.objects.filter(pk__in=quoting).order_by("created_at", "pk")[:MAX_SPLIT])


def is_on_ticket(ticket: Ticket, contact: Contact | None, *, is_staff: bool = False,
                 organization_id: int | None = None) -> bool:
    """Whether the sender already takes part: requester, participant, same organization.

    `organization_id` is the organization of a sender we do not know yet (by the
    domain of their address): a new colleague of the requester counts as on it.
    """
    if is_staff:
        return True
    if contact is not None:
        if contact.pk == ticket.requester_id:
            return True
        organization_id = contact.organization_id
    if ticket.organization_id is not None and organization_id == ticket.organization_id:
        return True
    return contact is not None and Participant.objects.filter(
        ticket=ticket, contact=contact).exists()


class TicketLookup:
    """How threading reads the database: one question at a time (live mail).

    The import's batches (frontline.mail.batch) answer the same questions from
    what they read for a whole batch at once; the evidence rules stay here, once.
    """

    def ticket(self, number: int | None) -> Ticket | None:
        """The ticket numbered `number` (a merged ticket answers as itself)."""
        return _existing(number)

    def ticket_for_message_ids(self, message_ids: list[str]) -> Ticket | None:
        """The ticket of the first of `message_ids` (in order) that one of its
        messages came or went with: stored on a message, or a mail we sent."""
        known = _written_on(message_ids)
        for mid, ticket_id in _sent(message_ids):
            known.setdefault(mid, ticket_id)
        for message_id in message_ids:
            ticket = self.ticket(known.get(message_id))
            if ticket is not None:
                return ticket
        return None

    def tickets_quoting(self, message_id: str) -> list[Ticket]:
        """The tickets whose messages answer the mail `message_id` (late originals)."""
        return _tickets_quoting(message_id)

    def sender_on_ticket(self, ticket: Ticket, contact: Contact | None, *, is_staff: bool,
                         sender_address: str) -> bool:
        """Whether the sender already takes part in `ticket` (see is_on_ticket)."""
        organization = (customers.organization_for_email(sender_address)
                        if contact is None and sender_address else None)
        return is_on_ticket(ticket, contact, is_staff=is_staff,
                            organization_id=organization.pk if organization else None)


DATABASE = TicketLookup()


def thread(
    parsed: ParsedMail,
    *,
    envelope_recipients: Iterable[str] = (),
    sender_contact: Contact | None,
    sender_is_staff: bool = False,
    sender_address: str = "",
    lookup: TicketLookup = DATABASE,
) -> Threading:
    """Which ticket `parsed` continues, by the evidence in the module docstring."""
    result = _evidence(parsed, envelope_recipients=envelope_recipients,
                       sender_contact=sender_contact, sender_is_staff=sender_is_staff,
                       sender_address=sender_address, lookup=lookup)
    # 5. Replies that came first: this mail is their original.
    answered_by = lookup.tickets_quoting(parsed.message_id) if parsed.message_id else []
    if result.ticket is None and answered_by:
        result.ticket, result.evidence = answered_by[0], "late_original"
    result.split = [ticket for ticket in answered_by
                    if result.ticket is None or ticket.pk != result.ticket.pk]
    return result


def _evidence(
    parsed: ParsedMail,
    *,
    envelope_recipients: Iterable[str],
    sender_contact: Contact | None,
    sender_is_staff: bool,
    sender_address: str,
    lookup: TicketLookup,
) -> Threading:
    """Evidence 1 to 4: what the mail itself says it continues."""
    result = Threading()

    def claim(number: int | None, reason: str) -> None:
        if result.claimed is None:
            found = lookup.ticket(number)
            if found is not None:
                result.claimed, result.claim_reason = found, reason

    # 1. The per-ticket reply address.
    for address in _recipients(parsed, envelope_recipients):
        number = addresses.ticket_from_reply_address(address)
        ticket = lookup.ticket(number)
        if ticket is not None:
            return Threading(ticket, "reply_address")
        shaped = _CLAIMED_REPLY.search(address)
        if shaped and shaped.group("prefix").upper() == settings.FRONTLINE_REFERENCE_PREFIX:
            claim(int(shaped.group("number")), "a reply address with a wrong signature")

    quoted = _quoted_ids(parsed)
    # 2. Our own signed Message-IDs.
    for message_id in quoted:
        ticket = lookup.ticket(addresses.ticket_from_message_id(message_id))
        if ticket is not None:
            return Threading(ticket, "message_id")
        shaped = _CLAIMED_MESSAGE_ID.match(message_id)
        if shaped:
            claim(int(shaped.group("number")), "a Message-ID with a wrong signature")

    # 3. Message-IDs stored on a ticket's messages, or of mails we sent.
    if quoted:
        ticket = lookup.ticket_for_message_ids(quoted)
        if ticket is not None:
            return Threading(ticket, "references")

    # 4. The subject tag, from someone already on the ticket only.
    for match in _subject_tag().finditer(parsed.subject or ""):
        ticket = lookup.ticket(int(match.group(1)))
        if ticket is None:
            continue
        if lookup.sender_on_ticket(ticket, sender_contact, is_staff=sender_is_staff,
                                   sender_address=sender_address):
            return Threading(ticket, "subject_tag")
        claim(ticket.pk, "a subject tag from someone not on the ticket")

    return result


def ticket_for_message_id(message_id: str | None) -> Ticket | None:
    """The ticket a Message-ID of ours (signed, stored or sent) belongs to: for bounces."""
    if not message_id:
        return None
    ticket = _existing(addresses.ticket_from_message_id(message_id))
    if ticket is not None:
        return ticket
    number = (
        _written_on([message_id]).get(message_id)
        or next((ticket_id for _mid, ticket_id in _sent([message_id])), None)
    )
    return _existing(number)
