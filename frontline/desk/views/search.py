"""The global search box: a reference opens its ticket, anything else searches."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.core.inputs import whole_number
from frontline.desk.views.common import desk_user, desk_view, render_desk
from frontline.search.people import find_people
from frontline.tickets.models import Ticket, parse_reference

PAGE = 20
MAX_QUERY = 200


def _ticket_hits(user: Any, query: str, offset: int) -> tuple[list[Any], bool, str | None]:
    """(hits, full_text, notice). Falls back to subject matching while the
    full-text engine (frontline.search.services) is not installed."""
    try:
        from frontline.search.services import search_tickets
    except ImportError:
        tickets = list(permissions.visible_tickets(user, Ticket.objects.filter(
            subject__icontains=query)).select_related("requester", "organization")
            .order_by("-updated_at", "-id")[offset:offset + PAGE + 1])
        return ([{"ticket": t, "snippet": None} for t in tickets], False,
                "Full-text search is not available yet: matching subjects only.")
    try:
        results = search_tickets(user, query, limit=PAGE + 1, offset=offset)
    except FrontlineError as error:
        return [], True, error.message
    return list(results.hits), True, None


@desk_view
def search(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    offset = min(max(whole_number(request.GET.get("offset")) or 0, 0), 1000)
    context: dict[str, Any] = {"query": query, "hits": [], "people": None, "offset": offset}
    if query:
        number = parse_reference(query)
        if number is not None and Ticket.objects.filter(pk=number).exists():
            return redirect(Ticket(pk=number).get_absolute_url())
        hits, full_text, notice = _ticket_hits(user, query, offset)
        context.update({
            "hits": hits[:PAGE],
            "more": len(hits) > PAGE,
            "next_offset": offset + PAGE,
            "prev_offset": max(offset - PAGE, 0),
            "full_text": full_text,
            "notice": notice,
        })
        if offset == 0:
            # Customers by name or domain, as cards with their recent tickets.
            context["people"] = find_people(user, query)
    return render_desk(request, "desk/search/search.html", context)
