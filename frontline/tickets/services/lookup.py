"""Finding tickets: by reference, and under the row lock to change one."""

from __future__ import annotations

from frontline.core.errors import NotFound
from frontline.tickets.models import Ticket, parse_reference
from frontline.tickets.services.entry import EntryKind, locked_landing


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
    """The ticket read again under its row lock, to change it (the caller holds the
    transaction). A merged ticket takes no changes: MergedTicket (409), naming the
    ticket that lives on (frontline.tickets.services.entry)."""
    return locked_landing(ticket, EntryKind.CHANGE).ticket
