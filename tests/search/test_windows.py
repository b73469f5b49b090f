"""The newest matches, found a window at a time, are the newest matches.

PostgreSQL's engine asks the GIN index for one window of recent id blocks at a
time (frontline.search.engines.postgresql, `_newest`). Here the blocks are made a
few ids wide so that a small corpus spans dozens of them, and the answers are
compared with the plain definition of the query language (frontline.search.query:
words required, a phrase is its words in a row, `word*` a prefix, `OR`, `-word`)
worked out in Python over every message, and, on PostgreSQL, with the one
unbounded statement the engine used before. SQLite's FTS5 engine answers the same
questions, so the definition is checked on both engines.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from frontline import workflow
from frontline.search import index
from frontline.search import services as search
from frontline.search.engines import get_engine
from frontline.search.query import ParsedQuery, Term, parse_query, tokens_of
from frontline.tickets.models import Message, MessageKind

# Filler in several languages, with the words of the phrases below scattered
# through it in other orders, so a document holding every word of a phrase is
# not always a match.
SENTENCES = (
    "the customer says export runs but old reports stay blank after the upgrade "
    "bitte prüfen sie den export der rechnungen seit gestern "
    "le tableau de bord reste vide après la mise à jour "
    "el informe tarda demasiado y luego falla sin mensaje "
    "snapshot old too page blank denied permission token "
    "støtte for eksport mangler i den nye versjonen "
    "отчёт не выгружается после обновления "
    "ledger reconciliation drifts by one cent every month",
)
FILLER = [word for sentence in SENTENCES for word in sentence.split()]
# (phrase, how often it is written into a message, where: "all", "old", "new")
PLANTED = (
    ("snapshot too old", 0.30, "all"),
    ("permission denied", 0.12, "all"),
    ("blank page", 0.05, "old"),
    ("api08.sapphire.internal", 0.02, "all"),
    ("INV-2024-00417", 0.01, "old"),
    ("rückerstattung doppelt", 0.04, "new"),
    ("9f86d081884c7d65", 0.008, "all"),
)
QUERIES = (
    '"snapshot too old"', '"too old snapshot"', "snapshot too old", '"blank page"',
    "permission denied", '"permission denied"', "api08.sapphire.internal",
    "INV-2024-00417", '"rückerstattung doppelt"', "9f86d081884c7d65", "recon*",
    "export OR eksport", '"snapshot too old" -blank', "denied -permission",
    "выгружается", "vide", "nowhere-to-be-found", '"old too"',
)
MESSAGES = 260


def matches(tokens: list[str], term: Term) -> bool:
    """A term of the query language against a document's words, by its definition."""
    width = len(term.tokens)
    *body, last = term.tokens
    for start in range(len(tokens) - width + 1):
        window = tokens[start:start + width]
        if window[:-1] == body and (window[-1].startswith(last) if term.prefix
                                    else window[-1] == last):
            return True
    return False


def satisfies(tokens: list[str], query: ParsedQuery) -> bool:
    return (all(any(matches(tokens, term) for term in clause) for clause in query.clauses)
            and not any(matches(tokens, term) for term in query.excluded))


def newest_matching(bodies: dict[int, str], query: ParsedQuery, n: int) -> list[int]:
    found = [pk for pk, body in bodies.items() if satisfies(tokens_of(body), query)]
    return sorted(found, reverse=True)[:n]


@pytest.fixture(params=["windows", "rare"] if connection.vendor == "postgresql" else ["fts5"])
def corpus(request, bob, monkeypatch) -> dict[int, str]:
    """MESSAGES messages of varied length and language on a few tickets, each phrase
    planted at its own rate, some only in the older or the newer half. On PostgreSQL
    indexed with blocks of 4 ids (dozens of windows), and searched either the long
    way (a few dozen documents read in id order, then windows) whatever the
    statistics say, or as the statistics decide (in so small a corpus: every query
    is rare, one lookup)."""
    if connection.vendor == "postgresql":
        from frontline.search.engines import postgresql

        monkeypatch.setattr(postgresql, "WINDOW_IDS", 4)
        monkeypatch.setattr(postgresql, "WALK_FIRST", 12)
        monkeypatch.setattr(postgresql, "WALK_BUDGET", 40)
        monkeypatch.setattr(postgresql, "_statistics", None)
        if request.param == "windows":
            monkeypatch.setattr(postgresql, "RARE_MATCHES", -1)
    rng = random.Random(20261204)
    tickets = [workflow.open_ticket(requester_email="bob@standard.example",
                                    subject=f"Case {n}: {rng.choice(FILLER)} trouble",
                                    body=" ".join(rng.sample(FILLER, 6))) for n in range(5)]
    started = timezone.now() - timedelta(days=30)
    rows = []
    for n in range(MESSAGES):
        words = [rng.choice(FILLER) for _ in range(rng.choice((3, 8, 20, 60)))]
        for phrase, rate, where in PLANTED:
            half = "old" if n < MESSAGES // 2 else "new"
            if where in ("all", half) and rng.random() < rate:
                words.insert(rng.randrange(len(words) + 1), phrase)
        if rng.random() < 0.3:
            words = [word.capitalize() for word in words]
        rows.append(Message(ticket=rng.choice(tickets), kind=MessageKind.INBOUND,
                            author_contact=bob, body=" ".join(words),
                            created_at=started + timedelta(minutes=n)))
    created = Message.objects.bulk_create(rows)
    index.index_new_rows([], [message.pk for message in created])
    if connection.vendor == "postgresql":
        # The tickets' documents and the openers were written with the real block
        # size; write them all again with the small one.
        search.reindex()
    return dict(Message.objects.values_list("pk", "body"))


@pytest.mark.parametrize("typed", QUERIES)
@pytest.mark.parametrize("n", [3, 25, 1000])
def test_the_engine_finds_the_newest_matches_the_language_defines(corpus, typed, n):
    query = parse_query(typed)
    result = get_engine().search(query, candidates=n)
    found = sorted((c.message_id for c in result.candidates if c.message_id is not None),
                   reverse=True)
    assert found == newest_matching(corpus, query, n)


def test_the_corpus_spans_many_windows_and_every_planted_phrase_is_there(corpus):
    if connection.vendor == "postgresql":
        from frontline.search.engines import postgresql

        assert (max(corpus) - min(corpus)) // postgresql.WINDOW_IDS > 50
    for phrase, _, _ in PLANTED:
        assert newest_matching(corpus, parse_query(f'"{phrase}"'), 1000)
    assert not newest_matching(corpus, parse_query('"too old snapshot"'), 1000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's windows")
@pytest.mark.parametrize("typed", QUERIES)
@pytest.mark.parametrize("n", [3, 25, 1000])
def test_windows_give_what_one_unbounded_statement_gives(corpus, typed, n):
    """The same documents with the same scores as the single statement used before
    the blocks, scored on the document as it was then (without its block lexeme)."""
    from frontline.search.engines import postgresql

    tsquery = postgresql.render_tsquery(parse_query(typed))
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT m.ticket_id, c.message_id,
                       ts_rank(to_tsvector('simple', regexp_replace(
                           left(m.body, 100000), %(separators)s, ' ', 'g')),
                           to_tsquery('simple', %(q)s), 1)
                FROM (SELECT message_id FROM search_messagedocument
                      WHERE document @@ to_tsquery('simple', %(q)s)
                      ORDER BY message_id DESC LIMIT %(n)s) c
                JOIN tickets_message m ON m.id = c.message_id""",
            {"q": tsquery, "n": n, "separators": postgresql.SEPARATORS})
        plain = sorted((message_id, ticket_id, round(score, 6))
                       for ticket_id, message_id, score in cursor.fetchall())
        cursor.execute(
            """SELECT ticket_id FROM search_ticketdocument
               WHERE document @@ to_tsquery('simple', %(q)s)
               ORDER BY ticket_id DESC LIMIT %(n)s""", {"q": tsquery, "n": n})
        plain_tickets = sorted(row[0] for row in cursor.fetchall())
    result = get_engine().search(parse_query(typed), candidates=n)
    windowed = sorted((c.message_id, c.ticket_id, round(c.score, 6))
                      for c in result.candidates if c.message_id is not None)
    assert windowed == plain
    assert sorted(c.ticket_id for c in result.candidates if c.message_id is None) == plain_tickets
    assert result.complete == (len(plain) < n and len(plain_tickets) < n)


def test_a_common_phrase_is_ranked_among_its_newest_matches_only(corpus, lena):
    """What the desk and API show: the newest 500 are ranked, one hit per ticket."""
    results = search.search_tickets(lena, '"snapshot too old"')
    assert {hit.ticket.pk for hit in results.hits} == set(
        Message.objects.filter(pk__in=newest_matching(corpus, parse_query(
            '"snapshot too old"'), search.CANDIDATES)).values_list("ticket_id", flat=True))
    assert results.total_estimate == len(results.hits)


def test_a_ticket_written_after_the_blocks_changed_size_is_still_found(corpus, lena, bob):
    """New documents get their block lexeme as they are written (index_ticket,
    index_message), not only from a rebuild."""
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Zeppelin gateway refuses uploads",
                                  body="Since Monday the zeppelin gateway says 413.")
    assert [hit.ticket for hit in search.search_tickets(lena, "zeppelin").hits] == [ticket]
    reply = workflow.add_reply(ticket, lena, "Raise the gateway's body limit to 50 MB.")
    [hit] = search.search_tickets(lena, '"body limit"').hits
    assert (hit.ticket, hit.matched) == (ticket, "message")
    assert Message.objects.filter(pk=reply.pk).exists()


def test_the_index_lookup_leaves_out_very_common_words_phrase_order_and_exclusions():
    from frontline.search.engines.postgresql import render_index_tsquery

    common = frozenset({"internal", "the", "and"})
    assert render_index_tsquery(parse_query("api08.sapphire.internal"), common) == (
        "(('api08' & 'sapphire'))")
    # A term of very common words only keeps them all: something must narrow it.
    assert render_index_tsquery(parse_query('"the and" crash* -internal'), common) == (
        "(('the' & 'and')) & (('crash':*))")
    assert render_index_tsquery(parse_query("export OR import the"), common) == (
        "(('export') | ('import')) & (('the'))")


def test_the_statistics_bound_a_query_by_its_rarest_words():
    from frontline.search.engines.postgresql import WordStatistics

    statistics = WordStatistics({"internal": 0.36, "snapshot": 0.0125, "too": 0.05,
                                 "old": 0.07, "export": 0.11, "import": 0.09},
                                floor=0.0003, documents=4_000_000)
    assert statistics.very_common == {"internal", "export"}
    # A phrase or a pair matches no more documents than its rarest word holds...
    assert statistics.most_matches(parse_query('"snapshot too old"')) == pytest.approx(50_000)
    assert statistics.most_matches(parse_query("old snapshot")) == pytest.approx(50_000)
    # ...a word the statistics do not name is rarer than every word they do...
    assert statistics.most_matches(parse_query("api08.sapphire.internal")) == pytest.approx(1_200)
    # ...either side of OR may match, and a prefix is not known at all.
    assert statistics.most_matches(parse_query("export OR import")) == pytest.approx(800_000)
    assert statistics.most_matches(parse_query("crash*")) == pytest.approx(4_000_000)
    assert statistics.most_matches(parse_query("crash* timout")) == pytest.approx(1_200)
