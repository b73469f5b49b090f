"""Problems on the desk: the list, the problem page (record, edit, linked tickets,
the workaround push with its confirmation, impact and economics), and the ticket
page's Problem box. Each change calls frontline.problems.services or
frontline.workflow.problems; a refusal shows on the page with its 4xx status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput
from frontline.core.models import User
from frontline.customers.models import Version
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.insights.impact import problem_impact
from frontline.problems import services
from frontline.problems.links import tracker_kind
from frontline.problems.models import OPEN_PROBLEM_STATUSES, Problem, ProblemStatus
from frontline.tickets.models import Ticket
from frontline.workflow import problems as problem_flow

FILTERS = [("open", "Open"), *ProblemStatus.choices, ("", "All")]
EDIT_FIELDS = ("title", "description", "workaround", "fix_version", "tracker_links", "owner",
               "status")


PAGE_SIZE = 50


def _status_label(value: str) -> str:
    return ProblemStatus(value).label


def _outcome_notice(what: str, outcomes: list[problem_flow.TicketOutcome]) -> str:
    sent = [o.reference for o in outcomes if o.outcome == "sent"]
    others = [f"{o.reference} {o.outcome} ({o.why})" for o in outcomes if o.outcome != "sent"]
    text = f"{what} {len(sent)} ticket{'s' if len(sent) != 1 else ''}"
    text += f": {', '.join(sent)}." if sent else "."
    if others:
        text += " Not sent: " + "; ".join(others) + "."
    return text


@desk_view
def problem_list(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    try:
        permissions.check_can_view_problems(user)
        current = request.GET.get("status", "open")
        page = services.problems_page(current or None, cursor=request.GET.get("after"),
                                      limit=PAGE_SIZE, restart_on_bad_cursor=True)
    except FrontlineError as error:
        return error_page(request, error)
    return render_desk(request, "desk/problems/list.html", {
        "problems": page.rows, "next_cursor": page.next_cursor,
        "first_page": not request.GET.get("after"), "filters": FILTERS, "current": current,
        "can_change": permissions.can_change_problems(user),
    })


def _page_context(user: User, problem: Problem, **extra: Any) -> dict[str, Any]:
    tickets = list(services.linked_tickets(problem))
    visible = [t for t in tickets if permissions.can_view_ticket(user, t)]
    can_change = permissions.can_change_problems(user)
    return {
        "problem": problem,
        "tickets": visible,
        "hidden_tickets": len(tickets) - len(visible),
        # The history names tickets; a developer reads the tier-3 ones only.
        "history_references": not permissions.sees_developer_tier_only(user),
        "impact": problem_impact(problem, show_values=permissions.can_see_contract_values(user)),
        "links": [(url, tracker_kind(url)) for url in problem.tracker_links or []],
        "changes": services.changes_of(problem),
        "can_change": can_change,
        "statuses": [(problem.status, _status_label(problem.status))] + [
            (value, _status_label(value)) for value in ProblemStatus.values
            if value in services.TRANSITIONS[problem.status]],
        "versions": list(Version.objects.select_related("product")
                         .order_by("product__name", "-released_on", "name"))
        if can_change else [],
        "released": problem_flow.is_released(problem.fix_version),
        "form": {},
        **extra,
    }


@desk_view
def problem_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    try:
        permissions.check_can_view_problems(user)
        problem = services.get_problem(pk)
    except FrontlineError as error:
        return error_page(request, error)
    return render_desk(request, "desk/problems/problem.html", _page_context(user, problem))


@desk_view
@require_POST
def problem_new(request: HttpRequest) -> HttpResponse:
    """A new problem, from the list's form or from a ticket (`ticket`: it is linked)."""
    user = desk_user(request)
    reference = request.POST.get("ticket", "").strip()
    try:
        tickets = services.tickets_from([reference], field="ticket") if reference else []
        title = request.POST.get("title", "") or (tickets[0].subject if tickets else "")
        problem = services.create_problem(user, title=title,
                                          description=request.POST.get("description", ""),
                                          tickets=tickets)
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Problem P-{problem.pk} recorded"
                     + (f" with {tickets[0].reference} linked." if tickets else "."))
    return redirect(problem.get_absolute_url())


@desk_view
@require_POST
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    try:
        problem = services.get_problem(pk)
    except FrontlineError as error:
        return error_page(request, error)
    changes = {field: request.POST.get(field, "") for field in EDIT_FIELDS
               if field in request.POST}
    try:
        problem, outcomes = problem_flow.update_problem(problem, user, changes)
    except FrontlineError as error:
        if not permissions.can_change_problems(user):
            return error_page(request, error)
        context = _page_context(user, problem, error=error.message, error_field=error.field,
                                form=changes)
        return render_desk(request, "desk/problems/problem.html", context,
                           status=error.status_code)
    messages.success(request, _outcome_notice("Saved. Told the fix to", outcomes)
                     if outcomes else "Saved.")
    return redirect(problem.get_absolute_url())


@desk_view
@require_POST
def problem_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    references = request.POST.get("references", "").replace(",", " ").split()
    try:
        permissions.check_can_change_problems(user)
        problem = services.get_problem(pk)
        added = services.link_tickets(problem, user, services.tickets_from(references))
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Linked {', '.join(t.reference for t in added)}." if added
                     else "Those tickets were linked already.")
    return redirect(problem.get_absolute_url())


@desk_view
@require_POST
def problem_unlink(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    user = desk_user(request)
    try:
        problem = services.get_problem(pk)
        ticket = workflow.get_ticket(reference)
        services.unlink_ticket(problem, user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Unlinked {ticket.reference}.")
    back = request.POST.get("next", "")
    return redirect(back if back == ticket.get_absolute_url() else problem.get_absolute_url())


@desk_view
def workaround(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (the message, and each ticket it goes to or skips and
    why); POST with `confirm`: send it."""
    user = desk_user(request)
    try:
        problem = services.get_problem(pk)
        permissions.check_can_change_problems(user)
        if not problem.workaround.strip():
            raise InvalidInput("Write the workaround down on the problem before sending it.",
                               field="workaround")
    except FrontlineError as error:
        return error_page(request, error)
    text = request.POST.get("text", problem.workaround) if request.method == "POST" \
        else problem.workaround
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            outcomes = problem_flow.push_workaround(problem, user, text)
        except FrontlineError as error:
            return error_page(request, error)
        messages.success(request, _outcome_notice("Sent the workaround to", outcomes))
        return redirect(problem.get_absolute_url())
    recipients = [(link.ticket, problem_flow.skip_reason(link, workaround=True))
                  for link in problem_flow.recipients(problem)]
    return render_desk(request, "desk/problems/workaround.html", {
        "problem": problem, "text": text,
        "going": [ticket for ticket, why in recipients if not why],
        "skipped": [(ticket, why) for ticket, why in recipients if why],
    })


# -- the ticket page's Problem box -------------------------------------------------------


def ticket_problem_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """For desk/tickets/_problem.html: the linked problem, or what it could link to."""
    problem = services.problem_of(ticket)
    can_change = permissions.can_change_problems(user)
    return {
        "ticket_problem": problem,
        "problem_can_change": can_change,
        "open_problems": list(Problem.objects.filter(status__in=OPEN_PROBLEM_STATUSES)
                              .order_by("-updated_at").values_list("pk", "title")[:50])
        if can_change and problem is None else [],
    }


@desk_view
@require_POST
def ticket_link(request: HttpRequest, reference: str) -> HttpResponse:
    """The ticket page's box: link this ticket to the chosen open problem."""
    user = desk_user(request)
    try:
        # Who may link is asked before what was picked (the authorization matrix test).
        permissions.check_can_change_problems(user)
        ticket = workflow.surviving_ticket(workflow.get_ticket(reference))
        value = request.POST.get("problem", "").strip()
        if not value:
            raise InvalidInput("Pick a problem.", field="problem")
        problem = services.get_problem(value)
        services.link_tickets(problem, user, [ticket])
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Linked to problem P-{problem.pk}.")
    return redirect(ticket.get_absolute_url())
