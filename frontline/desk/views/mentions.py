"""The note composer's @-autocomplete: the staff who may see the ticket, as JSON
for desk/static/desk/mentions.js (frontline.notifications.mentions.mentionable)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view
from frontline.notifications.mentions import mentionable


@desk_view
def staff_lookup(request: HttpRequest, reference: str) -> HttpResponse:
    user = desk_user(request)
    try:
        ticket = workflow.surviving_ticket(workflow.get_ticket(reference))
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return JsonResponse({"error": error.message}, status=error.status_code)
    people = mentionable(ticket, request.GET.get("q", ""))
    return JsonResponse({"people": [
        {"username": person.username, "name": person.get_full_name()} for person in people]})
