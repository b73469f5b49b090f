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
from frontline.core.models import User
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.desk.views.reports import _cell, _Echo
from frontline.insights import alerts, detection, versions
from frontline.insights import peers as peer_insights
from frontline.insights.models import AlertStatus
from frontline.insights.similarity import similar_tickets
from frontline.tickets.services import get_ticket
from frontline.workflow import advisories
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
        **peers_section(request, user),
        "versions": versions.version_reports(user),
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
def advisory(request: HttpRequest, pk: int) -> HttpResponse:
    """The drafted advisory for an alert's organizations at risk: the text to edit and
    the organizations to record it on (frontline.workflow.advisories)."""
    user = desk_user(request)
    try:
        view = alerts.explain_alert(user, pk)
    except FrontlineError as error:
        return error_page(request, error)
    text = advisories.draft_advisory(view)
    subject = advisories.draft_subject(view)
    chosen = {risk.organization.pk for risk in view.at_risk}
    refusal: FrontlineError | None = None
    if request.method == "POST":
        text = request.POST.get("text", "")
        posted_subject = request.POST.get("subject")
        subject = subject if posted_subject is None else posted_subject
        chosen_ids = request.POST.getlist("organizations")
        try:
            notes = advisories.send_advisory(user, view, text, chosen_ids, subject=subject)
        except FrontlineError as refused:
            refusal = refused
            chosen = {int(pk) for pk in chosen_ids if pk.isascii() and pk.isdigit()}
        else:
            mailed = sum(1 for note in notes if "ticket" in note.detail)
            messages.success(request, _advisory_outcome(len(notes), mailed))
            return redirect("desk:insights")
    return render_desk(request, "desk/insights/advisory.html", {
        "view": view, "text": text, "subject": subject, "chosen": chosen, "error": refusal,
        "choices": [(risk, advisories.recipient(risk.organization)) for risk in view.at_risk],
    }, status=refusal.status_code if refusal else 200)


def _advisory_outcome(organizations: int, mailed: int) -> str:
    said = (f"Advisory recorded on the timeline of {organizations} "
            f"organization{'' if organizations == 1 else 's'}")
    if mailed == organizations:
        return f"{said} and mailed to each (a ticket each)."
    return (f"{said}; mailed to {mailed}. The others have nobody with a working address: "
            "tell them through their account manager.")


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


# -- customers with more problems than their peers (frontline.insights.peers) ----------

PEERS_SHOWN = 20


def _peer_days(request: HttpRequest) -> int:
    """The period asked for (`peers_days`: 30, 90 or 180); anything else is 90."""
    asked = request.GET.get("peers_days", "")
    return int(asked) if asked in {str(d) for d in peer_insights.PERIOD_CHOICES} else 90


def peers_section(request: HttpRequest, user: User) -> dict[str, Any]:
    """The context of desk/insights/_peers.html: the top PEERS_SHOWN organizations."""
    days = _peer_days(request)
    rows = peer_insights.organizations_against_peers(user, period_days=days)
    return {"peers": rows[:PEERS_SHOWN], "peers_total": len(rows), "peers_days": days,
            "peers_choices": peer_insights.PERIOD_CHOICES,
            "peers_status": request.GET.get("status") or "",
            "peers_own_only": permissions.sees_managed_organizations_only(user)}


def _peers_csv_rows(rows: list[peer_insights.PeerRow]) -> Iterator[list[Any]]:
    yield ["id", "organization", "plan", "seats", "tickets", "tickets_per_seat",
           "ratio_to_peers", "peer_group", "peers", "top_categories", "suggestion", "advice",
           "account_manager"]
    for row in rows:
        manager = row.organization.account_manager
        yield [row.organization.pk, row.organization.name,
               row.organization.plan.name if row.organization.plan else "", row.seats,
               row.tickets, f"{row.tickets_per_seat:.4f}",
               "" if row.ratio_to_peers is None else f"{row.ratio_to_peers:.2f}",
               row.peer_group, row.peers,
               "; ".join(f"{c.category} ({c.tickets})" for c in row.top_categories),
               row.suggestion or "", row.advice,
               (manager.get_full_name() or manager.username) if manager else ""]


@desk_view
def peers_page(request: HttpRequest) -> HttpResponse:
    """/insights/customers: the peers section alone, for everyone who may see it
    (viewers too, who see their own organizations and not the alerts); CSV of every
    row with `?format=csv`."""
    user = desk_user(request)
    days = _peer_days(request)
    try:
        permissions.check_can_view_organization_insights(user)
        if request.GET.get("format") != "csv":
            return render_desk(request, "desk/insights/peers_page.html",
                               peers_section(request, user))
        rows = peer_insights.organizations_against_peers(user, period_days=days)
    except FrontlineError as error:
        return error_page(request, error)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in _peers_csv_rows(rows)),
        content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="frontline-customers-{days}d.csv"'
    # Streamed, as the reports' CSV is.
    return response  # type: ignore[return-value]
