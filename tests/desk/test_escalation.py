"""The desk's escalation dialog proposes the next tier up, and an escalation from
it hands the ticket over by the target team's assignment mode."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from frontline.core.models import User
from frontline.routing.escalation import escalate
from frontline.routing.models import Team
from frontline.tickets.models import Ticket
from tests.desk.conftest import HTMX

SignIn = Callable[[User], Client]


def test_a_tier_1_tickets_escalation_dialog_proposes_tier_2(
        signed_in: SignIn, lena: User, otto: User, dana: User, bobs_ticket: Ticket) -> None:
    """Tier 2 (Specialists) first, not the developers."""
    dialog = signed_in(lena).get(f"/t/{bobs_ticket.reference}/escalation", **HTMX)
    assert dialog.status_code == 200
    html = dialog.content.decode()
    assert '<option value="2" selected>Tier 2</option>' in html
    assert '<option value="3">Tier 3 (developers)</option>' in html
    specialists = Team.objects.get(name="Specialists")
    assert f'<option value="{specialists.pk}" selected>Specialists</option>' in html
    assert "Why it needs tier 2" in html


def test_a_tier_2_tickets_escalation_dialog_proposes_tier_3(
        signed_in: SignIn, lena: User, otto: User, dana: User, bobs_ticket: Ticket) -> None:
    escalate(bobs_ticket, lena, 2, reason="Needs a specialist", tried="")
    dialog = signed_in(otto).get(f"/t/{bobs_ticket.reference}/escalation", **HTMX)
    assert dialog.status_code == 200
    html = dialog.content.decode()
    assert '<option value="3" selected>Tier 3 (developers)</option>' in html
    assert '<option value="2"' not in html


def test_escalating_from_the_dialog_hands_the_ticket_to_a_tier_2_agent(
        signed_in: SignIn, lena: User, otto: User, lenas_ticket: Ticket,
        specialists_round_robin: Team) -> None:
    done = signed_in(lena).post(f"/t/{lenas_ticket.reference}/escalate", {
        "tier": "2", "team": str(specialists_round_robin.pk), "reason": "Needs a specialist",
        "tried": "Cleared cookies", "decision": "escalate"}, **HTMX)
    assert done.status_code == 200
    ticket = Ticket.objects.get(pk=lenas_ticket.pk)
    assert (ticket.tier, ticket.team, ticket.assignee) == (2, specialists_round_robin, otto)
