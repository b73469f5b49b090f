"""Threading: which ticket, if any, an incoming mail continues.

Evidence, strongest first (issue 3, "Threading"):
1. our per-ticket reply address among the envelope recipients, To or Cc
   (signed: `support+FL-10427-<signature>@domain`);
2. one of our own signed Message-IDs in In-Reply-To or References;
3. a Message-ID we stored for one of the ticket's messages (a customer's own mail,
   a colleague replying to all) or one we sent;
4. the `[FL-10427]` subject tag, and only from someone already on the ticket
   (requester, participant, same organization, or staff).

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
from dataclasses import dataclass

from django.conf import settings

from frontline.customers import services as customers
from frontline.customers.models import Contact
from frontline.mail import addresses
from frontline.mail.models import OutboundMail
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
