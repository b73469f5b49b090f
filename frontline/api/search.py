"""Full-text search over tickets and their messages (frontline.search.services), and
people by name (frontline.search.people)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES, Text
from frontline.api.tickets import TicketOut, ticket_out, tickets_for_api
from frontline.core.errors import InvalidInput
from frontline.customers.models import OrganizationDomain
from frontline.search import people
from frontline.search.query import MAX_QUERY_LENGTH
from frontline.search.services import MAX_LIMIT, MAX_OFFSET, Matched, search_tickets
from frontline.tickets.models import Ticket

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: Annotated[Text, Field(min_length=1, max_length=MAX_QUERY_LENGTH)] = Field(
        description="Words to find; a reference (FL-10427) or a requester's email finds "
                    "those tickets first.")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0


class SearchHitOut(Schema):
    ticket: TicketOut
    rank: float
    snippet: str = Field(description="Safe HTML: escaped text, matched words in <mark>.")
    matched: Matched


class SearchResultsOut(Schema):
    hits: list[SearchHitOut]
    total_estimate: int | None = Field(description="How many tickets match, when known "
                                                   "exactly; null when there are more than "
                                                   "were ranked.")
    next_offset: int | None = Field(description="Pass as `offset` for more; null at the end.")


@router.get("/search", response={200: SearchResultsOut, **ERROR_RESPONSES})
def search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    """Tickets matching `q`, best first, only those you may see (one hit per ticket)."""
    if not filters.q.strip():
        raise InvalidInput("Say what to search for.", field="q")
    # The page's tickets come loaded with everything ticket_out() reads.
    results = search_tickets(request_user(request), filters.q, limit=filters.limit,
                             offset=filters.offset, tickets=tickets_for_api())
    hits = [
        {"ticket": ticket_out(hit.ticket), "rank": float(hit.rank),
         "snippet": hit.snippet, "matched": hit.matched}
        for hit in results.hits
    ]
    next_offset = filters.offset + filters.limit
    more = len(results.hits) == filters.limit and next_offset <= MAX_OFFSET
    return {"hits": hits, "total_estimate": results.total_estimate,
            "next_offset": next_offset if more else None}


class PeopleFilters(Schema):
    q: Annotated[Text, Field(min_length=1, max_length=people.MAX_LENGTH)] = Field(
        description="Words of an organization's or contact's name (each must start a "
                    "word of it; case and accents do not matter), or the start of an "
                    "organization's mail domain.")
    limit: Annotated[int, Field(ge=1, le=people.MAX_LIMIT)] = 5


class CardTicketOut(Schema):
    reference: str
    subject: str
    status: str
    updated_at: datetime


class OrganizationCardOut(Schema):
    id: int
    name: str
    plan: str | None
    domains: list[str]
    recent_tickets: list[CardTicketOut]


class ContactCardOut(Schema):
    id: int
    name: str
    organization_id: int | None
    organization: str | None
    recent_tickets: list[CardTicketOut]


class PeopleOut(Schema):
    organizations: list[OrganizationCardOut]
    contacts: list[ContactCardOut]


def _card_tickets(tickets: list[Ticket]) -> list[dict[str, Any]]:
    return [{"reference": t.reference, "subject": t.subject, "status": t.status,
             "updated_at": t.updated_at} for t in tickets]


@router.get("/search/people", response={200: PeopleOut, **ERROR_RESPONSES})
def search_people(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    """Organizations (by name or mail domain) and contacts (by name) that `q` names:
    every word of `q` starts a word of the name (names that start with `q` first),
    each with its five most recently updated tickets you may see. Empty for fewer
    than two characters, or for a role that may not see customers."""
    found = people.find_people(request_user(request), filters.q, limit=filters.limit)
    domains: dict[int, list[str]] = {}
    for organization_id, domain in OrganizationDomain.objects.filter(
            organization_id__in=[card.organization.pk for card in found.organizations]
    ).order_by("domain").values_list("organization_id", "domain"):
        domains.setdefault(organization_id, []).append(domain)
    return {
        "organizations": [
            {"id": card.organization.pk, "name": card.organization.name,
             "plan": card.organization.plan.name if card.organization.plan else None,
             "domains": domains.get(card.organization.pk, []),
             "recent_tickets": _card_tickets(card.recent_tickets)}
            for card in found.organizations],
        "contacts": [
            {"id": card.contact.pk, "name": card.contact.name,
             "organization_id": card.contact.organization_id,
             "organization": card.contact.organization.name if card.contact.organization
             else None,
             "recent_tickets": _card_tickets(card.recent_tickets)}
            for card in found.contacts],
    }
