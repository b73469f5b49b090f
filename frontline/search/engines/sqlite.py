"""SQLite FTS5 engine.

Two FTS5 tables (created by search migration 0001, on SQLite only):

- search_ticket_fts(reference, subject, emails), rowid = ticket id. A plain
  FTS5 table that keeps its (small) content, so a changed subject is a
  DELETE + INSERT.
- search_message_fts(body), rowid = message id, *contentless* (content='').
  Message text already lives in tickets_message; keeping a second copy in the
  index would double the database for 4M messages. We never need FTS5's
  snippet()/highlight() (snippets are made in Python for both engines), and a
  message's text never changes, so the one drawback of contentless tables (a
  delete must repeat the indexed text) only matters in remove_ticket, which
  reads that text back from tickets_message. Whether a message is indexed is
  answered by the table's own %_docsize shadow table (keyed by rowid).

Tokenizer: unicode61 with remove_diacritics 2 (word-based, "Müller" = "muller"),
prefix index on 3 characters for `exp*`. Not trigram: trigram would find
substrings but triples the index, cannot match words under three characters,
and (before SQLite 3.45, which we cannot assume) cannot fold diacritics.

Scale: a common word can match hundreds of thousands of messages, and ranking
them all (bm25 per row) takes seconds. FTS5 walks a term's doclist in rowid
order and stops at a LIMIT, so we take the newest `candidates` matches
(ORDER BY rowid DESC LIMIT n, which costs n, not the match count) and rank only
those: recent tickets first, old ones reachable by a narrower query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from frontline.search.engines import (
    MAX_INDEXED_CHARS,
    Candidate,
    CandidateSet,
    Progress,
    count_rows,
    id_ranges,
)
from frontline.search.query import ParsedQuery, Term

TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='3'"
CREATE_TICKET_TABLE = (
    f"CREATE VIRTUAL TABLE search_ticket_fts USING fts5(reference, subject, emails, {TOKENIZE})"
)
CREATE_MESSAGE_TABLE = (
    f"CREATE VIRTUAL TABLE search_message_fts USING fts5(body, content='', {TOKENIZE})"
)
# bm25 column weights: reference, subject, emails. A word in the subject says
# more about a ticket than the same word in one of its messages, hence also
# TICKET_BOOST when ticket and message scores meet.
TICKET_WEIGHTS = "10.0, 5.0, 2.0"
TICKET_BOOST = 2.0
# A word in more messages than this is "common": see _has_common_token.
COMMON_DOCUMENTS = 20_000
# Short words are the likely common ones; a long query probes only its shortest.
MAX_PROBED_TOKENS = 8

INSERT_TICKETS = """
    INSERT INTO search_ticket_fts (rowid, reference, subject, emails)
    SELECT t.id, %s || '-' || t.id, t.subject,
           COALESCE((SELECT group_concat(e.address, ' ') FROM customers_contactemail e
                     WHERE e.contact_id = t.requester_id), '')
    FROM tickets_ticket t
    WHERE t.id BETWEEN %s AND %s AND t.merged_into_id IS NULL
"""
INSERT_MESSAGES = f"""
    INSERT INTO search_message_fts (rowid, body)
    SELECT m.id, substr(m.body, 1, {MAX_INDEXED_CHARS})
    FROM tickets_message m
    WHERE m.id BETWEEN %s AND %s
      AND NOT EXISTS (SELECT 1 FROM search_message_fts_docsize d WHERE d.id = m.id)
"""


def render_term(term: Term) -> str:
    # Tokens are letters and digits only (query.TOKEN_RE), so a double-quoted
    # string cannot contain FTS5 syntax.
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def render_match(query: ParsedQuery) -> str:
    """The FTS5 MATCH expression for a parsed query."""
    required = " AND ".join(
        "(" + " OR ".join(render_term(term) for term in clause) + ")" for clause in query.clauses
    )
    if not query.excluded:
        return required
    excluded = " OR ".join(render_term(term) for term in query.excluded)
    return f"({required}) NOT ({excluded})"


class SQLiteEngine:
    vendor = "sqlite"

    def index_ticket(self, ticket_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_ticket_fts WHERE rowid = %s", [ticket_id])
            cursor.execute(INSERT_TICKETS, [settings.FRONTLINE_REFERENCE_PREFIX,
                                            ticket_id, ticket_id])

    def index_message(self, message_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_MESSAGES, [message_id, message_id])

    def remove_ticket(self, ticket_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_ticket_fts WHERE rowid = %s", [ticket_id])
            _forget_messages(cursor, "m.ticket_id = %s", ticket_id)

    def remove_message(self, message_id: int) -> None:
        with connection.cursor() as cursor:
            _forget_messages(cursor, "m.id = %s", message_id)

    def search(self, query: ParsedQuery, *, candidates: int) -> CandidateSet:
        match = render_match(query)
        with connection.cursor() as cursor:
            ranked = not self._has_common_token(cursor, query)
            score = f"bm25(search_ticket_fts, {TICKET_WEIGHTS})" if ranked else "0"
            cursor.execute(
                f"""SELECT rowid, {score} FROM search_ticket_fts
                    WHERE search_ticket_fts MATCH %s ORDER BY rowid DESC LIMIT %s""",
                [match, candidates],
            )
            ticket_rows = cursor.fetchall()
            score = "bm25(search_message_fts)" if ranked else "0"
            cursor.execute(
                f"""SELECT m.ticket_id, c.id, c.score FROM (
                        SELECT rowid AS id, {score} AS score
                        FROM search_message_fts WHERE search_message_fts MATCH %s
                        ORDER BY rowid DESC LIMIT %s) c
                    JOIN tickets_message m ON m.id = c.id""",
                [match, candidates],
            )
            message_rows = cursor.fetchall()
        # A missing message (deleted since) makes the join drop a row: then we
        # may call a capped set complete, which only affects total_estimate.
        complete = len(ticket_rows) < candidates and len(message_rows) < candidates
        if ranked:
            # bm25 is "lower is better" and negative; we want higher is better.
            found = [Candidate(ticket_id, -score * TICKET_BOOST, None)
                     for ticket_id, score in ticket_rows]
            found += [Candidate(ticket_id, -score, message_id)
                      for ticket_id, message_id, score in message_rows]
        else:
            # Without bm25: ticket fields over messages, newer over older.
            found = [Candidate(ticket_id, 2.0 - n / (10 * candidates), None)
                     for n, (ticket_id, _) in enumerate(ticket_rows)]
            found += [Candidate(ticket_id, 1.0 - n / (10 * candidates), message_id)
                      for n, (ticket_id, message_id, _) in enumerate(message_rows)]
        return CandidateSet(found, complete=complete)

    @staticmethod
    def _has_common_token(cursor: CursorWrapper, query: ParsedQuery) -> bool:
        """Whether a query word is in more than COMMON_DOCUMENTS messages.

        bm25() first counts, for each phrase of the query, every document that
        contains it: the cost grows with the word's frequency, not with our
        LIMIT (about 40 ms per million documents containing it). A word that
        common says next to nothing about relevance, so for such queries we
        rank by field and recency instead. The probe reads at most
        COMMON_DOCUMENTS entries of one word's list.
        """
        terms = query.highlight_terms + query.excluded
        tokens = sorted({token for term in terms for token in term.tokens},
                        key=len)[:MAX_PROBED_TOKENS]
        probe = ("(SELECT rowid FROM search_message_fts WHERE search_message_fts MATCH %s "
                 "ORDER BY rowid DESC LIMIT 1 OFFSET %s)")
        params: list[str | int] = []
        for token in tokens:
            params += [f'"{token}"', COMMON_DOCUMENTS]
        # One statement; coalesce() stops at the first common word.
        cursor.execute(f"SELECT coalesce({', '.join([probe] * len(tokens))}, NULL)", params)
        return cursor.fetchone()[0] is not None

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_ticket_fts")
            cursor.execute(
                "INSERT INTO search_message_fts (search_message_fts) VALUES ('delete-all')")

    def reindex(self, progress: Progress | None, batch_size: int) -> int:
        total = count_rows("tickets_ticket") + count_rows("tickets_message")
        done = indexed = 0
        if progress:
            progress(0, total)
        # Starting from fresh tables also repairs an index that has drifted.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS search_ticket_fts")
            cursor.execute("DROP TABLE IF EXISTS search_message_fts")
            cursor.execute(CREATE_TICKET_TABLE)
            cursor.execute(CREATE_MESSAGE_TABLE)
        # One transaction per batch, so writers (who index their own new messages
        # meanwhile, which INSERT_MESSAGES then skips) wait for a batch, not the rebuild.
        prefix = settings.FRONTLINE_REFERENCE_PREFIX
        for low, high in id_ranges("tickets_ticket", batch_size):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_ticket_fts WHERE rowid BETWEEN %s AND %s",
                               [low, high])
                cursor.execute(INSERT_TICKETS, [prefix, low, high])
                indexed += max(cursor.rowcount, 0)
                cursor.execute("SELECT COUNT(*) FROM tickets_ticket WHERE id BETWEEN %s AND %s",
                               [low, high])
                done += cursor.fetchone()[0]
            if progress:
                progress(min(done, total), total)
        for low, high in id_ranges("tickets_message", batch_size):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(INSERT_MESSAGES, [low, high])
                indexed += max(cursor.rowcount, 0)
                cursor.execute("SELECT COUNT(*) FROM tickets_message WHERE id BETWEEN %s AND %s",
                               [low, high])
                done += cursor.fetchone()[0]
            if progress:
                progress(min(done, total), total)
        with transaction.atomic(), connection.cursor() as cursor:
            # Merge the batch segments into one b-tree per table: fewer segments
            # to visit per query.
            cursor.execute("INSERT INTO search_ticket_fts (search_ticket_fts) VALUES ('optimize')")
            cursor.execute(
                "INSERT INTO search_message_fts (search_message_fts) VALUES ('optimize')")
        if progress:
            progress(total, total)
        return indexed


def _forget_messages(cursor: CursorWrapper, where: str, value: int) -> None:
    """Remove from the message index the messages `where` selects (over
    tickets_message m). A contentless table forgets a document only when told the
    text it indexed; a message never indexed is left alone."""
    cursor.execute(
        f"""INSERT INTO search_message_fts (search_message_fts, rowid, body)
            SELECT 'delete', m.id, substr(m.body, 1, {MAX_INDEXED_CHARS})
            FROM tickets_message m
            WHERE {where}
              AND EXISTS (SELECT 1 FROM search_message_fts_docsize d WHERE d.id = m.id)
        """,
        [value],
    )
