"""Keeping the search index in step with tickets and messages.

Ticket services call these inside their own transaction, so the index never
lags the data: a search right after a reply finds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontline.tickets.models import Message, Ticket


def index_ticket(ticket: Ticket) -> None:
    """(Re)index the ticket-level fields: reference, subject, requester email."""
    from frontline.search.engines import get_engine

    get_engine().index_ticket(ticket.pk)


def index_message(message: Message) -> None:
    """Index a new message (once: a message's text never changes; see engines)."""
    from frontline.search.engines import get_engine

    get_engine().index_message(message.pk)


def remove_ticket(ticket_id: int) -> None:
    """Drop a ticket's document and its messages' (a merged-away or deleted ticket)."""
    from frontline.search.engines import get_engine

    get_engine().remove_ticket(ticket_id)
