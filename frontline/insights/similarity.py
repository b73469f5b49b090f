"""Similar tickets: which tickets are about the same thing as this one, and why.

    similar_tickets(ticket, limit=5, user=None) -> [Similar(ticket, score, reasons)]
    neighbours(query, within=None) -> {ticket id: Match(score, shared terms)}

The backend (`Backend`) is the term index of frontline.insights.signatures; an
embedding backend can take its place by implementing the same protocol
(`set_backend`), and the desk, the API and detection do not change.

How the term backend finds and scores (per lookup, whatever the number of tickets):
1. the ticket's signature is read again from its text (the reasons are shown in
   its own words), its terms weighed by inverse document frequency (one query);
2. the PROBES heaviest terms that are not common (in more than COMMON_SHARE of
   all tickets; error codes and versions are always probed) are looked up in
   the (term, at, ticket) index, the newest POSTINGS tickets each, or those
   within a window of ticket times for detection: at most PROBES small index
   range scans;
3. a candidate's score is the share of the ticket's signature weight it shares
   (0..1): a ticket sharing the error code, the version and two rare words of a
   ticket scores high whatever else either says.
The page then puts active and recent tickets first among good matches
(`rank`), keeps only those the user may see, and loads the few it shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from frontline.core import permissions
from frontline.core.models import User
from frontline.insights import signatures
from frontline.insights.models import TicketTerm
from frontline.tickets.models import Ticket
from frontline.tickets.taxonomy import ACTIVE_STATUSES

PROBES = 12
POSTINGS = 400
COMMON_SHARE = 0.02
# Below this share of the ticket's signature weight, a match is a coincidence.
MIN_SCORE = 0.12
CANDIDATES_LOADED = 15
# Detection reads more: a burst of one failure can be larger than a page.
NEIGHBOURS = 200
REASONS = 4
# What a list of similar tickets shows (a ticket row has forty columns).
SHOWN_FIELDS = ("id", "subject", "status", "tier", "created_at", "updated_at", "merged_into",
                "organization__id", "organization__name")


@dataclass(frozen=True)
class Similar:
    ticket: Ticket
    score: float  # 0..1: the share of this ticket's signature weight the other shares
    reasons: list[str]  # as shown: ["ORA-01722", "export", "Ledger 5.1"]


@dataclass
class Query:
    """A ticket's signature, weighed, ready to look up."""

    signature: signatures.Signature
    weights: dict[str, float]
    counts: dict[str, int]
    total: int

    @property
    def mass(self) -> float:
        return sum(self.weights.values())


@dataclass
class Match:
    score: float
    shared: list[str]


def query_for(ticket: Ticket) -> Query:
    """The ticket's signature from its text (two or three queries), weighed now."""
    signature, stored = signatures.one_signature(ticket)
    weights, counts, total = signatures.weights(signature.terms, stored=stored)
    return Query(signature, weights, counts, total)


def probe_terms(query: Query) -> list[str]:
    common = max(COMMON_SHARE * query.total, 50)
    usable = [term for term, weight in query.weights.items() if weight > 0 and (
        query.counts.get(term, 0) <= common or signatures.kind(term) in ("#", "@v"))]
    return sorted(usable, key=lambda term: -query.weights[term])[:PROBES]


def _scored(query: Query, terms: list[str], within: tuple[datetime, datetime] | None,
            postings: int, limit: int) -> list[tuple[int, float, int]]:
    """[(ticket id, summed weight, bit mask of the shared terms)], best first, at
    most `limit`: one statement, each term's newest `postings` index entries (in
    the window when given) added up by the database. Terms are distinct per
    ticket, so a sum of bits is their union."""
    table = TicketTerm._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    window = ""
    if within is not None:
        window = " AND at >= %s AND at <= %s"
    for bit, term in enumerate(terms):
        parts.append(f"SELECT * FROM (SELECT ticket_id, %s AS w, %s AS b FROM {table} "
                     f"WHERE term = %s{window} ORDER BY at DESC LIMIT %s) AS p{bit}")
        params += [query.weights[term], 1 << bit, term]
        if within is not None:
            params += [connection.ops.adapt_datetimefield_value(moment) for moment in within]
        params.append(postings)
    sql = (f"SELECT ticket_id, SUM(w) AS score, SUM(b) AS bits FROM ({' UNION ALL '.join(parts)})"
           f" AS postings WHERE ticket_id <> %s GROUP BY ticket_id ORDER BY score DESC, "
           f"ticket_id DESC LIMIT %s")
    params += [query.signature.ticket_id, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(row[0]), float(row[1]), int(row[2])) for row in cursor.fetchall()]


def neighbours(query: Query, *, within: tuple[datetime, datetime] | None = None,
               postings: int = POSTINGS, limit: int = NEIGHBOURS) -> dict[int, Match]:
    """The `limit` tickets sharing the most weight with the query's ticket (not
    itself), with their score (0..1) and the terms they share, heaviest first."""
    mass = query.mass
    terms = probe_terms(query)
    if mass <= 0 or not terms:
        return {}
    found = {}
    for ticket_id, weight, bits in _scored(query, terms, within, postings, limit):
        shared = [term for bit, term in enumerate(terms) if bits & (1 << bit)]
        found[ticket_id] = Match(weight / mass, shared)
    return found


def reasons(query: Query, shared: Iterable[str]) -> list[str]:
    """The shared terms as shown: error codes, then words (heaviest first), then
    the version (or the product when no version is shared)."""
    terms = list(shared)
    codes = [t for t in terms if signatures.kind(t) == "#"]
    words = sorted((t for t in terms if signatures.kind(t) == ""),
                   key=lambda t: -query.weights.get(t, 0))
    versions = [t for t in terms if signatures.kind(t) == "@v"]
    products = [t for t in terms if signatures.kind(t) == "@p"] if not versions else []
    chosen = codes[:2] + words[: max(1, REASONS - len(codes[:2]) - 1)] + (versions or products)[:1]
    return [query.signature.shown.get(t, t) for t in chosen][:REASONS]


class Backend(Protocol):
    """What finds similar tickets: [(ticket id, score 0..1, reasons)], best first,
    at most `limit`, from the tickets in `among` (any when None)."""

    def similar(self, ticket: Ticket, *, limit: int) -> list[tuple[int, float, list[str]]]: ...


class TermBackend:
    """The term index (frontline.insights.signatures)."""

    def similar(self, ticket: Ticket, *, limit: int) -> list[tuple[int, float, list[str]]]:
        query = query_for(ticket)
        found = neighbours(query, limit=limit)
        good = [(ticket_id, match) for ticket_id, match in found.items()
                if match.score >= MIN_SCORE]
        good.sort(key=lambda item: (-item[1].score, -item[0]))
        return [(ticket_id, round(min(match.score, 1.0), 3), reasons(query, match.shared))
                for ticket_id, match in good[:limit]]


_backend: Backend = TermBackend()


def set_backend(backend: Backend) -> None:
    """Use another way of finding similar tickets (an embedding index, later)."""
    global _backend
    _backend = backend


def rank(score: float, ticket: Ticket, now: datetime) -> float:
    """Active and recent tickets first among good matches: an active ticket counts
    a quarter more, and a match loses up to half its score with age (half-life
    of about three months), so a strong old match still beats a weak new one."""
    age_days = max((now - ticket.created_at) / timedelta(days=1), 0.0)
    active = 1.25 if ticket.status in ACTIVE_STATUSES else 1.0
    return score * active * (0.5 + 0.5 * math.exp(-age_days / 130))


def similar_tickets(ticket: Ticket, limit: int = 5, *, user: User | None = None,
                    ) -> list[Similar]:
    """The tickets most like `ticket` (active and recent first among good matches),
    each with why; only those `user` may see when given. Merged-away tickets and
    the ticket itself are left out."""
    found = _backend.similar(ticket, limit=max(CANDIDATES_LOADED, 3 * limit))
    if not found:
        return []
    ids = [ticket_id for ticket_id, _, _ in found]
    tickets = Ticket.objects.filter(pk__in=ids, merged_into__isnull=True)
    if user is not None:
        tickets = permissions.visible_tickets(user, tickets)
    loaded = tickets.select_related("organization").only(*SHOWN_FIELDS).in_bulk()
    now = timezone.now()
    results = [Similar(loaded[ticket_id], score, why) for ticket_id, score, why in found
               if ticket_id in loaded and ticket_id != ticket.pk]
    results.sort(key=lambda item: (-rank(item.score, item.ticket, now), -item.ticket.pk))
    return results[:limit]
