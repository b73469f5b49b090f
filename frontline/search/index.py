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

    get_engine().index_ticket(ticket)


def index_message(message: Message) -> None:
    from frontline.search.engines import get_engine

    get_engine().index_message(message)


def remove_ticket(ticket_id: int) -> None:
    from frontline.search.engines import get_engine

    get_engine().remove_ticket(ticket_id)
