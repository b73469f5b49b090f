"""What a ticket accepts: where anything aimed at a merged ticket lands, and whether a
customer's message may still reopen a closed ticket.

These two rules are decided here and nowhere else. Desk, API, portal and mail reach
them through frontline.workflow (add_customer_message, add_reply, add_note, every
change under `locked_ticket`), the mail intake also through
`customer_message_decision`, which it asks before choosing between "add to the
ticket" and "open a new one".

Merged tickets
--------------
A merged ticket (`merged_into` set) is closed for good and keeps its reference:
its links, reply address and Message-IDs keep working. What is aimed at it, by
kind, the same on every face:

    customer message  lands on the surviving ticket (the end of the merge chain),
                      remembering the merged ticket it was written on
                      (Message.merged_from), so that each customer keeps seeing
                      only their own conversation. Mail (reply address,
                      Message-ID, subject tag; automatic mail and bounces too)
                      and the portal link alike: nothing a customer sends waits
                      unseen on a closed duplicate. The survivor reopens if it
                      must, within the reopen window below; the merged ticket
                      stays closed.
    note              lands on the survivor (internal: no customer reads it).
    time entry        lands on the survivor: the work was done on the case that
                      lives on (frontline.costs).
    reply             lands on the survivor when it is the same customer's
                      request (same requester and organization); otherwise it is
                      refused (409), because a reply meant for one customer would
                      be mailed to another. Desk composer, API and an agent's own
                      mail client (which then waits in review) alike.
    change            refused (409), naming the survivor: status, fields, tier
                      and escalation, assignee, merging it again. A change aimed
                      at the closed duplicate comes from a stale page or a
                      script; applied to another ticket unasked it could be
                      wrong, so the caller names the survivor. The desk's page of
                      a merged ticket redirects to the survivor, so an agent
                      meets this only on a page opened before the merge.

The reopen window
-----------------
A customer's message reopens a resolved ticket, and a closed one within
FRONTLINE_REOPEN_WINDOW_DAYS of its closing. Later it is not added: mail opens a
new ticket linked to the old one, the portal says so and keeps the text in the
form. The API takes no customer messages (staff write there). Measured on the
surviving ticket, at the moment the message was written (a mail's Date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from frontline.core.errors import InvalidTransition
from frontline.tickets.models import Status, Ticket

# Merges are chains (A into B, later B into C); bounded, in case of bad data.
MAX_MERGE_HOPS = 20


class EntryKind(StrEnum):
    CUSTOMER_MESSAGE = "customer message"
    NOTE = "note"
    TIME = "time entry"
    REPLY = "reply"
    CHANGE = "change"


class MergedTicket(InvalidTransition):
    """Something a merged ticket does not take (a change; a reply to another customer)."""

    def __init__(self, message: str, *, survivor: Ticket, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.survivor = survivor


class ReopenWindowPassed(InvalidTransition):
    """A customer's message on a ticket closed longer ago than the reopen window."""


@dataclass(frozen=True)
class Landing:
    """Where an entry aimed at a ticket is stored."""

    ticket: Ticket  # the ticket it lands on: the one aimed at, or its survivor
    merged_from: Ticket | None  # the merged ticket it was aimed at, when redirected


@dataclass(frozen=True)
class CustomerMessageDecision:
    """What a customer's message on a ticket does (see "The reopen window")."""

    ticket: Ticket  # the surviving ticket the message is for
    accepted: bool  # False: too long closed; the message belongs on a new ticket
    reopens: bool  # accepted, and the ticket is resolved or closed: it opens again
    reason: str = ""  # why not accepted, for staff (the mail's record, the link)
    sentence: str = ""  # what the customer is told when not accepted


def surviving_ticket(ticket: Ticket) -> Ticket:
    """The ticket that lives on: `ticket` itself, or the end of its merge chain."""
    hops = 0
    while ticket.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        hops += 1
    return ticket


def other_customer(ticket: Ticket, other: Ticket) -> bool:
    """Whether two tickets are different customers' requests: another requester or
    another organization. Merging them needs a confirmation, and a reply aimed at
    one never goes to the other."""
    return (ticket.requester_id != other.requester_id
            or ticket.organization_id != other.organization_id)


def _land(aimed_at: Ticket, survivor: Ticket, kind: EntryKind) -> Landing:
    if aimed_at.pk == survivor.pk:
        return Landing(survivor, None)
    if kind == EntryKind.CHANGE:
        raise MergedTicket(f"{aimed_at.reference} was merged into {survivor.reference}; "
                           f"change {survivor.reference} instead.", survivor=survivor)
    if kind == EntryKind.REPLY and other_customer(aimed_at, survivor):
        raise MergedTicket(
            f"{aimed_at.reference} was merged into {survivor.reference}, another "
            f"customer's request: a reply there goes to them. Reply on "
            f"{survivor.reference} if that is what you mean.", survivor=survivor)
    return Landing(survivor, aimed_at)


def landing(ticket: Ticket, kind: EntryKind) -> Landing:
    """Where an entry of `kind` aimed at `ticket` lands, or MergedTicket (409) when a
    merged ticket does not take it (see "Merged tickets")."""
    return _land(ticket, surviving_ticket(ticket), kind)


def check_accepts_change(ticket: Ticket) -> None:
    """MergedTicket (409) if `ticket` was merged: a merged ticket takes no changes."""
    landing(ticket, EntryKind.CHANGE)


def locked_landing(ticket: Ticket, kind: EntryKind) -> Landing:
    """`landing`, with the ticket it lands on read again under its row lock (the
    caller holds the transaction). A merge committed meanwhile is followed too:
    an entry never lands on a ticket that is merged by the time it is written."""
    candidate = surviving_ticket(ticket)
    for _ in range(MAX_MERGE_HOPS):
        locked = Ticket.objects.select_for_update().get(pk=candidate.pk)
        if locked.merged_into_id is None:
            return _land(ticket, locked, kind)
        candidate = surviving_ticket(locked)
    raise InvalidTransition(f"{ticket.reference} is merged in a chain too long to follow; "
                            "ask an administrator to look at it.")


def reopen_window() -> timedelta:
    return timedelta(days=settings.FRONTLINE_REOPEN_WINDOW_DAYS)


def customer_message_decision(ticket: Ticket, at: datetime | None = None
                              ) -> CustomerMessageDecision:
    """What a customer's message written at `at` (default now) on `ticket` does:
    lands on its survivor, reopens it if resolved or closed within the window, or,
    closed longer ago, is not accepted (the sentence says what to do instead)."""
    survivor = surviving_ticket(ticket)
    now = at or timezone.now()
    if survivor.status == Status.RESOLVED:
        return CustomerMessageDecision(survivor, accepted=True, reopens=True)
    if survivor.status != Status.CLOSED:
        return CustomerMessageDecision(survivor, accepted=True, reopens=False)
    # A closed ticket without its closing time (old data) reopens: nothing is lost.
    if survivor.closed_at is None or now - survivor.closed_at <= reopen_window():
        return CustomerMessageDecision(survivor, accepted=True, reopens=True)
    days = settings.FRONTLINE_REOPEN_WINDOW_DAYS
    return CustomerMessageDecision(
        survivor, accepted=False, reopens=False,
        reason=f"A reply to {survivor.reference}, closed more than {days} days ago.",
        sentence=(f"This request was closed more than {days} days ago and takes no more "
                  "replies. Please write to us by email to open a new one."))


def check_customer_message(ticket: Ticket, at: datetime | None = None
                           ) -> CustomerMessageDecision:
    """`customer_message_decision`, refusing (ReopenWindowPassed, 409) what it does
    not accept, with the sentence the customer reads."""
    decision = customer_message_decision(ticket, at)
    if not decision.accepted:
        raise ReopenWindowPassed(decision.sentence)
    return decision
