"""Finding customers by name: the organizations and contacts a search names, each
with its most recent tickets, shown above the ticket hits.

Full-text search finds tickets by their words; a customer's name is rarely in
them ("Acme Robotics" found nothing while "acme" found their tickets through the
mail domain). So people are found apart, by the start of a name, an organization
also by the start of one of its mail domains. Each is one index range:
`lower(name)` has an index on both tables (customers' `organization_name_lower`,
`contact_name_lower`), the domain its unique index, so the cost does not grow
with 200,000 contacts. A word in the middle of a name ("Robotics") is not found:
that would read every row.
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
from frontline.tickets.models import Ticket

MIN_LENGTH = 2
MAX_LENGTH = 200
MAX_LIMIT = 20
RECENT_TICKETS = 5

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


def clean_query(query: str) -> str:
    """The query as searched: whitespace collapsed; refused when too long."""
    text = " ".join((query or "").split())
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"Search for at most {MAX_LENGTH} characters.", field="q")
    return text


def find_people(user: User, query: str, *, limit: int = 5) -> People:
    """Organizations (by name or mail domain) and contacts (by name) whose start is
    `query`, at most `limit` of each, by name, each with its RECENT_TICKETS most
    recently updated tickets that `user` may see. Nobody for a user who may not see
    customers, or for fewer than MIN_LENGTH characters."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Ask for between 1 and {MAX_LIMIT} of each.", field="limit")
    text = clean_query(query)
    if len(text) < MIN_LENGTH or not permissions.can_view_customers(user):
        return NOBODY
    by_name = list(_name_starts(Organization.objects.all(), text)
                   .values_list("pk", flat=True)[:limit])
    by_domain: list[int] = []
    if " " not in text:
        by_domain = list(_name_starts(OrganizationDomain.objects.all(), text, "domain")
                         .values_list("organization_id", flat=True)[:limit])
    organization_ids = list(dict.fromkeys(by_name + by_domain))[:limit]
    organizations = Organization.objects.select_related("plan").in_bulk(organization_ids)
    contacts = list(_name_starts(Contact.objects.select_related("organization"), text)[:limit])
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
