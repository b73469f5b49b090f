"""The follow-up the desk suggests: one click sends the customer the required
questions still missing (frontline.workflow.requests.send_follow_up)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from frontline.core.models import User
from frontline.desk.views.common import desk_view
from frontline.desk.views.tickets import act_on_ticket
from frontline.tickets.models import Ticket
from frontline.workflow import requests


@desk_view
@require_POST
def send(request: HttpRequest, reference: str) -> HttpResponse:
    def change(ticket: Ticket, user: User) -> str:
        requests.send_follow_up(ticket, user)
        return "Asked the customer for the missing facts."

    return act_on_ticket(request, reference, change)
