"""A ticket's signature: what it is about, as terms that can be looked up.

    signature_of(ticket, message) -> Signature   # pure reading, no writes
    build(tickets) -> int                        # store signatures (and term counts)
    weights(terms) -> {term: weight}             # inverse document frequency, now

The text is the subject and the first customer message's new statement (no
quoted history, no signature: frontline.intake.extract.new_statement), split
into words the way the search index splits them (frontline.search.query). The
terms, each a short string:

- error codes, by the extractor's own rules (extract.error_codes): "#ORA01722"
  (letters and digits only, so "ORA-01722" and "ORA 01722" are one code);
- the product and version: the ticket's fields, else the facts the intake read
  ("@p:ledger", "@v:ledger 5.1");
- words: folded (case and accents, as the index does), stop words of English
  and German and the everyday words of support mail left out, crudely stemmed
  ("exports", "exporting", "exported" are "export"), at most MAX_WORDS of them
  (the subject's first).

Why terms in a table and weights at lookup time: a lookup reads the postings of
a few rare terms of the ticket from the (term, at, ticket) index, a few hundred
index entries each, whatever the number of tickets; that is what keeps it
within milliseconds at a million tickets (bench/similar.py). The weight of a
term is its inverse document frequency, ln(1 + N / df), with N and df read
from TermStat when the lookup runs: a weight stored with each ticket would go
stale as the corpus grows, and during a backfill the first tickets would carry
weights computed from a handful of documents. Kinds weigh differently on top
(KIND_BOOST): a shared error code says more than a shared word.

Pure text work is done in Python, per ticket; the model needs nothing but what
the project already holds, and an embedding backend can replace the lookup
(frontline.insights.similarity.Backend).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, F, Min, Q
from django.utils import timezone

from frontline.insights.models import TermStat, TicketSignature, TicketTerm
from frontline.intake import extract
from frontline.intake.models import TicketFact
from frontline.search.query import TOKEN_RE, fold
from frontline.tickets.models import Message, MessageKind, Ticket

# Words enough to say what a ticket is about; more is mostly pasted logs.
MAX_WORDS = 32
MAX_TEXT = 4000
MAX_TERM = 64
TOTAL = ""  # TermStat's row counting the signatures

KIND_BOOST = {"#": 3.0, "@v": 1.5, "@p": 0.5, "": 1.0}

# Function words of English and German, and the words every support mail uses
# ("hello", "issue", "please"), which say nothing about what went wrong.
_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can cannot could did do does doing done down during each
few for from further had has have having he her here hers him his how i if in into is it its
itself just let me more most my no nor not now of off on once only or other our ours out over
own same she should so some such than that the their theirs them then there these they this
those through to too under until up very was we were what when where which while who whom
why will with would you your yours get got getting still since already yet even back anymore
hello hi hey dear thanks thank thx please regards best kind cheers team support help issue
issues problem problems question questions ticket request today yesterday tomorrow morning
afternoon week again sure need needs want like know tried try trying see seems seem way use
using used one two able time times day days anyone someone something anything everything
aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin
bis bist da damit dann das dass dein deine dem den der des dessen die dies diese diesem
diesen dieser dieses doch dort du durch ein eine einem einen einer eines er es etwas euch
euer für gegen gewesen hab habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre
im in indem ins ist jede jedem jeden jeder jetzt kann kannst können könnte machen man manche
mehr mein meine mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr
sein seine selbst sich sie sind so solche soll sollte sondern sonst über um und uns unser
unter viel vom von vor war waren warum was weg weil weiter welche wenn wer werde werden wie
wieder will wir wird wirklich wo wollen würde zu zum zur zwar zwischen hallo guten tag danke
bitte gruss grusse gruesse freundlichen viele vielen liebe frage fragen problem anfrage
ticket heute gestern morgen seit schon immer leider mal gibt geht gehen ging
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# German and English endings, longest first; a stem keeps at least MIN_STEM letters.
SUFFIXES = ("ungen", "ieren", "ung", "ing", "iert", "ed", "en", "er", "es", "s", "e")
MIN_STEM = 4
_NOT_WORD = re.compile(r"[^a-z0-9]")


@dataclass
class Signature:
    ticket_id: int
    at: datetime
    organization_id: int | None
    customer_key: int
    failure: bool
    terms: list[str] = field(default_factory=list)
    # How each term reads in this ticket's own words ("#ORA01722" -> "ORA-01722").
    shown: dict[str, str] = field(default_factory=dict)


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """[(term, word as written)] of `text`, in order, each term once."""
    seen: dict[str, str] = {}
    for match in TOKEN_RE.finditer(text):
        written = match.group()
        token = fold(written)
        if (len(token) < 3 or len(token) > 40 or token in STOP_WORDS
                or not any(ch.isalpha() for ch in token)):
            continue
        # Mixed letters and digits (hosts, invoice and request numbers) are
        # one-off: they match nothing and would crowd out the words.
        if sum(ch.isdigit() for ch in token) > 1:
            continue
        term = stem(token)
        if term not in seen and term not in STOP_WORDS:
            seen[term] = written.lower()
    return list(seen.items())


def code_term(code: str) -> str:
    return "#" + _NOT_WORD.sub("", code.lower())[: MAX_TERM - 1]


def product_terms(product: str, version: str) -> list[tuple[str, str]]:
    found = []
    if product:
        found.append(("@p:" + product.casefold()[:60], product))
        if version:
            found.append((f"@v:{product.casefold()} {version.casefold()}"[:MAX_TERM],
                          f"{product} {version}"))
    return found


def kind(term: str) -> str:
    if term.startswith("#"):
        return "#"
    if term.startswith("@v:"):
        return "@v"
    if term.startswith("@p:"):
        return "@p"
    return ""


def customer_key(ticket: Ticket) -> int:
    return ticket.organization_id if ticket.organization_id else -ticket.requester_id


def signature_of(ticket: Ticket, message: Message | None,
                 product: str = "", version: str = "") -> Signature:
    """The signature of `ticket` with its first customer message (pure; no query
    unless the ticket's product is to be read from its relations)."""
    body = (message.body_reply or message.body) if message is not None else ""
    statement = extract.new_statement(body[:extract.MAX_INPUT])[:MAX_TEXT]
    codes = extract.error_codes(ticket.subject + "\n" + statement)
    signature = Signature(ticket_id=ticket.pk, at=ticket.created_at,
                          organization_id=ticket.organization_id,
                          customer_key=customer_key(ticket),
                          failure=bool(codes) or extract.names_an_error(statement))
    terms: dict[str, str] = {}
    keys = [code_term(code) for code in codes]
    for code, key in zip(codes, keys, strict=True):
        # "error 502" and "HTTP 502" in one message are one code, read by two rules.
        if not any(other != key and other.endswith(key[1:]) for other in keys):
            terms.setdefault(key, code)
    for term, shown in product_terms(product, version):
        terms.setdefault(term, shown)
    added = 0
    for term, shown in words(ticket.subject + "\n" + statement):
        if added >= MAX_WORDS:
            break
        if term not in terms:
            terms[term] = shown
            added += 1
    signature.terms = list(terms)
    signature.shown = terms
    return signature


# -- reading many tickets at once -----------------------------------------------------


def first_messages(ticket_ids: Sequence[int]) -> dict[int, Message]:
    """Each ticket's first message from the customer, the one it was opened with (two
    queries). A ticket we opened (an advisory) starts with ours, which tells nothing
    about the customer's trouble: their first answer is what counts."""
    first = dict(Message.objects.filter(ticket_id__in=ticket_ids)
                 .exclude(kind__in=(MessageKind.OUTBOUND, MessageKind.NOTE)).values("ticket_id")
                 .annotate(first=Min("id")).values_list("ticket_id", "first"))
    messages = Message.objects.only("id", "ticket_id", "body", "body_reply").in_bulk(
        list(first.values()))
    return {ticket_id: messages[message_id] for ticket_id, message_id in first.items()
            if message_id in messages}


def products_of(tickets: Sequence[Ticket]) -> dict[int, tuple[str, str]]:
    """{ticket id: (product, version)}: the ticket's fields, else its intake facts."""
    found: dict[int, tuple[str, str]] = {}
    missing = []
    for ticket in tickets:
        product = ticket.product.name if ticket.product_id and ticket.product else ""
        version = ticket.version.name if ticket.version_id and ticket.version else ""
        found[ticket.pk] = (product, version)
        if not product or not version:
            missing.append(ticket.pk)
    if missing:
        facts: dict[int, dict[str, str]] = {}
        for ticket_id, key, value in TicketFact.objects.filter(
                ticket_id__in=missing, key__in=("product", "version")).values_list(
                    "ticket_id", "key", "value"):
            facts.setdefault(ticket_id, {})[key] = value
        for ticket_id, known in facts.items():
            product, version = found[ticket_id]
            found[ticket_id] = (product or known.get("product", ""),
                                version or known.get("version", ""))
    return found


def load_signatures(tickets: Sequence[Ticket]) -> list[Signature]:
    messages = first_messages([ticket.pk for ticket in tickets])
    products = products_of(tickets)
    return [signature_of(ticket, messages.get(ticket.pk), *products[ticket.pk])
            for ticket in tickets]


def one_signature(ticket: Ticket) -> tuple[Signature, bool]:
    """The signature of one ticket, and whether it is stored: one query (two when
    the product or version is known only from the intake's facts)."""
    first = (Message.objects.filter(ticket_id=ticket.pk).order_by("id")
             .annotate(stored=Exists(TicketSignature.objects.filter(pk=ticket.pk)),
                       product_name=F("ticket__product__name"),
                       version_name=F("ticket__version__name"))
             .only("id", "ticket_id", "body", "body_reply").first())
    product = (first.product_name or "") if first is not None else ""
    version = (first.version_name or "") if first is not None else ""
    if not product or not version:
        known = dict(TicketFact.objects.filter(ticket_id=ticket.pk, key__in=("product", "version"))
                     .values_list("key", "value"))
        product = product or known.get("product", "")
        version = version or known.get("version", "")
    stored = bool(first.stored) if first is not None else False
    return signature_of(ticket, first, product, version), stored


def tickets_for_signatures(ticket_ids: Iterable[int]) -> list[Ticket]:
    return list(Ticket.objects.filter(pk__in=list(ticket_ids))
                .select_related("product", "version").order_by("pk"))


# -- storing --------------------------------------------------------------------------


@transaction.atomic
def store(signatures: Sequence[Signature], *, now: datetime | None = None) -> int:
    """Write these signatures (replacing any earlier ones of the same tickets) and
    count their terms in TermStat. Returns how many were written."""
    if not signatures:
        return 0
    now = now or timezone.now()
    ids = [signature.ticket_id for signature in signatures]
    old_terms = list(TicketTerm.objects.filter(ticket_id__in=ids).values_list("term", flat=True))
    replaced = TicketSignature.objects.filter(ticket_id__in=ids).count()
    if old_terms or replaced:
        TicketTerm.objects.filter(ticket_id__in=ids).delete()
        TicketSignature.objects.filter(ticket_id__in=ids).delete()
        _count(_tally(old_terms), -1)
        _count({TOTAL: replaced}, -1)
    TicketSignature.objects.bulk_create([
        TicketSignature(ticket_id=s.ticket_id, at=s.at, organization_id=s.organization_id,
                        customer_key=s.customer_key, failure=s.failure, terms=len(s.terms),
                        built_at=now) for s in signatures])
    TicketTerm.objects.bulk_create(
        [TicketTerm(ticket_id=s.ticket_id, term=term, at=s.at)
         for s in signatures for term in s.terms], batch_size=5000)
    _count(_tally([term for s in signatures for term in s.terms]), 1)
    _count({TOTAL: len(signatures)}, 1)
    return len(signatures)


def _tally(terms: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for term in terms:
        counts[term] = counts.get(term, 0) + 1
    return counts


def _count(counts: dict[str, int], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these counts, one statement per chunk (the
    same SQL on SQLite and PostgreSQL). Adding is an upsert (INSERT ... ON CONFLICT DO
    UPDATE); taking away is an UPDATE ... FROM (VALUES ...) of rows that are there:
    both engines test CHECK (tickets >= 0) on the row an INSERT proposes, before the
    conflict is seen, so an upsert of a negative count is refused, always."""
    table = TermStat._meta.db_table
    # In term order: two workers building at once lock the shared rows in the same
    # order, so neither waits on the other in a cycle (a deadlock on PostgreSQL).
    items = [(term, count) for term, count in sorted(counts.items()) if count]
    with connection.cursor() as cursor:
        for start in range(0, len(items), 400):
            chunk = items[start:start + 400]
            params: list[str | int] = [value for item in chunk for value in item]
            if sign > 0:
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} (term, tickets) VALUES {values} ON CONFLICT (term) "
                    f"DO UPDATE SET tickets = {table}.tickets + excluded.tickets", params)
                continue
            # The column names of a VALUES list differ between the engines: name them.
            values = ", ".join(["(CAST(%s AS TEXT), CAST(%s AS INTEGER))"] * len(chunk))
            cursor.execute(
                f"WITH gone (term, tickets) AS (VALUES {values}) "
                f"UPDATE {table} SET tickets = {table}.tickets - gone.tickets FROM gone "
                f"WHERE {table}.term = gone.term", params)


@transaction.atomic
def build(ticket_ids: Sequence[int]) -> list[Signature]:
    """Read and store the signatures of these tickets; returns them.

    Two workers may pick the same pending tickets (the periodic run and a new
    ticket's own task): each builds only the tickets whose rows it could lock, and
    the other skips them, so a signature is never written twice at once. (SQLite
    has no row locks; its writers take turns anyway.)"""
    locked = list(Ticket.objects.select_for_update(skip_locked=True, no_key=True)
                  .filter(pk__in=list(ticket_ids)).values_list("pk", flat=True))
    signatures = load_signatures(tickets_for_signatures(locked))
    store(signatures)
    return signatures


def stored_terms(ticket_id: int) -> list[str]:
    return list(TicketTerm.objects.filter(ticket_id=ticket_id).values_list("term", flat=True))


# -- weights ----------------------------------------------------------------------------


def weights(terms: Iterable[str], *, stored: bool = True,
            ) -> tuple[dict[str, float], dict[str, int], int]:
    """({term: weight}, {term: tickets with it}, signatures in all), read now.

    weight = KIND_BOOST[kind] * ln(1 + N / df). A term no other ticket has (df
    at most 1 when the ticket's own signature is `stored`) weighs nothing: no
    other ticket can share it, and counting it would only shrink every score."""
    wanted = list(dict.fromkeys(terms))
    counts = dict(TermStat.objects.filter(Q(term__in=wanted) | Q(term=TOTAL))
                  .values_list("term", "tickets"))
    total = max(counts.pop(TOTAL, 0), 1)
    found = {}
    for term in wanted:
        df = counts.get(term, 0)
        found[term] = (0.0 if df <= int(stored)
                       else KIND_BOOST[kind(term)] * math.log(1 + total / df))
    return found, counts, total
