"""Who an agent's reply is mailed to: the default, and the agent's own choice checked.

The default is what Frontline always did: To the requester (the address they
wrote from when it is one of theirs, else their primary one), Cc everybody copied
in on the conversation (tickets.Participant, made by frontline.mail.services when
a customer's mail names them). The desk shows both in the composer's To and Cc
fields and the API takes `to` and `cc`, so the agent sees and may change where
the reply goes: an agent who wrote "to Alice" of a reply that was also copied to
two colleagues of hers had no way to know or to stop it (issue 12).

What the agent chose is checked here, before the reply is stored (the workflow
asks first: frontline.tickets.channels.Sender.recipients), and kept on the
OutboundMail (`to`, `cc`), which the timeline reads ("Mailed to X, cc Y").
Addresses follow the one rule of frontline.core.email_address: UTF-8 local parts
and IDNA domains are addresses; anything else is a 422 naming the field and the
address as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import prefetch_related_objects

from frontline.core import email_address
from frontline.core.errors import InvalidInput
from frontline.mail import compose
from frontline.tickets.channels import Recipients
from frontline.tickets.models import Ticket

# A reply is a conversation, not a mailing: the bound keeps a pasted address book
# from becoming one mail to hundreds (and keeps the To header a header).
MAX_RECIPIENTS = 50


def requester_address(ticket: Ticket, preferred: str = "") -> str | None:
    """Where mail for the ticket's requester goes: `preferred` when it is one of
    their addresses (the one they wrote from), else their primary address."""
    emails = [e.address for e in ticket.requester.emails.all()]
    wanted = compose.clean_address(preferred)
    if wanted and wanted in {compose.clean_address(e) for e in emails}:
        return wanted
    primary = ticket.requester.primary_email
    return compose.clean_address(primary) if primary else None


def participant_addresses(ticket: Ticket, *, exclude: str | None) -> list[str]:
    """The people copied in on the conversation (tickets.Participant): agent replies go
    to them too by default. Automatic mail goes to the requester only."""
    found = []
    # Through the ticket's prefetch cache: the desk's ticket page lists the same
    # participants beside the composer, and reads them once.
    prefetch_related_objects([ticket], "participants__contact__emails")
    for participant in ticket.participants.all():
        address = compose.clean_address(participant.contact.primary_email)
        if address and address != exclude and address not in found:
            found.append(address)
    return found


def default_recipients(ticket: Ticket) -> Recipients:
    """To the requester, Cc the participants; empty when the requester has no address."""
    to = requester_address(ticket)
    if to is None:
        return Recipients()
    return Recipients(to=(to,), cc=tuple(participant_addresses(ticket, exclude=to)))


def _checked(addresses: Sequence[str], field: str) -> list[str]:
    found: list[str] = []
    for typed in addresses:
        if not str(typed).strip():
            continue
        address = email_address.normalize(str(typed), field=field)
        if address not in found:
            found.append(address)
    return found


def check_recipients(ticket: Ticket, to: Sequence[str] | None,
                     cc: Sequence[str] | None) -> Recipients:
    """The reply's recipients: `to` and `cc` as the agent chose them (None: the
    default for that field), canonical and without repeats (an address in To is not
    copied again in Cc). A reply with someone to mail needs somebody in To; empty
    fields are accepted only when there is nobody to mail anyway (a requester with
    no address: the reply is recorded, as a phone call's is)."""
    default = default_recipients(ticket)
    chosen_to = list(default.to) if to is None else _checked(to, "to")
    chosen_cc = list(default.cc) if cc is None else _checked(cc, "cc")
    chosen_cc = [address for address in chosen_cc if address not in chosen_to]
    if len(chosen_to) + len(chosen_cc) > MAX_RECIPIENTS:
        raise InvalidInput(f"A reply goes to at most {MAX_RECIPIENTS} addresses; this one "
                           f"names {len(chosen_to) + len(chosen_cc)}.",
                           field="cc" if chosen_cc else "to")
    if not chosen_to and (chosen_cc or default):
        raise InvalidInput("Put at least one address in To (or write an internal note "
                           "instead).", field="to")
    return Recipients(to=tuple(chosen_to), cc=tuple(chosen_cc))
