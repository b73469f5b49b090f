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
ranked; ts_rank runs in the outer query, over those n rows only. Finding the
newest n is the hard part at millions of messages (bench/RESULTS.md, findings
3-4 and "Issue 11, part 2"): the GIN index answers "which documents hold these
words" in no order, and every document it names costs a visit to a table page
(to read message_id, and for a phrase to recheck word positions). A phrase of
common words ("snapshot too old") or two common words (`permission denied`)
named 50,000 documents at a million tickets: 50,000 scattered pages, 0.3-1.5 s,
to keep the newest 500. The planner cannot see it coming: it multiplies the
words' frequencies and expects a few hundred.

So every document also carries one *block* lexeme, `~w<id // WINDOW_IDS>`,
naming the block of WINDOW_IDS consecutive ids it belongs to (no word can be
one: the separators, `~` among them, are spaces to the parser, and query
tokens are letters and digits), and `_newest` chooses among three ways:
- a query the column statistics say is rare (WordStatistics.most_matches: at
  most RARE_MATCHES documents, whatever the words' correlation) is one lookup;
- otherwise the newest WALK_FIRST documents are read in id order and checked
  (a word in one document in eight fills n there), and read on when the
  density seen says that ends within WALK_BUDGET documents;
- otherwise the index is asked for the query AND a window of recent blocks
  (`'~w65' | '~w64'`), so only documents inside the window reach the table:
  two blocks first, then older windows sized from the matches seen so far,
  until n are found or the oldest block is done.
The index lookup leaves out words in more than VERY_COMMON_SHARE of the
documents when a term has a rarer one, and phrase order; the full query is
checked on each row it names (ts_match_vq). The answer is exactly the newest
n matches, the same as one unbounded query (tests/search/test_windows.py
compares them). The block lexeme carries no position (phrases never see it)
and is taken out again before ranking (ts_delete), so scores are as they were.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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


# Ids per block (see the module docstring): 65,536 ids is 1.5 % of the messages
# at a million tickets, where the newest two blocks hold the newest 500 matches of
# a phrase as common as "snapshot too old". Search migration 0004 wrote the same
# number into the documents it rewrote: change both together, then reindex.
WINDOW_IDS = 65_536
BLOCK_PREFIX = "~w"


def _block(id_column: str) -> str:
    """SQL: the block lexeme of the row whose id is `id_column`, as text."""
    return f"('{BLOCK_PREFIX}' || ({id_column} / %(block)s))"


INSERT_TICKETS = f"""
    INSERT INTO search_ticketdocument (ticket_id, document)
    SELECT t.id,
           setweight({_vector("%(prefix)s || ' ' || t.id")}, 'A')
           || setweight({_vector("t.subject")}, 'A')
           || setweight({_vector('''COALESCE((SELECT string_agg(e.address, ' ')
                                   FROM customers_contactemail e
                                   WHERE e.contact_id = t.requester_id), '')''')}, 'B')
           || array_to_tsvector(ARRAY[{_block("t.id")}])
    FROM tickets_ticket t
    WHERE t.id BETWEEN %(low)s AND %(high)s AND t.merged_into_id IS NULL
    ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document
"""
INSERT_MESSAGES = f"""
    INSERT INTO search_messagedocument (message_id, document)
    SELECT m.id, {_vector(f"left(m.body, {MAX_INDEXED_CHARS})")}
                 || array_to_tsvector(ARRAY[{_block("m.id")}])
    FROM tickets_message m
    WHERE m.id BETWEEN %(low)s AND %(high)s
    ON CONFLICT (message_id) DO NOTHING
"""


def _params(low: int, high: int) -> dict[str, str | int]:
    return {"separators": SEPARATORS, "low": low, "high": high,
            "prefix": settings.FRONTLINE_REFERENCE_PREFIX, "block": WINDOW_IDS}


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


def render_index_tsquery(query: ParsedQuery, very_common: frozenset[str]) -> str:
    """A weaker to_tsquery text for the GIN index: what every match of `query`
    also matches, and cheap to look up. Phrases become their words (the index keeps
    no positions, so a phrase costs the same lookups and a recheck anyway); a word
    in a large share of the documents is left out of a term that has a rarer one
    ("internal" of `api08.sapphire.internal`: the index read a thousand pages of its
    list to confirm what "api08" and "sapphire" already narrowed); excluded terms are
    left out. The full query is checked on the rows the index names."""
    def words(term: Term) -> str:
        lexemes = [f"'{token}'" for token in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        rare = [lexeme for token, lexeme in zip(term.tokens[:-1], lexemes, strict=False)
                if token not in very_common]
        if term.prefix or term.tokens[-1] not in very_common:
            rare.append(lexemes[-1])
        return " & ".join(rare or lexemes)

    return " & ".join("(" + " | ".join(f"({words(t)})" for t in clause) + ")"
                      for clause in query.clauses)


# A word in at least this share of the documents is left out of the index's
# lookup when its term has a rarer word (render_index_tsquery).
VERY_COMMON_SHARE = 0.10
# A query that the statistics say matches at most this many documents is looked
# up at once, without reading in id order or windows first (_newest).
RARE_MATCHES = 2_000
# How long a process trusts what it read of the statistics (ANALYZE refreshes them).
STATISTICS_SECONDS = 600.0


@dataclass(frozen=True)
class WordStatistics:
    """What ANALYZE keeps about a document column (migration 0002 keeps many
    lexemes): each common word's share of the documents, the smallest share it
    keeps (every word it does not name is rarer), and the number of documents."""

    shares: dict[str, float]
    floor: float
    documents: float

    @property
    def very_common(self) -> frozenset[str]:
        return frozenset(w for w, share in self.shares.items() if share >= VERY_COMMON_SHARE)

    def most_matches(self, query: ParsedQuery) -> float:
        """How many documents `query` can match at most: each term no more than its
        rarest word, a clause no more than its terms together, the query no more
        than its rarest clause. (Not the planner's guess, which multiplies the
        words' shares and expected 199 documents of the 52,415 holding "snapshot
        too old".) A prefix is not known, so it bounds nothing."""
        def term(t: Term) -> float:
            words = t.tokens[:-1] if t.prefix else t.tokens
            return min((self.shares.get(w, self.floor) for w in words), default=1.0)

        return self.documents * min(
            min(1.0, sum(term(t) for t in clause)) for clause in query.clauses)


_statistics: tuple[float, dict[str, WordStatistics | None]] | None = None


def forget_statistics() -> None:
    """Read the statistics again on the next search (tests: another test's tables)."""
    global _statistics
    _statistics = None


def _newest_ids_and_statistics(cursor: Any) -> tuple[int | None, int | None,
                                                     dict[str, WordStatistics | None]]:
    """The highest ticket and message document ids, and both tables' word
    statistics, in one statement. The statistics are read once per
    STATISTICS_SECONDS per process; None for a table before its first ANALYZE
    (the search then takes the longer way, and finds the same)."""
    global _statistics
    now = time.monotonic()
    tables = ("search_ticketdocument", "search_messagedocument")
    reading = _statistics is None or now - _statistics[0] >= STATISTICS_SECONDS
    columns = ["(SELECT max(ticket_id) FROM search_ticketdocument)",
               "(SELECT max(message_id) FROM search_messagedocument)"]
    if reading:
        for table in tables:
            where = (f"s.schemaname = current_schema() AND s.tablename = '{table}' "
                     "AND s.attname = 'document'")
            columns += [
                f"(SELECT s.most_common_elems::text::text[] FROM pg_stats s WHERE {where})",
                f"(SELECT s.most_common_elem_freqs FROM pg_stats s WHERE {where})",
                f"(SELECT c.reltuples FROM pg_class c WHERE c.relname = '{table}' "
                "AND c.relnamespace = current_schema()::regnamespace)"]
    cursor.execute("SELECT " + ", ".join(columns))
    top_ticket, top_message, *read = cursor.fetchone()
    if _statistics is not None and not reading:
        return top_ticket, top_message, _statistics[1]
    found: dict[str, WordStatistics | None] = {}
    for n, table in enumerate(tables):
        lexemes, shares, documents = read[3 * n:3 * n + 3]
        # most_common_elem_freqs: one share per lexeme, then the smallest and the
        # largest of them and the share of NULLs.
        found[table] = (WordStatistics(dict(zip(lexemes, shares, strict=False)),
                                       floor=min(shares[:len(lexemes)]),
                                       documents=float(documents))
                        if lexemes and shares and documents and documents > 0 else None)
    _statistics = (now, found)
    return top_ticket, top_message, found


@dataclass(frozen=True)
class Documents:
    """One index table, for _newest: its id column, and what a row yields besides
    the id and the score (the message's ticket, read at query time)."""

    table: str
    key: str
    owner: str  # SQL over c.<key>: NULL for ticket documents, the message's ticket_id


TICKET_DOCUMENTS = Documents("search_ticketdocument", "ticket_id", "NULL::bigint")
MESSAGE_DOCUMENTS = Documents(
    "search_messagedocument", "message_id",
    "(SELECT m.ticket_id FROM tickets_message m WHERE m.id = c.message_id)")
# Documents read in id order before the index is asked, and how many more may be
# read when the matches among those say that finishes sooner (_newest).
WALK_FIRST = 4_000
WALK_BUDGET = 20_000
# Blocks in the first window: the newest block may have just begun.
FIRST_WINDOW_BLOCKS = 2
# A window wider than this is not worth its lexemes (the index reads each block's
# list): the query is rare enough by then that all its older matches are few.
MAX_WINDOW_BLOCKS = 16
# Later windows aim at this many times the matches still wanted (the density seen
# so far is a noisy guess), or grow this many times when nothing was found yet.
WINDOW_MARGIN = 1.25
EMPTY_WINDOW_GROWTH = 4


def _window(first: int, last: int) -> str:
    """tsquery text: any of the blocks first..last. Cast with ::tsquery, not parsed
    by to_tsquery (whose parser would read `~` as a separator)."""
    return " | ".join(f"'{BLOCK_PREFIX}{block}'" for block in range(last, first - 1, -1))


def _newest(cursor: Any, documents: Documents, query: ParsedQuery, n: int,
            top: int | None, statistics: WordStatistics | None,
            ) -> list[tuple[int, int | None, float]]:
    """(id, owner, score) of the newest `n` documents matching `query`: exactly
    what `... WHERE document @@ q ORDER BY id DESC LIMIT n` returns, found newest
    first in three ways (module docstring): reading the newest documents in id
    order (a common query fills `n` there), then asking the GIN index for a window
    of blocks at a time, through a lookup that leaves out very common words
    (render_index_tsquery). `top`: the table's highest id."""
    if top is None:
        return []
    key = documents.key
    tsquery = render_tsquery(query)
    lookup = render_index_tsquery(
        query, statistics.very_common if statistics else frozenset())
    score = (f"ts_rank(ts_delete(c.document, '{BLOCK_PREFIX}' || (c.{key} / %(block)s)), "
             f"to_tsquery('{CONFIG}', %(q)s), 1)")
    # ts_match_vq is the function behind @@: a check of each row read, never a
    # lookup in the index.
    walk = f"""
        SELECT c.{key}, {documents.owner}, {score}
        FROM (SELECT {key}, document FROM {documents.table}
              WHERE {key} >= %(low)s AND {key} < %(high)s
                AND ts_match_vq(document, to_tsquery('{CONFIG}', %(q)s))
              ORDER BY {key} DESC LIMIT %(n)s) c"""

    def looked_up(window: bool) -> str:
        # The range on the id repeats the window for the planner: it knows ranges
        # well, and should it prefer walking the primary key it walks this window only.
        blocks = " && %(window)s::tsquery" if window else ""
        return f"""
            SELECT c.{key}, {documents.owner}, {score}
            FROM (SELECT {key}, document FROM {documents.table}
                  WHERE document @@ (to_tsquery('{CONFIG}', %(lookup)s){blocks})
                    AND ts_match_vq(document, to_tsquery('{CONFIG}', %(q)s))
                    AND {key} >= %(low)s AND {key} < %(high)s
                  ORDER BY {key} DESC LIMIT %(n)s) c"""

    found: list[tuple[int, int | None, float]] = []
    high = top + 1  # ids from `high` up are done

    def run(statement: str, low: int, **extra: Any) -> None:
        nonlocal high
        cursor.execute(statement, {"q": tsquery, "lookup": lookup, "block": WINDOW_IDS,
                                   "low": low, "high": high, "n": n - len(found), **extra})
        found.extend(cursor.fetchall())
        high = low

    if statistics is not None and statistics.most_matches(query) <= RARE_MATCHES:
        # Few documents can match: the index names them all at little cost.
        run(looked_up(window=False), 0)
        return found
    # The newest documents in id order: a common query (a word in one document in
    # eight) is done here, and its density says whether walking on is cheaper
    # than asking the index.
    run(walk, max(high - WALK_FIRST, 0))
    if found and len(found) < n and high > 0:
        rows = math.ceil((n - len(found)) * WINDOW_MARGIN * (top + 1 - high) / len(found))
        if rows <= WALK_BUDGET:
            run(walk, max(high - rows, 0))

    def next_span(empty: int) -> int:
        """Blocks for the next window: enough for what is still wanted at the
        density seen so far, with a margin; `empty` when nothing was found yet."""
        if not found:
            return empty
        ids = (n - len(found)) * WINDOW_MARGIN * (top + 1 - high) / len(found)
        return max(1, math.ceil(ids / WINDOW_IDS))

    span = next_span(FIRST_WINDOW_BLOCKS)
    while high > 0 and len(found) < n:
        last = (high - 1) // WINDOW_IDS
        first = max(last - span + 1, 0)
        # All the rest at once, without block lexemes, when the matches seen so far
        # say the rest holds about what is still wanted or less: the index then
        # names few documents, and a wide window would only add lists to read.
        if first == 0 or span > MAX_WINDOW_BLOCKS:
            run(looked_up(window=False), 0)
        else:
            run(looked_up(window=True), first * WINDOW_IDS, window=_window(first, last))
        span = next_span(EMPTY_WINDOW_GROWTH * span)
    return found


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

    def remove_message(self, message_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_messagedocument WHERE message_id = %s",
                           [message_id])

    def search(self, query: ParsedQuery, *, candidates: int) -> CandidateSet:
        with connection.cursor() as cursor:
            top_ticket, top_message, statistics = _newest_ids_and_statistics(cursor)
            ticket_rows = [(key, score) for key, _, score in _newest(
                cursor, TICKET_DOCUMENTS, query, candidates, top_ticket,
                statistics[TICKET_DOCUMENTS.table])]
            message_rows = [(ticket_id, key, score) for key, ticket_id, score in _newest(
                cursor, MESSAGE_DOCUMENTS, query, candidates, top_message,
                statistics[MESSAGE_DOCUMENTS.table])
                # A message deleted since it was indexed: its document no longer counts.
                if ticket_id is not None]
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
