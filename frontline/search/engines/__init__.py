"""The two search engines behind one interface, chosen by the database in use.

Both keep two kinds of documents, in two index tables:
- a ticket document per ticket (not per merged-away ticket): its reference,
  subject and the requester's email addresses;
- a message document per message (replies, customer messages, internal notes:
  every search user is staff), holding the first MAX_INDEXED_CHARS of its text.
A message document knows only its message id; the ticket it belongs to is read
from tickets_message at query time, so a merge (which moves messages) needs no
index change, and there is one truth about where a message lives.

A message's text never changes once written (no service edits it), so indexing
a message is insert-once: index_message on an indexed message does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from django.db import connection

from frontline.search.query import ParsedQuery

Progress = Callable[[int, int], None]

# Enough of a message to find it by; keeps a PostgreSQL tsvector far below its
# 1 MB limit however large a pasted log is.
MAX_INDEXED_CHARS = 100_000
DEFAULT_BATCH_SIZE = 50_000


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    score: float  # higher is better; comparable within one engine only
    message_id: int | None  # None: the ticket document (reference, subject, email) matched


@dataclass(frozen=True)
class CandidateSet:
    candidates: list[Candidate]
    # False when the engine stopped at its candidate cap: there are more matches
    # (older ones) that were neither ranked nor counted.
    complete: bool


class Engine(Protocol):
    vendor: str

    def index_ticket(self, ticket_id: int) -> None: ...

    def index_message(self, message_id: int) -> None: ...

    def remove_ticket(self, ticket_id: int) -> None: ...

    def remove_message(self, message_id: int) -> None: ...

    def search(self, query: ParsedQuery, *, candidates: int) -> CandidateSet: ...

    def clear(self) -> None: ...

    def reindex(self, progress: Progress | None, batch_size: int) -> int: ...


class NullEngine:
    """For a database we have no full-text engine for: nothing is indexed or found."""

    vendor = "none"

    def index_ticket(self, ticket_id: int) -> None:
        return None

    def index_message(self, message_id: int) -> None:
        return None

    def remove_ticket(self, ticket_id: int) -> None:
        return None

    def remove_message(self, message_id: int) -> None:
        return None

    def search(self, query: ParsedQuery, *, candidates: int) -> CandidateSet:
        return CandidateSet([], complete=True)

    def clear(self) -> None:
        return None

    def reindex(self, progress: Progress | None, batch_size: int) -> int:
        return 0


def get_engine() -> Engine:
    if connection.vendor == "sqlite":
        from frontline.search.engines.sqlite import SQLiteEngine

        return SQLiteEngine()
    if connection.vendor == "postgresql":
        from frontline.search.engines.postgresql import PostgreSQLEngine

        return PostgreSQLEngine()
    return NullEngine()


def id_ranges(table: str, batch_size: int) -> Iterator[tuple[int, int]]:
    """Inclusive id ranges of `batch_size` ids covering `table` (ids may have gaps)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, batch_size):
        yield start, min(start + batch_size - 1, high)


def count_rows(table: str, where: str = "") -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} {where}")
        return int(cursor.fetchone()[0])
