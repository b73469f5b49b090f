"""PostgreSQL full-text engine: tsvector tables with GIN indexes.

Two tables (created by search migration 0001, on PostgreSQL only):
- search_ticketdocument(ticket_id PK, document): reference and subject at
  weight A, requester emails at weight B;
- search_messagedocument(message_id PK, document): the message text (weight D).
No foreign keys: the index must never block deleting a ticket, and a document
whose message is gone simply drops out of the join at query time.

Text search configuration: 'simple' (lower-case, no stemming, no stop words),
not 'english'. Customers write in many languages, and what support staff
search for is mostly not English prose: error codes, product and host names,
versions, file names, "invalid_token". 'english' would stem those and other
languages wrongly, drop words like "not" and "no" ("does not start"), and make
PostgreSQL find different things than SQLite's FTS5 (which does not stem).
Prefix search (`export*`) covers most of what stemming gave.

Before parsing we turn the punctuation that makes PostgreSQL's parser see one
compound token (emails, hosts, paths, versions, hyphenated and underscored
words, tags) into spaces, so both engines split text into the same words:
"bob@standard.example" is bob, standard, example in either.

User input goes through frontline.search.query; we render the tsquery text
ourselves from letters-and-digits tokens (quoted), so to_tsquery never sees
user syntax. (websearch_to_tsquery would be safe too, but cannot express a
prefix match, and would parse differently from the FTS5 side.)

Scale: as on SQLite, only the newest `candidates` matching documents are
ranked. For a common word the planner walks the primary key backwards and
stops after n matches; for a rare one it takes the GIN index and sorts the few
rows. ts_rank runs in the outer query, over those n rows only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from frontline.search.engines import (
    MAX_INDEXED_CHARS,
    Candidate,
    CandidateSet,
    Progress,
    count_rows,
    id_ranges,
)
from frontline.search.query import ParsedQuery, Term

CONFIG = "simple"
# regexp_replace with one bracket expression: about ten times faster than
# translate() (which PostgreSQL runs character by character, multibyte-aware).
SEPARATORS = r"[-@./_:+<>&;=~\\|]"
# Named so reindex can drop them for the bulk load and build them after,
# which is many times faster than updating GIN row by row.
CREATE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS search_ticketdocument_gin "
    "ON search_ticketdocument USING gin (document)",
    "CREATE INDEX IF NOT EXISTS search_messagedocument_gin "
    "ON search_messagedocument USING gin (document)",
)
DROP_INDEXES = (
    "DROP INDEX IF EXISTS search_ticketdocument_gin",
    "DROP INDEX IF EXISTS search_messagedocument_gin",
)


def _vector(expression: str) -> str:
    return f"to_tsvector('{CONFIG}', regexp_replace({expression}, %(separators)s, ' ', 'g'))"


INSERT_TICKETS = f"""
    INSERT INTO search_ticketdocument (ticket_id, document)
    SELECT t.id,
           setweight({_vector("%(prefix)s || ' ' || t.id")}, 'A')
           || setweight({_vector("t.subject")}, 'A')
           || setweight({_vector('''COALESCE((SELECT string_agg(e.address, ' ')
                                   FROM customers_contactemail e
                                   WHERE e.contact_id = t.requester_id), '')''')}, 'B')
    FROM tickets_ticket t
    WHERE t.id BETWEEN %(low)s AND %(high)s AND t.merged_into_id IS NULL
    ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document
"""
INSERT_MESSAGES = f"""
    INSERT INTO search_messagedocument (message_id, document)
    SELECT m.id, {_vector(f"left(m.body, {MAX_INDEXED_CHARS})")}
    FROM tickets_message m
    WHERE m.id BETWEEN %(low)s AND %(high)s
    ON CONFLICT (message_id) DO NOTHING
"""


def _params(low: int, high: int) -> dict[str, str | int]:
    return {"separators": SEPARATORS, "low": low, "high": high,
            "prefix": settings.FRONTLINE_REFERENCE_PREFIX}


# Connections that build the index at once. to_tsvector is CPU-bound and a
# backend uses one core, so one connection left a two-core server half idle
# (bench/RESULTS.md, finding 6); more than the cores would only contend.
REINDEX_CONNECTIONS = 2


def _run_in_threads(batches: Sequence[tuple[Any, ...]], work: Callable[..., None]) -> None:
    """Run `work(*batch)` for each batch (disjoint id ranges, or one index each)
    on REINDEX_CONNECTIONS threads.

    Each thread takes the next batch from a shared list, so a slow batch does
    not leave the other connection idle; each has its own Django connection,
    closed when it is done. The first error stops the others and is raised.
    """
    pending = list(reversed(batches))
    lock = threading.Lock()
    failed = threading.Event()

    def worker() -> None:
        try:
            while not failed.is_set():
                with lock:
                    if not pending:
                        return
                    batch = pending.pop()
                work(*batch)
        except BaseException:
            failed.set()
            raise
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=REINDEX_CONNECTIONS,
                            thread_name_prefix="search-reindex") as pool:
        futures = [pool.submit(worker) for _ in range(REINDEX_CONNECTIONS)]
    for future in futures:
        future.result()


def render_term(term: Term) -> str:
    # Tokens are letters and digits only (query.TOKEN_RE): no quote or operator
    # can appear inside the quoted lexemes.
    lexemes = [f"'{token}'" for token in term.tokens]
    if term.prefix:
        lexemes[-1] += ":*"
    return " <-> ".join(lexemes)


def render_tsquery(query: ParsedQuery) -> str:
    """The to_tsquery text for a parsed query."""
    parts = ["(" + " | ".join(f"({render_term(t)})" for t in clause) + ")"
             for clause in query.clauses]
    parts += [f"!({render_term(term)})" for term in query.excluded]
    return " & ".join(parts)


class PostgreSQLEngine:
    vendor = "postgresql"

    def index_ticket(self, ticket_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_TICKETS, _params(ticket_id, ticket_id))

    def index_message(self, message_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_MESSAGES, _params(message_id, message_id))

    def remove_ticket(self, ticket_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_ticketdocument WHERE ticket_id = %s", [ticket_id])
            cursor.execute(
                "DELETE FROM search_messagedocument WHERE message_id IN "
                "(SELECT id FROM tickets_message WHERE ticket_id = %s)", [ticket_id])

    def search(self, query: ParsedQuery, *, candidates: int) -> CandidateSet:
        tsquery = render_tsquery(query)
        # The tsquery is inlined as a constant expression (to_tsquery is
        # immutable) so the planner can use the column statistics to choose
        # between the GIN index and a backward primary-key walk.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT c.ticket_id, ts_rank(c.document, to_tsquery('{CONFIG}', %(q)s), 1)
                    FROM (SELECT ticket_id, document FROM search_ticketdocument
                          WHERE document @@ to_tsquery('{CONFIG}', %(q)s)
                          ORDER BY ticket_id DESC LIMIT %(n)s) c""",
                {"q": tsquery, "n": candidates},
            )
            ticket_rows = cursor.fetchall()
            cursor.execute(
                f"""SELECT m.ticket_id, c.message_id,
                           ts_rank(c.document, to_tsquery('{CONFIG}', %(q)s), 1)
                    FROM (SELECT message_id, document FROM search_messagedocument
                          WHERE document @@ to_tsquery('{CONFIG}', %(q)s)
                          ORDER BY message_id DESC LIMIT %(n)s) c
                    JOIN tickets_message m ON m.id = c.message_id""",
                {"q": tsquery, "n": candidates},
            )
            message_rows = cursor.fetchall()
        found = [Candidate(ticket_id, float(score), None) for ticket_id, score in ticket_rows]
        found += [Candidate(ticket_id, float(score), message_id)
                  for ticket_id, message_id, score in message_rows]
        complete = len(ticket_rows) < candidates and len(message_rows) < candidates
        return CandidateSet(found, complete=complete)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_ticketdocument")
            cursor.execute("DELETE FROM search_messagedocument")

    def reindex(self, progress: Progress | None, batch_size: int) -> int:
        total = count_rows("tickets_ticket") + count_rows("tickets_message")
        counts = {"done": 0, "indexed": 0}
        lock = threading.Lock()
        if progress:
            progress(0, total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_ticketdocument, search_messagedocument")
            for statement in DROP_INDEXES:
                cursor.execute(statement)
        batches = [(table, insert, low, high)
                   for table, insert in (("tickets_ticket", INSERT_TICKETS),
                                         ("tickets_message", INSERT_MESSAGES))
                   for low, high in id_ranges(table, batch_size)]

        def index_batch(table: str, insert: str, low: int, high: int) -> None:
            # One transaction per batch: writers indexing new messages meanwhile
            # are not held up, and ON CONFLICT skips what they already indexed.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(insert, _params(low, high))
                indexed = max(cursor.rowcount, 0)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE id BETWEEN %s AND %s", [low, high])
                done = cursor.fetchone()[0]
            with lock:
                counts["indexed"] += indexed
                counts["done"] += done
                if progress:
                    progress(min(counts["done"], total), total)

        if connection.in_atomic_block or len(batches) < 2:
            # Other connections cannot see what the caller's open transaction
            # wrote (tests run inside one), so the load stays on this connection.
            for batch in batches:
                index_batch(*batch)
        else:
            _run_in_threads(batches, index_batch)

        def build_index(create: str, table: str) -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cursor.execute(create)
            with connection.cursor() as cursor:
                # Fresh statistics let the planner tell common words from rare ones.
                cursor.execute(f"ANALYZE {table}")

        finishing = list(zip(CREATE_INDEXES, ("search_ticketdocument", "search_messagedocument"),
                             strict=True))
        if connection.in_atomic_block:
            for step in finishing:
                build_index(*step)
        else:
            # The two GIN builds are independent: one per connection.
            _run_in_threads(finishing, build_index)
        if progress:
            progress(total, total)
        return counts["indexed"]
