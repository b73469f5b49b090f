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
from frontline.tickets.selectors import QUEUES, SORTS, page_of, queue_tickets

SORT_LABELS = {
    "updated": "Recently updated",
    "oldest": "Least recently updated",
    "created": "Newest first",
    "priority": "Priority",
    "due": "Time left (SLA)",
}


def _int_param(request: HttpRequest, name: str, allowed: set[int] | None = None) -> int | None:
    """A filter value, or None when absent or nonsense (a filter never fails a page)."""
    raw = request.GET.get(name, "").strip()
    if not raw.isdigit():
        return None
    value = int(raw)
    if allowed is not None and value not in allowed:
        return None
    return value


def queue_filters(request: HttpRequest) -> dict[str, Any]:
    status = request.GET.get("status", "")
    return {
        "status": status if status in Status.values else None,
        "priority": _int_param(request, "priority", set(Priority.values)),
        "tier": _int_param(request, "tier", {1, 2, 3}),
        "team_id": _int_param(request, "team"),
        "assignee_id": _int_param(request, "assignee"),
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
    sort = request.GET.get("sort", "updated")
    if sort not in SORTS:
        sort = "updated"
    filters = queue_filters(request)
    tickets = queue_tickets(user, name, sort=sort, **filters)
    # Every queue holds active tickets only (selectors.queue_filter).
    page = page_of(tickets, sort=sort, after=request.GET.get("after") or None, active_only=True)
    kept = {key: str(value) for key, value in request.GET.items()
            if key in ("status", "priority", "tier", "team", "assignee", "sort") and value}
    context = {
        "queue_name": name,
        "queue_label": QUEUES[name],
        "page": page,
        "sort": sort,
        "filters": filters,
        "filtered": any(value for value in filters.values()),
        "first_page": not request.GET.get("after"),
        "kept_query": urlencode(kept),
        # What the ticket page needs to offer "next ticket" in this queue.
        "context_query": urlencode({"q": name, "sort": sort}),
        **filter_choices(),
    }
    return render_desk(request, "desk/queues/queue.html", context, queue=name)
