"""POST /tickets/{reference}/escalate hands the ticket over by the target team's
assignment mode; the assessment weighs the next tier up unless told otherwise."""

from __future__ import annotations

from collections.abc import Callable

from frontline.core.models import User
from frontline.routing.models import Team
from frontline.tickets.models import Event, Ticket
from tests.api.conftest import ApiClient

Api = Callable[[User | None], ApiClient]


def test_escalating_to_tier_2_with_a_round_robin_team_hands_the_ticket_to_a_tier_2_agent(
        api: Api, lena: User, otto: User, lenas_ticket: Ticket,
        specialists_round_robin: Team) -> None:
    response = api(lena).post(f"/tickets/{lenas_ticket.reference}/escalate", {
        "tier": 2, "reason": "Needs a specialist", "tried": "Cleared cookies"})
    assert response.status_code == 200, response.content
    ticket = response.json()["ticket"]
    assert (ticket["tier"], ticket["team"], ticket["assignee"]) == (2, "Specialists", "otto")
    event = Event.objects.filter(ticket=lenas_ticket, kind="assigned").latest("id")
    assert (event.before, event.after) == ("lena", "otto")


def test_escalating_to_a_manual_team_leaves_it_unassigned(
        api: Api, lena: User, otto: User, lenas_ticket: Ticket) -> None:
    response = api(lena).post(f"/tickets/{lenas_ticket.reference}/escalate", {
        "tier": 2, "reason": "Needs a specialist"})
    assert response.status_code == 200, response.content
    ticket = response.json()["ticket"]
    assert (ticket["tier"], ticket["team"], ticket["assignee"]) == (2, "Specialists", None)


def test_the_assessment_of_a_tier_1_ticket_weighs_tier_2_by_default(
        api: Api, lena: User, bobs_ticket: Ticket) -> None:
    path = f"/tickets/{bobs_ticket.reference}/escalation-assessment"
    response = api(lena).get(path)
    assert response.status_code == 200, response.content
    assert (response.json()["from_tier"], response.json()["to_tier"]) == (1, 2)
    assert api(lena).get(path, {"tier": 3}).json()["to_tier"] == 3
