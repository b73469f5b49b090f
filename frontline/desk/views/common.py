"""What every desk page shares: the login gate, the navigation and error pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontline.core import permissions
from frontline.core.errors import FrontlineError, NeedsConfirmation
from frontline.core.models import User
from frontline.notifications import services as notifications
from frontline.tickets.selectors import QUEUES, queue_counts, view_count_key
from frontline.tickets.services import saved_views

# Navigation counts stop here: a COUNT over a bounded subquery costs the same
# at a million tickets as at a hundred, and nobody acts on "4,318" vs "1,000+".
NAV_COUNT_CAP = 1000

View = Callable[..., HttpResponse]


def desk_view(view: View) -> View:
    """Every desk page goes through here: signed-in staff only, and never kept by a
    cache (a shared proxy, or the browser's back button after signing out), as the
    portal's pages are not (`Cache-Control: private, no-store`)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def desk_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def home_queue(user: User) -> str:
    """Where a person lands: their own work, or what their role reads."""
    if permissions.sees_developer_tier_only(user):
        return "tier3"
    if permissions.is_read_only(user):
        return "open"
    return "mine"


def visible_queues(user: User) -> list[str]:
    if permissions.sees_developer_tier_only(user):
        return ["mine", "tier3", "pending", "open"]
    if permissions.is_read_only(user):
        return ["unassigned", "tier1", "tier2", "tier3", "pending", "open"]
    return list(QUEUES)


def nav_context(user: User, current_queue: str | None = None) -> dict[str, Any]:
    views = saved_views.sidebar_views(user)
    # The saved views are counted in the queues' one capped statement.
    counts = queue_counts(user, cap=NAV_COUNT_CAP, views=views)
    return {
        "nav_views": [
            {"view": view, "count": counts[view_count_key(view)],
             "capped": counts[view_count_key(view)] >= NAV_COUNT_CAP}
            for view in views
        ],
        "nav_queues": [
            {"name": name, "label": QUEUES[name], "count": counts[name],
             "capped": counts[name] >= NAV_COUNT_CAP}
            for name in visible_queues(user)
        ],
        "current_queue": current_queue,
        "nav_reports": permissions.can_view_reports(user),
        "nav_insights": permissions.can_view_insights(user),
        # Account managers (viewers) see their own organizations' standing among peers.
        "nav_customer_insights": (not permissions.can_view_insights(user)
                                  and permissions.can_view_organization_insights(user)),
        "nav_calls": permissions.can_open_ticket(user),
        "nav_writes": permissions.writes_on_tickets(user),
        "nav_unread": notifications.unread_count(user),
    }


def render_desk(request: HttpRequest, template: str, context: dict[str, Any],
                *, status: int = 200, queue: str | None = None) -> HttpResponse:
    """A full desk page: the template plus the navigation with its counts."""
    user = desk_user(request)
    return render(request, template, {**nav_context(user, queue), **context}, status=status)


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made (django-htmx's middleware reads the HX-Request header)."""
    return bool(getattr(request, "htmx", False))


def error_page(request: HttpRequest, error: FrontlineError) -> HttpResponse:
    """A refusal as a page (or, for htmx, as a flash the page shows in place)."""
    if isinstance(error, NeedsConfirmation) and error.field and request.method == "POST":
        return confirmation_page(request, error)
    if is_htmx(request):
        return render(request, "desk/_flash.html", {"error": error.message},
                      status=error.status_code)
    return render_desk(request, "desk/error.html",
                       {"error": error.message, "status": error.status_code},
                       status=error.status_code)


def confirmation_page(request: HttpRequest, error: NeedsConfirmation) -> HttpResponse:
    """A change allowed only when asked for knowingly (a merge across customers): the
    warning, and a button that sends the same form again with the confirming field
    (`error.field`) set. Still the refusal's status until then."""
    assert error.field is not None
    fields = [(name, value) for name, value in request.POST.items()
              if name not in ("csrfmiddlewaretoken", error.field)]
    context = {"error": error.message, "action": request.path, "fields": fields,
               "confirm_field": error.field}
    if is_htmx(request):
        return render(request, "desk/_confirm.html", context, status=error.status_code)
    return render_desk(request, "desk/confirm.html", {**context, "full_page": True},
                       status=error.status_code)
