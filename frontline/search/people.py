"""Finding customers by name: the organizations and contacts a search names, each
with its most recent tickets, shown above the ticket hits.

Full-text search finds tickets by their words; a customer's name is rarely in
them ("Acme Robotics" found nothing while "acme" found their tickets through the
mail domain). So people are found apart, by any word of their name: every word
typed must start a word of the name, case and accents folded ("rob" finds "Acme
Robotics", "ines" finds "Inês", "moreno al" finds "Alice Moreno"). Names that start
with what was typed come first (also across punctuation: "o'br" finds "O'Brien"),
an organization is also found by the start of one of its mail domains.

Each lookup is an index read, so the cost does not grow with 200,000 contacts:
the start of a name is a range of the `lower(name)` index (customers'
`organization_name_lower`, `contact_name_lower`), the domain its unique index, and
the words a word index kept by the database (search migration 0003: FTS5 tables on
SQLite, GIN on PostgreSQL). The word lookup reads at most WORD_CANDIDATES matches
before sorting them by name, so a one-letter word costs no more than a rare one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar, cast

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.models import Contact, Organization, OrganizationDomain
from frontline.search.query import fold, tokens_of
from frontline.tickets.models import Ticket

MIN_LENGTH = 2
MAX_LENGTH = 200
MAX_LIMIT = 20
RECENT_TICKETS = 5
# Word matches read before ordering by name; more words than this are not looked up.
WORD_CANDIDATES = 200
MAX_WORDS = 8
# The word index of each table (search migration 0003).
SQLITE_WORD_TABLES = {"customers_contact": "search_contact_name_fts",
                      "customers_organization": "search_organization_name_fts"}

R = TypeVar("R", bound=models.Model)


@dataclass(frozen=True)
class OrganizationCard:
    organization: Organization
    recent_tickets: list[Ticket] = field(default_factory=list)


@dataclass(frozen=True)
class ContactCard:
    contact: Contact
    recent_tickets: list[Ticket] = field(default_factory=list)


@dataclass(frozen=True)
class People:
    organizations: list[OrganizationCard]
    contacts: list[ContactCard]

    def __bool__(self) -> bool:
        return bool(self.organizations or self.contacts)


NOBODY = People([], [])


def _prefix_ranges(text: str) -> list[tuple[str, str]]:
    """[low, high) ranges of lower-cased values that start with `text`. SQLite's
    lower() folds ASCII letters only, so there "Ölwerk" is stored in the index as
    "Ölwerk": the ASCII-only folding of what was typed is asked for too."""
    spellings = {text.lower()}
    if connection.vendor == "sqlite":
        spellings.add("".join(c.lower() if c.isascii() else c for c in text))
        spellings.add("".join(c.lower() if c.isascii() else c for c in text.capitalize()))
    return [(low, low[:-1] + chr(ord(low[-1]) + 1)) for low in spellings if low]


def _name_starts(rows: QuerySet[R], text: str, column: str = "name") -> QuerySet[R]:
    """Rows whose `column` starts with `text`, any case, as index ranges on lower(column),
    in that order.
    The startswith check keeps what a collation's range would add (PostgreSQL's
    language collations order "acm-e" between "acme" and "acmf")."""
    match = Q()
    for low, high in _prefix_ranges(text):
        match |= Q(lowered__gte=low, lowered__lt=high, lowered__startswith=low)
    # alias() loses the row type in django-stubs; the rows are still R.
    return cast("QuerySet[R]", rows.alias(lowered=Lower(column)).filter(match)
                .order_by("lowered", "id"))


def _word_matches(model: type[R], text: str) -> list[int]:
    """Ids of up to WORD_CANDIDATES rows of `model` each of whose words of `text` starts
    a word of the row's name, accents and case folded, through the word index."""
    words = list(dict.fromkeys(fold(token) for token in tokens_of(text)))[:MAX_WORDS]
    if not words:
        return []
    table = model._meta.db_table
    # Tokens are runs of letters and digits (query.TOKEN_RE): nothing to escape.
    if connection.vendor == "sqlite":
        words_table = SQLITE_WORD_TABLES[table]
        sql = f"SELECT rowid FROM {words_table} WHERE {words_table} MATCH %s LIMIT %s"
        search = " AND ".join(f'"{word}"*' for word in words)
    elif connection.vendor == "postgresql":
        sql = (f"SELECT id FROM {table} WHERE to_tsvector('simple', frontline_fold(name)) "
               f"@@ to_tsquery('simple', %s) LIMIT %s")
        search = " & ".join(f"'{word}':*" for word in words)
    else:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [search, WORD_CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


def _named(rows: QuerySet[R], text: str, limit: int) -> list[R]:
    """Up to `limit` rows whose name starts with `text`, then rows that have its
    words, each group by name."""
    starts = list(_name_starts(rows, text)[:limit])
    seen = {row.pk for row in starts}
    ids = [pk for pk in _word_matches(rows.model, text) if pk not in seen]
    if len(starts) >= limit or not ids:
        return starts
    # Sorted here, not by the database: given "ORDER BY lower(name) LIMIT 5",
    # PostgreSQL walks the whole lower(name) index looking for these few ids.
    names = rows.model._default_manager.filter(pk__in=ids).values_list("pk", "name")
    chosen = [pk for _name, pk in sorted((name.lower(), pk) for pk, name in names)]
    chosen = chosen[:limit - len(starts)]
    found = rows.in_bulk(chosen)
    return starts + [found[pk] for pk in chosen if pk in found]


def clean_query(query: str) -> str:
    """The query as searched: whitespace collapsed; refused when too long."""
    text = " ".join((query or "").split())
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"Search for at most {MAX_LENGTH} characters.", field="q")
    return text


def find_people(user: User, query: str, *, limit: int = 5) -> People:
    """Organizations (by name or mail domain) and contacts (by name) that `query`
    names (see the module's docstring), at most `limit` of each, each with its
    RECENT_TICKETS most recently updated tickets that `user` may see. Nobody for a
    user who may not see customers, or for fewer than MIN_LENGTH characters."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Ask for between 1 and {MAX_LIMIT} of each.", field="limit")
    text = clean_query(query)
    if len(text) < MIN_LENGTH or not permissions.can_view_customers(user):
        return NOBODY
    by_name = [organization.pk for organization in
               _named(Organization.objects.all(), text, limit)]
    by_domain: list[int] = []
    if " " not in text:
        by_domain = list(_name_starts(OrganizationDomain.objects.all(), text, "domain")
                         .values_list("organization_id", flat=True)[:limit])
    organization_ids = list(dict.fromkeys(by_name + by_domain))[:limit]
    organizations = Organization.objects.select_related("plan").in_bulk(organization_ids)
    contacts = _named(Contact.objects.select_related("organization"), text, limit)
    visible = permissions.visible_tickets(user, Ticket.objects.filter(merged_into__isnull=True))
    return People(
        organizations=[
            OrganizationCard(organizations[pk], _recent(visible.filter(organization_id=pk)))
            for pk in organization_ids if pk in organizations],
        contacts=[ContactCard(contact, _recent(visible.filter(requester_id=contact.pk)))
                  for contact in contacts],
    )


def _recent(tickets: QuerySet[Ticket]) -> list[Ticket]:
    """One card's most recent tickets: a walk of (organization|requester, updated_at)."""
    return list(tickets.order_by("-updated_at", "-id")[:RECENT_TICKETS])
