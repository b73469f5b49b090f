"""A person's notifications: mentions in notes, tickets assigned to them, SLA
warnings and breaches on tickets they own or lead, escalations to their team.
Newest first, a page at a time (core.paging), filtered by unread and kind; the
mail switch for mentions and assignments is on the same page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from frontline.core.errors import InvalidInput
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.notifications import services as notifications
from frontline.notifications.models import Kind


@desk_view
def notification_list(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    unread_only = request.GET.get("show") == "unread"
    try:
        kind = notifications.kind_filter(request.GET.get("kind") or None)
    except InvalidInput as error:
        return error_page(request, error)
    page = notifications.notifications_page(user, unread_only=unread_only, kind=kind,
                                            cursor=request.GET.get("after") or None)
    filters = {key: value for key, value in (("show", "unread" if unread_only else ""),
                                             ("kind", kind or "")) if value}
    return render_desk(request, "desk/notifications/list.html", {
        "notifications": page.rows,
        "unread": notifications.unread_count(user),
        "unread_only": unread_only,
        "kind": kind or "",
        "kinds": Kind.choices,
        "by_mail": notifications.wants_mail(user),
        "next_url": (f"?{urlencode({**filters, 'after': page.next_cursor})}"
                     if page.next_cursor else None),
        "first_url": f"?{urlencode(filters)}" if request.GET.get("after") else None,
    })


@desk_view
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(desk_user(request))
    return redirect("desk:notifications")


@desk_view
@require_POST
def mail_preference(request: HttpRequest) -> HttpResponse:
    """Mail me about mentions and assignments: the person's own switch."""
    notifications.set_mail_preference(desk_user(request), request.POST.get("by_mail") == "on")
    return redirect("desk:notifications")
