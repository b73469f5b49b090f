"""Finding tickets: by reference, under the row lock, through merges."""

from __future__ import annotations

from frontline.core.errors import NotFound
from frontline.tickets.models import Ticket, parse_reference


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


def resolve_merged(ticket: Ticket) -> Ticket:
    """Follow merges to the ticket that lives on (bounded, in case of bad data)."""
    seen = 0
    while ticket.merged_into_id is not None and seen < 20:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        seen += 1
    return ticket
