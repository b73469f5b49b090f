"""A person's notifications: SLA warnings and breaches on tickets they own or
lead, escalations to their team. Listed newest first; reading marks them read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from frontline.desk.views.common import desk_user, desk_view, render_desk
from frontline.notifications import services as notifications
from frontline.notifications.models import Notification

SHOWN = 100


@desk_view
def notification_list(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    rows = list(Notification.objects.filter(user=user).select_related("ticket")[:SHOWN])
    return render_desk(request, "desk/notifications/list.html", {
        "notifications": rows, "unread": sum(1 for row in rows if row.read_at is None)})


@desk_view
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(desk_user(request))
    return redirect("desk:notifications")
