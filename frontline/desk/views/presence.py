"""The ticket page's beat: who else has the ticket open, and what the page misses.

desk/static/desk/ticket_live.js posts here every few seconds while the tab is
visible, at once when the agent starts typing, and with `left` when the tab is
hidden or closed. The answer is the "Otto is viewing · typing" line and, out of
band, the timeline entries written since the page's newest ones (another agent's
reply, the customer's mail): the page keeps up without a reload.

The same beat keeps the agent's timer alive (`timer=1` while the Time panel shows
it running; frontline.costs.services.heartbeat): one poll, not two. A hidden tab
says it left but, with its timer running, goes on beating with `away=1`, which
keeps the timer only (looking something up elsewhere is work on the ticket). When
the timer turns out stopped (by the worker's sweep after the laptop slept), the
answer carries the `timer-ended` trigger and the page reloads its Time panel.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.costs import services as time_costs
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
    timer_alive = (time_costs.heartbeat(ticket, user) if request.POST.get("timer") == "1"
                   else True)
    if request.POST.get("left") == "1":
        presence.leave(ticket, user)
        return HttpResponse(status=204)
    if request.POST.get("away") == "1":
        response = HttpResponse(status=204)
    else:
        presence.beat(ticket, user, typing=request.POST.get("typing") == "1")
        mark = timeline_mark(request)
        response = render(request, "desk/tickets/_presence.html", {
            "others": presence.others_here(ticket, user),
            "new_entries": timeline(ticket, after=mark) if mark is not None else [],
        })
    if not timer_alive:
        response["HX-Trigger"] = "timer-ended"
    return response
