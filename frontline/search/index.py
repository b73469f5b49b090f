"""Keeping the search index in step with tickets and messages.

Ticket services call these inside their own transaction, so the index never
lags the data: a search right after a reply finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def remove_message(message: Message) -> None:
    """Forget a message about to be deleted (a reply withdrawn by undo send); called
    before the row goes, since SQLite's contentless index needs its text to forget it."""
    from frontline.search.engines import get_engine

    get_engine().remove_message(message.pk)


def remove_ticket(ticket_id: int) -> None:
    """Drop a ticket's document and its messages' (a merged-away or deleted ticket)."""
    from frontline.search.engines import get_engine

    get_engine().remove_ticket(ticket_id)


def index_new_rows(ticket_ids: Sequence[int], message_ids: Sequence[int]) -> None:
    """index_ticket for each of `ticket_ids` and index_message for each of
    `message_ids`, all just written by the caller (the mail import writes
    thousands): one statement per run of consecutive ids instead of one or two per
    row, with the engines' own statements."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        from frontline.search.engines import sqlite as engine

        with connection.cursor() as cursor:
            for low, high in _runs(ticket_ids):
                cursor.execute("DELETE FROM search_ticket_fts WHERE rowid BETWEEN %s AND %s",
                               [low, high])
                cursor.execute(engine.INSERT_TICKETS,
                               [settings.FRONTLINE_REFERENCE_PREFIX, low, high])
            for low, high in _runs(message_ids):
                cursor.execute(engine.INSERT_MESSAGES, [low, high])
    elif connection.vendor == "postgresql":
        from frontline.search.engines import postgresql as pg_engine

        with connection.cursor() as cursor:
            for low, high in _runs(ticket_ids):
                cursor.execute(pg_engine.INSERT_TICKETS, pg_engine._params(low, high))
            for low, high in _runs(message_ids):
                cursor.execute(pg_engine.INSERT_MESSAGES, pg_engine._params(low, high))
    else:
        from frontline.search.engines import get_engine

        for ticket_id in ticket_ids:
            get_engine().index_ticket(ticket_id)
        for message_id in message_ids:
            get_engine().index_message(message_id)


def _runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """[(low, high), ...]: `ids` as inclusive runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for number in sorted(set(ids)):
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs
