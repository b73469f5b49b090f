"""The Time panel of the ticket page: a timer, manual entries, the cost by tier.

The panel loads itself with htmx (desk/tickets/_time.html asks for it), so the
ticket page's own views need not know about time. Every action answers with
the panel again; without JavaScript it redirects back to the ticket.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput, NotFound
from frontline.core.models import User
from frontline.costs import services
from frontline.costs.models import TimeEntry
from frontline.desk.views.common import desk_user, desk_view, error_page, is_htmx
from frontline.tickets.models import Ticket
from frontline.tickets.services import get_ticket

PANEL = "desk/tickets/_time_panel.html"


def _entry_row(entry: TimeEntry, user: User, can_log: bool) -> dict[str, Any]:
    return {
        "entry": entry,
        "who": entry.user.display_name,
        "duration": services.duration_text(entry.seconds),
        "running": entry.ended_at is None,
        "mine": can_log and (entry.user_id == user.pk or user.is_admin),
        "minutes": entry.seconds // 60,
    }


def panel_context(user: User, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    can_log = permissions.can_change_ticket(user, ticket) and ticket.merged_into_id is None
    entries = services.ticket_entries(ticket)
    mine = services.running_timer(user)
    now = timezone.now()
    return {
        "ticket": ticket,
        "can_log": can_log,
        "entries": [_entry_row(entry, user, can_log) for entry in entries],
        "running": mine if mine is not None and mine.ticket_id == ticket.pk else None,
        "running_elsewhere": mine if mine is not None and mine.ticket_id != ticket.pk else None,
        "others_running": [e for e in entries if e.ended_at is None and e.user_id != user.pk],
        "cost": services.ticket_cost(ticket),
        "now_ms": int(now.timestamp() * 1000),
        "running_start_ms": (int(mine.started_at.timestamp() * 1000) if mine is not None
                             else None),
        "form_minutes": "",
        "form_note": "",
        "form_error": None,
        "form_error_field": None,
        **extra,
    }


def _ticket(reference: str) -> Ticket:
    return get_ticket(reference)


def _panel(request: HttpRequest, ticket: Ticket, *, status: int = 200,
           **extra: Any) -> HttpResponse:
    if not is_htmx(request) and status < 400:
        return redirect(ticket.get_absolute_url())
    return render(request, PANEL, panel_context(desk_user(request), ticket, **extra),
                  status=status)


@desk_view
@require_GET
def time_panel(request: HttpRequest, reference: str) -> HttpResponse:
    user = desk_user(request)
    try:
        ticket = _ticket(reference)
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    return render(request, PANEL, panel_context(user, ticket))


def _act(request: HttpRequest, reference: str, action: Any) -> HttpResponse:
    user = desk_user(request)
    try:
        ticket = _ticket(reference)
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    try:
        notice = action(user, ticket)
    except FrontlineError as error:
        if not is_htmx(request):
            return error_page(request, error)
        if not isinstance(error, InvalidInput):
            return _panel(request, ticket, status=error.status_code, form_error=error.message)
        return _panel(request, ticket, status=error.status_code, form_error=error.message,
                      form_error_field=error.field,
                      form_minutes=request.POST.get("minutes", ""),
                      form_note=request.POST.get("note", ""))
    return _panel(request, ticket, notice=notice)


@desk_view
@require_POST
def start(request: HttpRequest, reference: str) -> HttpResponse:
    def action(user: User, ticket: Ticket) -> str:
        services.start_timer(ticket, user)
        if request.POST.get("auto"):
            return "Timer started when you began writing."
        return ""
    return _act(request, reference, action)


@desk_view
@require_POST
def stop(request: HttpRequest, reference: str) -> HttpResponse:
    def action(user: User, ticket: Ticket) -> str:
        entry = services.stop_timer(user)
        return f"Logged {services.duration_text(entry.seconds)}." if entry else ""
    return _act(request, reference, action)


@desk_view
@require_POST
def leave(request: HttpRequest, reference: str) -> HttpResponse:
    """The agent left the ticket page (time.js sends it as the page goes away): their
    timer stops if it runs on this ticket; one on another ticket runs on. 204."""
    user = desk_user(request)
    try:
        ticket = _ticket(reference)
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    services.stop_timers_on(ticket, user=user)
    return HttpResponse(status=204)


@desk_view
@require_POST
def add(request: HttpRequest, reference: str) -> HttpResponse:
    def action(user: User, ticket: Ticket) -> str:
        entry = services.add_entry(ticket, user, request.POST.get("minutes", ""),
                                   request.POST.get("note", ""))
        return f"Logged {services.duration_text(entry.seconds)}."
    return _act(request, reference, action)


def _own_entry(ticket: Ticket, pk: int) -> TimeEntry:
    entry = services.get_entry(pk)
    if entry.ticket_id != ticket.pk:
        raise NotFound(f"There is no time entry {pk} on {ticket.reference}.")
    return entry


@desk_view
@require_POST
def edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    def action(user: User, ticket: Ticket) -> str:
        entry = _own_entry(ticket, pk)
        minutes = request.POST.get("minutes")
        services.edit_entry(entry, user, minutes=minutes if entry.ended_at else None,
                            note=request.POST.get("note"))
        return "Entry changed."
    return _act(request, reference, action)


@desk_view
@require_POST
def delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    def action(user: User, ticket: Ticket) -> str:
        services.delete_entry(_own_entry(ticket, pk), user)
        return "Entry removed."
    return _act(request, reference, action)
