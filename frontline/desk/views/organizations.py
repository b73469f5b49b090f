"""The organization page: what an account manager reads before a renewal call."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError, NotAllowed
from frontline.costs.services import organization_totals
from frontline.customers.models import Organization, Plan
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.sla.plans import set_organization_plan
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
def organization_page(request: HttpRequest, pk: int, *, plan_form: dict[str, str] | None = None,
                      plan_error: FrontlineError | None = None) -> HttpResponse:
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
        "time_totals": organization_totals(organization),
        # Admins change the plan and contract here (frontline.sla.plans).
        "plan_choices": (Plan.objects.filter(per_incident=False)
                         if permissions.can_change_contract(user) else None),
        "plan_form": plan_form or {},
        "plan_error": plan_error,
    }
    return render_desk(request, "desk/organizations/organization.html", context,
                       status=plan_error.status_code if plan_error else 200)


@desk_view
@require_POST
def organization_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin sets the organization's plan and contract dates."""
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise Http404("No such organization.")
    form = {key: request.POST.get(key, "").strip()
            for key in ("plan", "plan_starts_on", "plan_ends_on")}
    try:
        set_organization_plan(
            desk_user(request), organization, plan=form["plan"] or None,
            starts_on=form["plan_starts_on"], ends_on=form["plan_ends_on"])
    except NotAllowed as error:
        return error_page(request, error)
    except FrontlineError as error:
        return organization_page(request, pk, plan_form=form, plan_error=error)
    messages.success(request, "Plan and contract saved; open tickets' promises follow.")
    return redirect("desk:organization", pk=pk)
