"""/insights: recurring-problem alerts (frontline.insights.detection), each a card
with its tickets, organizations and when it was raised; a dismiss button; CSV at
`/insights?format=csv`. Agents and admins (frontline.core.permissions
.can_view_insights); everyone else gets a 403 page.

And the ticket page's Similar tickets panel (`/t/<reference>/similar`): the page
renders the panel empty and htmx loads it at once, so the lookup
(frontline.insights.similarity) never delays the ticket itself, and a change on
the ticket (which swaps the side column) does not wait for it either."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.desk.views.reports import _cell, _Echo
from frontline.insights import alerts, detection
from frontline.insights.models import AlertStatus
from frontline.insights.similarity import similar_tickets
from frontline.tickets.services import get_ticket
from frontline.workflow import problems as problem_flow


def _csv_rows(views: list[alerts.AlertView]) -> Iterator[list[Any]]:
    yield ["id", "title", "status", "raised_at", "tickets", "organizations", "terms"]
    for view in views:
        yield [view.alert.pk, view.alert.title, view.alert.status,
               timezone.localtime(view.alert.raised_at).isoformat(),
               " ".join(view.references), "; ".join(org.name for org in view.organizations),
               " · ".join(view.alert.terms)]


@desk_view
def insights_page(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    status = request.GET.get("status") or None
    try:
        found = alerts.list_alerts(user, status=status)
    except FrontlineError as error:
        return error_page(request, error)
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow([_cell(value) for value in row]) for row in _csv_rows(found)),
            content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="frontline-alerts.csv"'
        # Streamed, as the reports' CSV is.
        return response  # type: ignore[return-value]
    return render_desk(request, "desk/insights/insights.html", {
        "alerts": found, "status": status if status in AlertStatus.values else "",
        "statuses": AlertStatus.choices,
        "open_count": sum(1 for view in found if view.alert.status == AlertStatus.OPEN),
        "can_make_problems": permissions.can_change_problems(user),
    })


@desk_view
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    try:
        alert = alerts.get_alert(user, pk)
        detection.dismiss(user, alert)
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Alert “{alert.title}” dismissed.")
    return redirect("desk:insights")


@desk_view
@require_POST
def make_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a problem of the alert (frontline.workflow.problems.problem_from_alert)."""
    user = desk_user(request)
    try:
        alert = alerts.get_alert(user, pk)
        problem = problem_flow.problem_from_alert(user, alert)
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Problem #{problem.pk} made of the alert; its tickets are "
                              f"linked.")
    return redirect("desk:problem", problem.pk)


@desk_view
def similar_panel(request: HttpRequest, reference: str) -> HttpResponse:
    user = desk_user(request)
    try:
        ticket = get_ticket(reference)
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    return render(request, "desk/tickets/_similar.html",
                  {"ticket": ticket, "similar": similar_tickets(ticket, user=user),
                   "loaded": True})
