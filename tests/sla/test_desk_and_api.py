"""The promises where people look: the desk's ticket panel and queues, and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.core.models import ApiToken
from frontline.sla.models import IncidentPremium
from frontline.tickets.models import Ticket
from frontline.workflow import promises
from tests.conftest import PASSWORD
from tests.sla.queues import due_queue_ids


@pytest.fixture
def lena_client(client, lena):
    assert client.login(username="lena", password=PASSWORD)
    return client


def open_for(email: str, hours_ago: float) -> Ticket:
    return workflow.open_ticket(requester_email=email, subject=f"Help {hours_ago}",
                                body="It broke.", at=timezone.now() - timedelta(hours=hours_ago))


def test_the_ticket_panel_shows_plan_policy_and_time_left(lena_client, alice, premium_policy,
                                                          rush_plan):
    ticket = open_for("alice@premium.example", 1)
    html = lena_client.get(ticket.get_absolute_url()).content.decode()
    assert "Promises" in html and "Premium" in html and "formal" in html
    assert "First response" in html
    assert "59 min left" in html or "1 h 0 min left" in html
    assert "Record a per-incident premium" in html and "Rush" in html


def test_a_breached_target_is_shown_late(lena_client, alice, premium_policy):
    ticket = open_for("alice@premium.example", 3)
    html = lena_client.get(ticket.get_absolute_url()).content.decode()
    assert 'class="sla-target breached' in html
    assert "missed by 1 h 00 min" in html  # the reports' rule and wording
    promises.scan_due()
    html = lena_client.get(ticket.get_absolute_url()).content.decode()
    assert "SLA breached: first response missed its target" in html


def test_an_agent_records_a_per_incident_premium(lena_client, bob, standard_policy, rush_plan):
    ticket = open_for("bob@standard.example", 0)
    page = lena_client.post(f"/t/{ticket.reference}/premium", {"plan": "rush", "price": "400"},
                            HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert "Rush recorded for this ticket (400.00)." in page.content.decode()
    premium = IncidentPremium.objects.get(ticket=ticket)
    assert (premium.plan, str(premium.price)) == (rush_plan, "400.00")
    refused = lena_client.post(f"/t/{ticket.reference}/premium", {"plan": "rush"},
                               HTTP_HX_REQUEST="true")
    assert refused.status_code == 409
    assert "already has a per-incident premium" in refused.content.decode()


def test_queues_sort_by_time_left_with_no_due_time_last(lena_client, alice, bob,
                                                        premium_policy):
    later = open_for("alice@premium.example", 0)
    sooner = open_for("alice@premium.example", 1)
    without = open_for("bob@standard.example", 0)  # no Standard policy here: no due time
    html = lena_client.get("/q/open?sort=due").content.decode()
    order = [html.index(t.reference) for t in (sooner, later, without)]
    assert order == sorted(order)
    assert "left</span>" in html and 'class="due none"' in html


def test_queue_pages_by_time_left_reach_the_tickets_without_due_time(lena, alice, bob,
                                                                     premium_policy):

    dated = [open_for("alice@premium.example", h / 10) for h in range(3)]
    undated = [open_for("bob@standard.example", 0) for _ in range(3)]
    seen = due_queue_ids(lena)
    assert seen == [t.pk for t in reversed(dated)] + [t.pk for t in undated]


def test_the_api_ticket_has_its_plan_and_promises(client, ada, alice, premium_policy):
    ticket = open_for("alice@premium.example", 3)
    _, key = ApiToken.issue(ada, name="tests")
    body = client.get(f"/api/v1/tickets/{ticket.reference}",
                      HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body["plan"] == "Premium"
    sla = body["sla"]
    assert set(sla) == {"policy", "formal", "first_response_due", "next_response_due",
                        "resolution_due", "paused", "breached"}
    assert sla["policy"] == "Premium, any priority"
    assert sla["formal"] is True and sla["paused"] is False
    assert sla["breached"] == ["first_response"]
    assert sla["next_response_due"] is None
    assert sla["first_response_due"].startswith(
        (ticket.created_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
