"""The organization page: what an account manager reads before a renewal call."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import urlencode

from frontline.core import permissions
from frontline.core.errors import NotAllowed
from frontline.customers.models import Organization
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.tickets.models import ACTIVE_STATUSES, Status
from frontline.tickets.selectors import (
    organization_contacts,
    organization_environment,
    organization_ticket_counts,
    organization_tickets,
    page_of,
)

TICKET_STATES = {"open": "Open", "closed": "Resolved and closed", "all": "All"}


@desk_view
def organization_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    if not permissions.can_view_customers(user):
        return error_page(request, NotAllowed("You may not see customers."))
    organization = (Organization.objects.select_related("plan", "account_manager")
                    .filter(pk=pk).first())
    if organization is None:
        raise Http404("No such organization.")
    state = request.GET.get("state", "all")
    if state not in TICKET_STATES:
        state = "all"
    # The rows are the queue's rows, which name the organization too.
    tickets = permissions.visible_tickets(
        user, organization_tickets(organization.pk).select_related("organization"))
    if state == "open":
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    elif state == "closed":
        tickets = tickets.filter(status__in=(Status.RESOLVED, Status.CLOSED))
    page = page_of(tickets, after=request.GET.get("after") or None)
    context = {
        "organization": organization,
        "counts": organization_ticket_counts(organization.pk),
        "environment": organization_environment(organization.pk),
        "contacts": organization_contacts(organization.pk),
        "page": page,
        "state": state,
        "states": TICKET_STATES,
        "first_page": not request.GET.get("after"),
        "kept_query": urlencode({"state": state}),
    }
    return render_desk(request, "desk/organizations/organization.html", context)
