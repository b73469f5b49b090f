"""The ticket page's beat: who else has the ticket open, and what the page misses.

desk/static/desk/ticket_live.js posts here every few seconds while the tab is
visible, at once when the agent starts typing, and with `left` when the tab is
hidden or closed. The answer is the "Otto is viewing · typing" line and, out of
band, the timeline entries written since the page's newest ones (another agent's
reply, the customer's mail): the page keeps up without a reload.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view, error_page
from frontline.desk.views.tickets import timeline_mark
from frontline.tickets.selectors import timeline
from frontline.tickets.services import presence


@desk_view
@require_POST
def beat(request: HttpRequest, reference: str) -> HttpResponse:
    user = desk_user(request)
    try:
        ticket = workflow.surviving_ticket(workflow.get_ticket(reference))
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    if request.POST.get("left") == "1":
        presence.leave(ticket, user)
        return HttpResponse(status=204)
    presence.beat(ticket, user, typing=request.POST.get("typing") == "1")
    mark = timeline_mark(request)
    return render(request, "desk/tickets/_presence.html", {
        "others": presence.others_here(ticket, user),
        "new_entries": timeline(ticket, after=mark) if mark is not None else [],
    })
