"""Escalation: weigh a move up a tier, make it (or record a workaround or a
decline instead), and hand a ticket back to tier 1.

Mounted under /tickets next to the tickets router. Viewers get 403 on the
writes; a developer gets 403 for a ticket below tier 3 (they cannot see it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from frontline import workflow
from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, Text
from frontline.api.tickets import TicketOut, ticket_out, tickets_for_api
from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.routing import escalation
from frontline.routing.assessment import Assessment, assess
from frontline.tickets.models import Ticket, format_reference

router = Router(tags=["escalation"])

DecisionName = Literal["escalate", "workaround", "decline"]
Tier = Annotated[int, Field(ge=1, le=3)]


class AssessmentOut(Schema):
    from_tier: int
    to_tier: int
    estimated_hours: Decimal = Field(description="Mean time tracked at `to_tier` on similar "
                                                 "escalations, or the configured default.")
    hours_basis: str = Field(description="What the hours are averaged over: 'category and "
                                         "product', 'category', 'product' or 'default'.")
    similar_escalations: int
    hourly_cost: Decimal
    estimated_cost: Decimal
    currency: str
    plan: str | None
    annual_value: Decimal
    incident_premium: Decimal | None = Field(description="Price of a per-incident premium "
                                                         "bought for this ticket.")
    customer_value: Decimal = Field(description="annual_value plus incident_premium.")
    reach_tickets: int = Field(description="Other open tickets reporting something similar.")
    reach_organizations: int = Field(description="Other organizations among them.")
    similar_open: list[str] = Field(description="References of those tickets, best match first.")
    developer_budget_hours: Decimal
    developer_hours_used: Decimal = Field(description="Developer hours tracked this week.")
    recommendation: DecisionName
    why: list[str] = Field(description="The reasons, as sentences.")


class EscalationOut(Schema):
    ticket: TicketOut
    decision: DecisionName = Field(description="What was chosen; only 'escalate' moves the "
                                               "ticket.")
    assessment: AssessmentOut


class EscalateIn(InputSchema):
    tier: Tier
    reason: Text = Field("", description="Why it needs that tier (required).")
    tried: Text = Field("", description="What was tried so far.")
    team: Text | None = Field(None, description="A team name or id at that tier; by default "
                                                "the ticket's team or the only team there.")
    decision: DecisionName = Field(
        "escalate", description="escalate moves the ticket; workaround and decline record "
                                "the weighing and leave the ticket where it is.")


class DeEscalateIn(InputSchema):
    note: Text = Field("", description="What tier 1 should tell the customer (required).")


class AssessmentQuery(Schema):
    tier: Tier | None = Field(None, description="The tier to weigh; by default the next one "
                                                "up (tier 1 is weighed for tier 2).")


def assessment_out(assessment: Assessment) -> dict[str, Any]:
    value = assessment.value
    return {
        "from_tier": assessment.from_tier, "to_tier": assessment.to_tier,
        "estimated_hours": assessment.estimated_hours, "hours_basis": assessment.hours_basis,
        "similar_escalations": assessment.similar_escalations,
        "hourly_cost": assessment.hourly_cost, "estimated_cost": assessment.estimated_cost,
        "currency": assessment.currency, "plan": value.plan_name,
        "annual_value": value.annual, "incident_premium": value.premium_price,
        "customer_value": value.total, "reach_tickets": assessment.reach_tickets,
        "reach_organizations": assessment.reach_organizations,
        "similar_open": [format_reference(pk) for pk in assessment.similar_open[:20]],
        "developer_budget_hours": assessment.budget_hours,
        "developer_hours_used": assessment.budget_used,
        "recommendation": assessment.recommendation, "why": assessment.why,
    }


def visible_ticket(user: User, reference: str) -> Ticket:
    ticket = workflow.get_ticket(reference)
    permissions.check_can_view_ticket(user, ticket)
    return ticket


def _fresh(pk: int) -> dict[str, Any]:
    return ticket_out(tickets_for_api().get(pk=pk))


@router.get("/{reference}/escalation-assessment",
            response={200: AssessmentOut, **ERROR_RESPONSES})
def escalation_assessment(request: HttpRequest, reference: str,
                          query: Query[AssessmentQuery]) -> dict[str, Any]:
    """What escalating to `tier` would cost, what the customer is worth, how many
    others it reaches, and what we recommend (nothing changes). 422 when the
    ticket is already at or above `tier` (by default the next tier up)."""
    ticket = visible_ticket(request_user(request), reference)
    tier = query.tier if query.tier is not None else escalation.next_tier(ticket)
    if tier is None or tier <= ticket.tier:
        raise InvalidInput(f"{ticket.reference} is at tier {ticket.tier}; an escalation goes "
                           "to a higher tier.", field="tier")
    return assessment_out(assess(ticket, tier))


@router.post("/{reference}/escalate", response={200: EscalationOut, **ERROR_RESPONSES})
def escalate(request: HttpRequest, reference: str, payload: EscalateIn) -> dict[str, Any]:
    """Escalate to a higher `tier` with a `reason` and what was `tried`.

    The answer has the ticket as it is now and the assessment the decision was
    made on. 422 when the reason is missing or the tier is not higher; 403 for
    viewers (and developers, who receive escalations rather than make them).
    """
    user = request_user(request)
    ticket = visible_ticket(user, reference)  # a merged ticket: 409 (tickets.services.entry)
    done = escalation.escalate(ticket, user, payload.tier, reason=payload.reason,
                               tried=payload.tried, team=payload.team,
                               decision=payload.decision)
    return {"ticket": _fresh(done.ticket.pk), "decision": done.decision.decision,
            "assessment": assessment_out(done.assessment)}


@router.post("/{reference}/de-escalate", response={200: TicketOut, **ERROR_RESPONSES})
def de_escalate(request: HttpRequest, reference: str, payload: DeEscalateIn) -> dict[str, Any]:
    """Back to tier 1 for customer communication, with a `note` for tier 1.
    409 when the ticket is already at tier 1."""
    user = request_user(request)
    ticket = visible_ticket(user, reference)  # a merged ticket: 409 (tickets.services.entry)
    escalation.de_escalate(ticket, user, note=payload.note)
    return _fresh(ticket.pk)
