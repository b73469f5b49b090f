"""Queues: the lists agents work from, filtered and sorted, one keyset page at a time."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import urlencode

from frontline.core import permissions
from frontline.core.models import User
from frontline.desk.views.common import desk_user, desk_view, render_desk
from frontline.routing.models import Team
from frontline.tickets.models import Priority, Status
from frontline.tickets.queue_query import FILTER_KEYS, read_queue_query
from frontline.tickets.selectors import QUEUES, SORTS, capped_counts, listed_tickets, page_of
from frontline.tickets.services import saved_views
from frontline.workflow import bulk

SORT_LABELS = {
    "updated": "Recently updated",
    "oldest": "Least recently updated",
    "created": "Newest first",
    "priority": "Priority",
    "due": "Time left (SLA)",
}


def filter_choices() -> dict[str, Any]:
    """Options for the filter bar (two small queries: teams, people who own tickets).

    (value, label) pairs from values_list, not model instances: with 300 agents,
    building User objects and looping over them in the template was a large part
    of the page's cost (bench/RESULTS.md, finding 5).
    """
    people = (permissions.ticket_owners(User.objects.all())
              .order_by("first_name", "username")
              .values_list("pk", "first_name", "last_name", "username"))
    return {
        "teams": list(Team.objects.order_by("tier", "name").values_list("pk", "name")),
        "assignees": [(pk, f"{first} {last}".strip() or username)
                      for pk, first, last, username in people],
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "sorts": SORT_LABELS,
    }


@desk_view
def queue(request: HttpRequest, name: str) -> HttpResponse:
    if name not in QUEUES:
        raise Http404("No such queue.")
    user = desk_user(request)
    query = read_queue_query(request.GET, sorts=SORTS)
    tickets = listed_tickets(user, name, query)
    # A queue holds active tickets unless its status filter asks for finished ones.
    page = page_of(tickets, sort=query.sort, after=request.GET.get("after") or None,
                   active_only=query.active_only)
    kept = {key: str(value) for key, value in request.GET.items()
            if key in FILTER_KEYS and value}
    saved_query = query.query_string()
    can_bulk = not permissions.is_read_only(user)
    context = {
        "queue_name": name,
        "queue_label": QUEUES[name],
        "page": page,
        "sort": query.sort,
        "filters": query.filters,
        "filtered": query.filtered,
        "first_page": not request.GET.get("after"),
        "kept_query": urlencode(kept),
        # What the ticket page needs to offer "next ticket" in this queue.
        "context_query": urlencode({"q": name, "sort": query.sort}),
        # Saving the page as a view (frontline.tickets.services.saved_views).
        "saved_query": saved_query,
        "can_share_views": permissions.can_share_views(user),
        "this_view": saved_views.matching_view(user, name, saved_query),
        # Bulk actions on the page's tickets (frontline.desk.views.bulk).
        "can_bulk": can_bulk,
        # "Select all N tickets matching this queue" once the page's rows are all
        # checked: counted (up to one past the cap, one statement) only when the
        # list is longer than this page.
        "matching_count": (capped_counts({"matching": tickets}, cap=bulk.MAX_MATCHING + 1)
                           ["matching"]
                           if can_bulk and (page.next_cursor or request.GET.get("after"))
                           else 0),
        "max_matching": bulk.MAX_MATCHING,
        **filter_choices(),
    }
    return render_desk(request, "desk/queues/queue.html", context, queue=name)
