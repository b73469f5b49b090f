"""Finding tickets: by reference, and under the row lock to change one."""

from __future__ import annotations

from collections.abc import Iterable

from frontline.core.errors import NotFound
from frontline.tickets.models import Ticket, TicketClock, parse_reference
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


def load_clocks(tickets: Iterable[Ticket]) -> None:
    """Read the clock rows of `tickets` in one query, for a batch that will read
    and write them (a ticket without its row gets a blank one, see TicketClock).

    Call it after the tickets' row locks are taken, never fold it into the locking
    query with select_related: a statement that waited for a ticket's lock reads
    the joined clock row as of its start, before the lock holder (the breach scan
    writes the clock row only) committed; this query reads it as committed."""
    by_id = {ticket.pk: ticket for ticket in tickets}
    owner = Ticket._meta.get_field("clock")
    for row in TicketClock.objects.filter(ticket_id__in=list(by_id)):
        row.ticket = by_id[row.ticket_id]
        owner.set_cached_value(row.ticket, row)
    for ticket in by_id.values():
        if not owner.is_cached(ticket):
            owner.set_cached_value(ticket, TicketClock(ticket=ticket))


def locked_ticket(ticket: Ticket) -> Ticket:
    """The ticket read again under its row lock, to change it (the caller holds the
    transaction). A merged ticket takes no changes: MergedTicket (409), naming the
    ticket that lives on (frontline.tickets.services.entry)."""
    return locked_landing(ticket, EntryKind.CHANGE).ticket
