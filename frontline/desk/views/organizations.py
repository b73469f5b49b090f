"""The organization page: what an account manager reads before a renewal call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError, NotAllowed
from frontline.core.inputs import whole_number
from frontline.costs.services import organization_totals
from frontline.customers import deployments as deployment_history
from frontline.customers.models import Deployment, Organization, Plan, Product
from frontline.customers.products import products
from frontline.customers.services import customer_since
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.sla import recompute
from frontline.sla.plans import set_organization_plan
from frontline.tickets.models import ACTIVE_STATUSES, Status
from frontline.tickets.selectors import (
    organization_contacts,
    organization_environment,
    organization_ticket_counts,
    organization_tickets,
    page_of,
)
from frontline.workflow import organizations

TICKET_STATES = {"open": "Open", "closed": "Resolved and closed", "all": "All"}
# Empty rows under the deployments an agent can fill in to add some.
BLANK_DEPLOYMENT_ROWS = 2
# A deployment row's product and version travel as one choice: "slug|version name"
# ("slug|" for none). A slug holds no "|", so the first one splits them.
CHOICE_SEPARATOR = "|"


@dataclass
class ProductHistory:
    """One product's deployments on the page, newest first, each with its state
    ("in use", "planned" or "" for an earlier one)."""

    product: Product
    rows: list[tuple[Deployment, str]] = field(default_factory=list)


@dataclass
class SetupRow:
    """A row of the deployments form, as shown or as typed."""

    choice: str = ""
    since: str = ""
    remove: bool = False
    error: str = ""  # which input of the row the error names: "choice" or "since"


def _histories(organization: Organization) -> list[ProductHistory]:
    today = timezone.localdate()
    rows = list(deployment_history.history(organization))
    in_use = {d.pk for d in deployment_history.deployed_products(organization, today)}
    found: dict[int, ProductHistory] = {}
    for deployment in rows:
        state = ("in use" if deployment.pk in in_use
                 else "planned" if deployment.since > today else "")
        found.setdefault(deployment.product_id, ProductHistory(deployment.product)).rows.insert(
            0, (deployment, state))
    return list(found.values())


def _setup_rows(organization: Organization) -> list[SetupRow]:
    rows = [SetupRow(choice=f"{d.product.slug}{CHOICE_SEPARATOR}"
                            f"{d.version.name if d.version else ''}",
                     since=d.since.isoformat())
            for d in deployment_history.history(organization)]
    return rows + [SetupRow() for _ in range(BLANK_DEPLOYMENT_ROWS)]


@desk_view
def organization_page(request: HttpRequest, pk: int, *, plan_form: dict[str, str] | None = None,
                      plan_error: FrontlineError | None = None,
                      setup_form: dict[str, Any] | None = None,
                      setup_error: FrontlineError | None = None) -> HttpResponse:
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
    counts = organization_ticket_counts(organization.pk)
    context = {
        "organization": organization,
        "counts": counts,
        "customer_since": customer_since(organization, counts["first"]),
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
        "histories": _histories(organization),
        # Advisories and other entries that belong to no ticket (frontline.workflow.advisories).
        "timeline": list(organization.timeline.select_related("author")[:20]),
    }
    if permissions.can_change_customers(user):
        # Agents and admins keep the seats and deployments (frontline.customers.services).
        context["setup"] = setup_form or {
            "seats": "" if organization.seats is None else str(organization.seats),
            "rows": _setup_rows(organization)}
        context["setup_error"] = setup_error
        context["version_choices"] = products()
    error = plan_error or setup_error
    return render_desk(request, "desk/organizations/organization.html", context,
                       status=error.status_code if error else 200)


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
    recomputing = recompute.describe_left()
    if recomputing:
        messages.info(request, recomputing)
    return redirect("desk:organization", pk=pk)


def _typed_rows(request: HttpRequest) -> list[SetupRow]:
    choices = request.POST.getlist("deployment")
    days = request.POST.getlist("since")
    removed = set(request.POST.getlist("remove"))
    return [SetupRow(choice=choice.strip(), since=(days[n] if n < len(days) else "").strip(),
                     remove=str(n) in removed)
            for n, choice in enumerate(choices)]


@desk_view
@require_POST
def organization_setup(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent sets the organization's seats and its deployments: the rows kept,
    changed and added replace the history (as the API's PATCH does)."""
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise Http404("No such organization.")
    rows = _typed_rows(request)
    # Removed rows and rows left empty are not sent; `kept[n]` is the form row of
    # the service's entry n, to mark the row an error names.
    kept = [n for n, row in enumerate(rows)
            if not row.remove and (row.choice or row.since)]
    deployments = []
    for n in kept:
        product, _, version = rows[n].choice.partition(CHOICE_SEPARATOR)
        deployments.append({"product": product, "version": version, "since": rows[n].since})
    seats = request.POST.get("seats", "").strip()
    try:
        organizations.update_organization(desk_user(request), organization, seats=seats,
                                          deployments=deployments)
    except NotAllowed as error:
        return error_page(request, error)
    except FrontlineError as error:
        return organization_page(
            request, pk, setup_form={"seats": seats, "rows": [*rows, SetupRow()],
                                     "error_row": _mark(rows, kept, error)},
            setup_error=error)
    messages.success(request, "Seats and deployments saved.")
    return redirect("desk:organization", pk=pk)


def _mark(rows: list[SetupRow], kept: list[int], error: FrontlineError) -> int | None:
    """Point the row an error names ("deployments.2.since") out on the form; its
    number as the agent counts the rows (from 1), or None for another field."""
    parts = (error.field or "").split(".")
    entry = whole_number(parts[1]) if len(parts) == 3 and parts[0] == "deployments" else None
    if entry is not None and 0 <= entry < len(kept):
        rows[kept[entry]].error = "since" if parts[2] == "since" else "choice"
        return kept[entry] + 1
    return None
