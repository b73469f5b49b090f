"""The escalation dialog on the ticket page, the hand-back to tier 1, and the
developer brief at the top of a tier-3 ticket.

(The developer brief is frontline.desk.views.developers.developer_brief.)

The dialog is loaded when the agent opens it (htmx), not with every ticket
page: weighing an escalation searches for similar tickets. It shows the facts
the next tier gets and warns when required ones are still missing. Without JavaScript
the same dialog is a page of its own. Every button (Escalate, Workaround,
Decline) calls frontline.routing.escalation.escalate, which records the choice.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput
from frontline.core.inputs import whole_number
from frontline.core.models import User
from frontline.core.tiers import TIERS
from frontline.desk.views.common import desk_user, desk_view, error_page, is_htmx, render_desk
from frontline.desk.views.developers import BRIEF_SIMILAR, visible_similar
from frontline.desk.views.tickets import changed_response, load_ticket
from frontline.intake import facts as intake_facts
from frontline.routing import escalation
from frontline.routing.assessment import assess
from frontline.routing.models import Recommendation, Team
from frontline.tickets.models import Ticket

DIALOG_FIELDS = ("reason", "tier", "team", "tried", "decision")


# -- the dialog -------------------------------------------------------------------


def _dialog_context(user: User, ticket: Ticket, *, tier: int | None = None,
                    team: str = "", reason: str = "", tried: str | None = None,
                    error: FrontlineError | None = None) -> dict[str, Any]:
    tiers = [t for t in TIERS if t > ticket.tier]
    proposed = escalation.next_tier(ticket)
    assert proposed is not None  # the dialog refuses a ticket at the top tier
    chosen = tier if tier in tiers else proposed
    assessment = assess(ticket, chosen)
    default = escalation.default_team(ticket, chosen)
    similar = visible_similar(user, assessment.similar_open[:BRIEF_SIMILAR])
    # What the next tier gets, and what it will have to ask (one query; the questions
    # asked are held by the process, frontline.intake.questions.questions_for).
    known = intake_facts.facts_of(ticket)
    return {
        "ticket": ticket,
        "tiers": tiers,
        "tier": chosen,
        "teams": list(Team.objects.filter(tier=chosen).order_by("name")),
        "team": team or (str(default.pk) if default else ""),
        "has_default_team": default is not None,
        "reason": reason,
        "tried": escalation.prefill_tried(ticket) if tried is None else tried,
        "assessment": assessment,
        "similar": similar,
        "ticket_facts": known,
        "missing_facts": intake_facts.missing(ticket, known),
        "decisions": [(value, label, value == assessment.recommendation)
                      for value, label in Recommendation.choices],
        "error": error.message if error else None,
        "error_field": error.field if error else None,
    }


def _tier(value: str | None) -> int | None:
    return whole_number(value)


@desk_view
def dialog(request: HttpRequest, reference: str) -> HttpResponse:
    """The dialog (a partial for htmx, a page without JavaScript), for `?tier=`."""
    user = desk_user(request)
    try:
        ticket = load_ticket(reference)
        permissions.check_can_escalate_ticket(user, ticket)
        if ticket.tier >= max(TIERS):
            raise InvalidInput(f"{ticket.reference} is at the top tier already.", field="tier")
    except FrontlineError as error:
        return error_page(request, error)
    context = _dialog_context(user, ticket, tier=_tier(request.GET.get("tier")),
                              reason=request.GET.get("reason", ""),
                              tried=request.GET.get("tried"))
    if is_htmx(request):
        return render(request, "desk/tickets/_escalation_dialog.html", context)
    return render_desk(request, "desk/tickets/escalation_page.html", context)


@desk_view
@require_POST
def escalate(request: HttpRequest, reference: str) -> HttpResponse:
    """One of the dialog's buttons: escalate, workaround or decline (all recorded)."""
    user = desk_user(request)
    tier = _tier(request.POST.get("tier"))
    team = request.POST.get("team", "")
    reason = request.POST.get("reason", "")
    tried = request.POST.get("tried", "")
    decision = request.POST.get("decision", Recommendation.ESCALATE)
    since = timezone.now()
    try:
        ticket = load_ticket(reference)
    except FrontlineError as error:
        return error_page(request, error)
    try:
        done = escalation.escalate(ticket, user, tier or request.POST.get("tier", ""),
                                   reason=reason, tried=tried, team=team or None,
                                   decision=decision)
    except FrontlineError as error:
        if (error.field not in DIALOG_FIELDS or not permissions.can_escalate_ticket(user, ticket)
                or escalation.next_tier(ticket) is None):
            # At the top tier there is no dialog to show again.
            return error_page(request, error)
        # The dialog again, with what was typed and the error next to its field.
        context = _dialog_context(user, ticket, tier=tier, team=team, reason=reason,
                                  tried=tried, error=error)
        if is_htmx(request):
            response = render(request, "desk/tickets/_escalation_dialog.html", context,
                              status=error.status_code)
            response["HX-Retarget"] = "#escalation-dialog"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render_desk(request, "desk/tickets/escalation_page.html", context,
                           status=error.status_code)
    if done.moved:
        team_name = f" ({done.ticket.team.name})" if done.ticket.team else ""
        notice = f"Escalated to tier {done.decision.to_tier}{team_name}."
    else:
        notice = f"{escalation.decision_label(done.decision.decision)} recorded; the ticket " \
                 f"stays at tier {done.ticket.tier}."
    if not is_htmx(request):
        return redirect(done.ticket.get_absolute_url())
    return changed_response(request, user, done.ticket.pk, since, main="desk/_flash.html",
                            extra={"notice": notice})


@desk_view
@require_POST
def de_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    """Back to tier 1. A developer no longer sees the ticket then: they go to /dev."""
    user = desk_user(request)
    since = timezone.now()
    try:
        ticket = load_ticket(reference)
        ticket = escalation.de_escalate(ticket, user, note=request.POST.get("note", ""))
    except FrontlineError as error:
        return error_page(request, error)
    if not permissions.can_view_ticket(user, ticket):
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Location"] = "/dev"
            return response
        return redirect("/dev")
    if not is_htmx(request):
        return redirect(ticket.get_absolute_url())
    return changed_response(request, user, ticket.pk, since, main="desk/_flash.html",
                            extra={"notice": "Back at tier 1 for customer communication."})

