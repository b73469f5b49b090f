"""Full-text search over tickets and their messages (frontline.search.services)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES, Text
from frontline.api.tickets import TicketOut, ticket_out, tickets_for_api
from frontline.core.errors import InvalidInput
from frontline.search.query import MAX_QUERY_LENGTH
from frontline.search.services import MAX_LIMIT, MAX_OFFSET, Matched, search_tickets

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
    results = search_tickets(request_user(request), filters.q, limit=filters.limit,
                             offset=filters.offset)
    # Load the page's tickets with everything ticket_out() reads, in one go.
    ids = [hit.ticket.pk for hit in results.hits]
    tickets = {t.pk: t for t in tickets_for_api().filter(pk__in=ids)}
    hits = [
        {"ticket": ticket_out(tickets[hit.ticket.pk]), "rank": float(hit.rank),
         "snippet": hit.snippet, "matched": hit.matched}
        for hit in results.hits if hit.ticket.pk in tickets
    ]
    next_offset = filters.offset + filters.limit
    more = len(results.hits) == filters.limit and next_offset <= MAX_OFFSET
    return {"hits": hits, "total_estimate": results.total_estimate,
            "next_offset": next_offset if more else None}
