"""POST /tickets/{reference}/escalate, GET .../escalation-assessment, POST .../de-escalate."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from frontline.core.models import User
from frontline.routing.models import EscalationDecision
from frontline.tickets.models import Event, Ticket
from tests.api.conftest import ApiClient, api, field_errors  # noqa: F401  (fixture)

Api = Callable[[User | None], ApiClient]


def test_escalating_answers_with_the_ticket_and_the_assessment(
        api: Api, lena: User, dana: User, alices_ticket: Ticket) -> None:  # noqa: F811
    response = api(lena).post(f"/tickets/{alices_ticket.reference}/escalate", {
        "tier": 3, "reason": "Export service times out", "tried": "Raised the timeout"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision"] == "escalate"
    assert body["ticket"]["reference"] == alices_ticket.reference
    assert (body["ticket"]["tier"], body["ticket"]["team"]) == (3, "Engineering")
    assessment = body["assessment"]
    assert (assessment["from_tier"], assessment["to_tier"]) == (1, 3)
    assert assessment["estimated_cost"] == "660.00"  # the default 6 h x 110
    assert assessment["customer_value"] == "250000.00"
    assert assessment["plan"] == "Premium"
    assert assessment["recommendation"] == "escalate"
    assert assessment["why"][-1].startswith("Escalate:")
    assert EscalationDecision.objects.get(ticket=alices_ticket).reason == (
        "Export service times out")
    # The developer now sees it, with the escalation on its timeline.
    seen = api(dana).get(f"/tickets/{alices_ticket.reference}")
    assert seen.status_code == 200
    escalated = [e for e in seen.json()["timeline"] if e.get("kind") == "escalated"]
    assert escalated[0]["detail"]["promises"]["plan"] == "Premium"


def test_escalation_refusals(api: Api, lena: User, vera: User, dana: User,  # noqa: F811
                             bobs_ticket: Ticket) -> None:
    path = f"/tickets/{bobs_ticket.reference}/escalate"
    missing = api(lena).post(path, {"tier": 2, "tried": "Cookies"})
    assert missing.status_code == 422
    assert field_errors(missing) == {"reason": f"Say why {bobs_ticket.reference} needs tier 2."}
    lower = api(lena).post(path, {"tier": 1, "reason": "x"})
    assert lower.status_code == 422
    assert set(field_errors(lower)) == {"tier"}
    out_of_range = api(lena).post(path, {"tier": 4, "reason": "x"})
    assert out_of_range.status_code == 422
    wrong = api(lena).post(path, {"tier": 2, "reason": "x", "decision": "maybe"})
    assert wrong.status_code == 422
    assert api(vera).post(path, {"tier": 2, "reason": "x"}).status_code == 403
    assert api(dana).post(path, {"tier": 3, "reason": "x"}).status_code == 403
    assert api(None).post(path, {"tier": 2, "reason": "x"}).status_code == 401
    assert api(lena).post("/tickets/FL-99999/escalate",
                          {"tier": 2, "reason": "x"}).status_code == 404
    assert not EscalationDecision.objects.exists()


def test_the_assessment_alone_changes_nothing(api: Api, vera: User, dana: User,  # noqa: F811
                                              bobs_ticket: Ticket) -> None:
    path = f"/tickets/{bobs_ticket.reference}/escalation-assessment"
    response = api(vera).get(path, {"tier": 3})  # viewers may read it
    assert response.status_code == 200
    assert response.json()["customer_value"] == "12000.00"
    assert response.json()["recommendation"] == "escalate"
    assert api(vera).get(path, {"tier": 1}).status_code == 422
    assert api(dana).get(path, {"tier": 3}).status_code == 403
    assert not Event.objects.filter(ticket=bobs_ticket,
                                    kind__startswith="escalat").exists()


def test_a_workaround_decision_through_the_api(api: Api, lena: User,  # noqa: F811
                                               bobs_ticket: Ticket) -> None:
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/escalate", {
        "tier": 3, "reason": "Customer wants SSO", "decision": "workaround"})
    assert response.status_code == 200
    assert response.json()["decision"] == "workaround"
    assert response.json()["ticket"]["tier"] == 1


def test_de_escalating_through_the_api(api: Api, lena: User, dana: User, vera: User,  # noqa: F811
                                       bobs_ticket: Ticket) -> None:
    ref = bobs_ticket.reference
    api(lena).post(f"/tickets/{ref}/escalate", {"tier": 3, "reason": "Token bug"})
    assert api(vera).post(f"/tickets/{ref}/de-escalate", {"note": "x"}).status_code == 403
    missing = api(dana).post(f"/tickets/{ref}/de-escalate", {})
    assert missing.status_code == 422 and set(field_errors(missing)) == {"note"}
    response = api(dana).post(f"/tickets/{ref}/de-escalate",
                              {"note": "Fixed in 4.2.1; ask Bob to upgrade."})
    assert response.status_code == 200
    assert response.json()["tier"] == 1
    # Back at tier 1 the developer no longer sees it; a second hand-back is refused.
    assert api(dana).post(f"/tickets/{ref}/de-escalate", {"note": "x"}).status_code == 403
    again = api(lena).post(f"/tickets/{ref}/de-escalate", {"note": "x"})
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{"tier": 2, "reason": "x", "surprise": 1}, {"reason": "x"}])
def test_unknown_or_missing_fields_are_refused(api: Api, lena: User,  # noqa: F811
                                               bobs_ticket: Ticket, body: dict) -> None:
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/escalate", body)
    assert response.status_code == 422
