""""New ticket" in the desk: an agent opens a request on a customer's behalf (a
customer at the counter, a mail forwarded by sales, a call logged afterwards).

The request goes through the same workflow as every channel's
(frontline.workflow.opening.open_ticket with the agent as `actor`, who must be
allowed to open tickets: core.permissions.check_can_open_ticket). An address the
desk does not know becomes a new contact there, as a first mail would. A caller
still on the line has the phone script (desk/views/calls.py), which also asks the
category's questions.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.tickets.models import Category, Priority
from frontline.tickets.taxonomy import Channel

TEMPLATE = "desk/tickets/new.html"
# How the customer reached us; the channel the ticket records.
CHANNELS = [(Channel.PHONE.value, "By phone"), (Channel.EMAIL.value, "By mail to me"),
            (Channel.WEB.value, "In person or otherwise")]
FIELDS = ("requester_email", "requester_name", "subject", "body", "category", "priority",
          "channel")


def _form(values: dict[str, str], error: FrontlineError | None = None) -> dict[str, Any]:
    return {
        "form": values,
        "error": error.message if error else None,
        "error_field": error.field if error else None,
        "categories": list(Category.objects.order_by("name")),
        "priorities": Priority.choices,
        "channels": CHANNELS,
    }


@desk_view
def new_ticket(request: HttpRequest) -> HttpResponse:
    """GET: the form (`?email=` fills the requester). POST: open the ticket and go to it;
    a refusal shows the form again with what was typed and the field named."""
    user = desk_user(request)
    try:
        permissions.check_can_open_ticket(user)
    except FrontlineError as error:
        return error_page(request, error)
    if request.method != "POST":
        values = {name: "" for name in FIELDS}
        values.update(requester_email=request.GET.get("email", "")[:320],
                      priority=str(Priority.NORMAL.value), channel=Channel.PHONE.value)
        return render_desk(request, TEMPLATE, _form(values))
    values = {name: str(request.POST.get(name, "")) for name in FIELDS}
    channel = values["channel"] if values["channel"] in dict(CHANNELS) else Channel.PHONE.value
    try:
        ticket = workflow.open_ticket(
            requester_email=values["requester_email"].strip(),
            requester_name=values["requester_name"].strip(),
            subject=values["subject"], body=values["body"], channel=channel,
            category=values["category"] or None, priority=values["priority"] or None,
            actor=user)
    except FrontlineError as error:
        return render_desk(request, TEMPLATE, _form(values, error), status=error.status_code)
    return redirect(ticket.get_absolute_url())
