"""One owner per rule: each rule answers the same whichever face asks (issue 8)."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import NotAllowed
from frontline.routing.models import EscalationDecision
from frontline.sla.models import SlaPolicy
from frontline.tickets.models import Event, Ticket
from frontline.tickets.services.state import change_field
from frontline.workflow import promises
from tests.desk.conftest import HTMX

# -- the tier has one writer ------------------------------------------------------


@pytest.fixture
def escalated_to_developers(bobs_ticket: Ticket, otto) -> Ticket:
    return workflow.set_tier(bobs_ticket, otto, 3, reason="Crash in the exporter")


def test_developers_patch_of_the_tier_is_refused_with_the_escalations_error(
        api, dana, escalated_to_developers):
    reference = escalated_to_developers.reference
    escalate = api(dana).post(f"/tickets/{reference}/escalate",
                              {"tier": 1, "reason": "Back to you", "tried": ""})
    patch = api(dana).patch(f"/tickets/{reference}", {"tier": 1, "reason": "Back to you"})
    assert escalate.status_code == patch.status_code == 403
    assert patch.json()["detail"] == escalate.json()["detail"]
    escalated_to_developers.refresh_from_db()
    assert escalated_to_developers.tier == 3


def test_agents_patch_of_the_tier_is_an_escalation_with_its_record(api, lena, bobs_ticket):
    response = api(lena).patch(f"/tickets/{bobs_ticket.reference}",
                               {"tier": 2, "reason": "The SSO bridge needs a specialist"})
    assert response.status_code == 200, response.json()
    decision = EscalationDecision.objects.get(ticket=bobs_ticket)
    assert (decision.from_tier, decision.to_tier, decision.actor) == (1, 2, lena)
    assert decision.reason == "The SSO bridge needs a specialist"
    assert Event.objects.filter(ticket=bobs_ticket, kind="escalated").count() == 1


def test_a_patch_of_the_tier_must_say_why(api, lena, bobs_ticket):
    response = api(lena).patch(f"/tickets/{bobs_ticket.reference}", {"tier": 2})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_the_desk_has_no_tier_field_to_side_step_escalation(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/set/tier",
                                    {"value": "3"}, **HTMX)
    assert response.status_code in (400, 422)
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.tier == 1


def test_a_generic_field_change_cannot_write_the_tier(bobs_ticket):
    with pytest.raises(ValueError, match="escalation"):
        change_field(bobs_ticket, None, "tier", 3, 3, 1, "tier_changed", bobs_ticket.created_at)


def test_a_breach_that_moves_the_tier_escalates_with_a_decision(bobs_ticket, standard_plan):
    SlaPolicy.objects.create(plan=standard_plan, first_response_minutes=60, move_to_tier=2,
                             formal=True)
    from frontline.sla import clock

    clock.clear_cache()
    clock.refresh(bobs_ticket, bobs_ticket.created_at)
    bobs_ticket.save()
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.clock.first_response_due is not None
    promises.scan_due(bobs_ticket.clock.first_response_due)
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.tier == 2
    decision = EscalationDecision.objects.get(ticket=bobs_ticket)
    assert decision.actor is None and decision.to_tier == 2
    assert "SLA target missed" in decision.reason


# -- who may open a ticket ----------------------------------------------------------


def test_a_developer_may_not_open_a_ticket_through_the_api(api, dana, bob):
    response = api(dana).post("/tickets", {"requester_email": "bob@standard.example",
                                           "subject": "Export", "body": "It fails."})
    assert response.status_code == 403
    assert "support agents do" in response.json()["detail"]
    assert not Ticket.objects.filter(subject="Export").exists()


def test_an_agent_opens_a_ticket_for_a_caller(api, lena, bob):
    response = api(lena).post("/tickets", {"requester_email": "bob@standard.example",
                                           "subject": "Export", "body": "It fails."})
    assert response.status_code == 201, response.json()


# -- an organization's plan and contract: admins, from the desk or the API ---------------


def test_an_agents_patch_of_the_plan_is_refused_like_the_desk(api, signed_in, lena, initech,
                                                              premium_plan, standard_plan):
    patch = api(lena).patch(f"/organizations/{initech.pk}", {"plan": "premium"})
    desk = signed_in(lena).post(f"/o/{initech.pk}/plan", {"plan": "premium"})
    assert patch.status_code == desk.status_code == 403
    assert "Only an admin may change an organization's plan" in patch.json()["detail"]
    initech.refresh_from_db()
    assert initech.plan == standard_plan


def test_an_agent_still_edits_the_rest_of_the_organization(api, lena, initech, standard_plan):
    response = api(lena).patch(f"/organizations/{initech.pk}", {"notes": "Prefers mail"})
    assert response.status_code == 200, response.json()
    initech.refresh_from_db()
    assert initech.notes == "Prefers mail" and initech.plan == standard_plan


def test_an_admins_patch_of_the_plan_moves_the_open_tickets_promises(api, ada, initech,
                                                                     bobs_ticket, premium_plan):
    SlaPolicy.objects.create(plan=premium_plan, first_response_minutes=120, formal=True)
    response = api(ada).patch(f"/organizations/{initech.pk}",
                              {"plan": "premium", "plan_ends_on": "2099-12-31"})
    assert response.status_code == 200, response.json()
    assert response.json()["plan"] == "premium"
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.clock.plan == premium_plan
    assert bobs_ticket.clock.first_response_due is not None


def test_customers_services_refuse_the_contract_side_door(lena, initech):
    from frontline.core.errors import InvalidInput
    from frontline.customers import services as customers

    with pytest.raises(InvalidInput):
        customers.update_organization(lena, initech, plan="premium")


def test_a_viewer_cannot_be_given_tickets(lena, vera, bobs_ticket):
    from frontline.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="viewer"):
        workflow.assign(bobs_ticket, lena, vera)
    with pytest.raises(NotAllowed):
        workflow.assign(bobs_ticket, vera, lena)
