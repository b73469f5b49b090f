"""The SLA clock: which plan and policy apply, due times, pauses and measurements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.sla import clock
from frontline.sla import services as sla
from frontline.sla.models import SlaMeasurement
from frontline.tickets.models import Event, Status, Ticket
from frontline.workflow import organizations
from tests.sla.conftest import berlin

HOUR = timedelta(hours=1)


def open_for(email: str, at, **extra) -> Ticket:
    return workflow.open_ticket(requester_email=email, subject="Export fails",
                                body="The nightly export fails with a timeout.", at=at, **extra)


def test_a_premium_ticket_is_due_two_hours_after_it_arrives(alice, premium_policy):
    at = berlin(2025, 3, 14, 19, 0)
    ticket = open_for("alice@premium.example", at)
    ticket.refresh_from_db()
    assert ticket.clock.plan.name == "Premium"
    assert ticket.clock.sla_policy == premium_policy
    assert ticket.clock.first_response_due == at + 2 * HOUR
    assert ticket.clock.next_response_due is None
    assert ticket.clock.resolution_due == at + 24 * HOUR
    assert ticket.clock.sla_due == ticket.clock.first_response_due
    # The scan looks again at 75 % of the first two hours.
    assert ticket.clock.sla_check_at == at + timedelta(minutes=90)


def test_a_standard_ticket_on_friday_evening_is_due_on_monday(bob, standard_policy):
    ticket = open_for("bob@standard.example", berlin(2025, 3, 14, 19, 0))
    ticket.refresh_from_db()
    assert ticket.clock.first_response_due == berlin(2025, 3, 17, 17, 0)
    # Resolution: five business days, counted from Monday morning.
    assert ticket.clock.resolution_due == berlin(2025, 3, 21, 17, 0)
    # 75 % of eight business hours: Monday 15:00.
    assert ticket.clock.sla_check_at == berlin(2025, 3, 17, 15, 0)


def test_a_contact_without_organization_gets_the_default_plan(standard_policy, premium_policy):
    ticket = open_for("walk-in@nowhere.example", berlin(2025, 3, 10, 10, 0))
    assert ticket.clock.plan.name == "Standard"
    # Seven business hours on Monday, the eighth on Tuesday morning.
    assert ticket.clock.first_response_due == berlin(2025, 3, 11, 10, 0)


def test_an_expired_contract_falls_back_to_the_default_plan(alice, globex, standard_policy,
                                                            premium_policy):
    globex.plan_ends_on = date(2025, 2, 28)
    globex.save()
    ticket = open_for("alice@premium.example", berlin(2025, 3, 10, 10, 0))
    assert ticket.clock.plan.name == "Standard"


def test_the_first_reply_meets_the_first_response_target(alice, lena, premium_policy):
    at = berlin(2025, 3, 10, 10, 0)
    ticket = open_for("alice@premium.example", at)
    workflow.add_reply(ticket, lena, "Looking into it.", at=at + 30 * timedelta(minutes=1))
    ticket.refresh_from_db()
    assert ticket.clock.first_response_due is None
    assert ticket.clock.next_response_due is None
    assert ticket.clock.sla_due == ticket.clock.resolution_due
    measurement = SlaMeasurement.objects.get(ticket=ticket)
    assert measurement.target == "first_response"
    assert measurement.met_at == at + timedelta(minutes=30)
    assert measurement.business_seconds == 1800
    assert measurement.breached_at is None


def test_each_customer_message_after_our_reply_starts_a_next_response_target(
        alice, lena, premium_policy):
    at = berlin(2025, 3, 10, 10, 0)
    ticket = open_for("alice@premium.example", at)
    workflow.add_reply(ticket, lena, "Can you send the log?", at=at + HOUR)
    workflow.add_customer_message(ticket, alice, "Here it is.", at=at + 3 * HOUR)
    ticket.refresh_from_db()
    assert ticket.clock.next_response_due == at + 7 * HOUR
    assert ticket.clock.sla_due == ticket.clock.next_response_due
    workflow.add_reply(ticket, lena, "Thanks, fixed.", at=at + 4 * HOUR)
    ticket.refresh_from_db()
    assert ticket.clock.next_response_due is None
    met = SlaMeasurement.objects.get(ticket=ticket, target="next_response")
    assert met.business_seconds == 3600


def test_an_automatic_reply_starts_no_next_response_target(alice, lena, premium_policy):
    at = berlin(2025, 3, 10, 10, 0)
    ticket = open_for("alice@premium.example", at)
    workflow.add_reply(ticket, lena, "Can you send the log?", at=at + HOUR)
    workflow.add_customer_message(ticket, alice, "I am out of office.", at=at + 2 * HOUR,
                                  automatic=True)
    ticket.refresh_from_db()
    assert ticket.clock.next_response_due is None


def test_the_clock_pauses_while_pending_customer(alice, lena, premium_policy):
    at = berlin(2025, 3, 10, 10, 0)
    ticket = open_for("alice@premium.example", at)
    workflow.add_reply(ticket, lena, "Which version do you run?", status="pending_customer",
                       at=at + HOUR)
    ticket.refresh_from_db()
    assert ticket.clock.sla_paused_at == at + HOUR
    assert ticket.clock.sla_due is None and ticket.clock.sla_check_at is None
    assert clock.summary(ticket, at + 2 * HOUR)["paused"] is True

    workflow.add_customer_message(ticket, alice, "Version 4.2.", at=at + 4 * HOUR)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.clock.sla_paused_at is None
    assert ticket.clock.sla_paused_seconds == 3 * 3600
    # Three hours waiting on Alice push the resolution target out by three hours.
    assert ticket.clock.resolution_due == at + 27 * HOUR
    kinds = list(ticket.events.filter(kind__startswith="sla_").values_list("kind", flat=True))
    assert kinds == ["sla_paused", "sla_resumed"]


def test_a_pause_on_a_business_calendar_counts_business_time_only(bob, lena, standard_policy):
    at = berlin(2025, 3, 14, 16, 0)  # Friday
    ticket = open_for("bob@standard.example", at)
    workflow.add_reply(ticket, lena, "Please send the log.", status="pending_customer",
                       at=at + timedelta(minutes=30))
    workflow.add_customer_message(ticket, bob, "Attached.", at=berlin(2025, 3, 17, 10, 0))
    ticket.refresh_from_db()
    # Paused Friday 16:30 to Monday 10:00: 30 min Friday + 1 h Monday of business time.
    assert ticket.clock.sla_paused_seconds == 90 * 60


def test_resolving_clears_the_dues_and_measures_the_resolution(alice, lena, premium_policy):
    at = berlin(2025, 3, 10, 10, 0)
    ticket = open_for("alice@premium.example", at)
    workflow.add_reply(ticket, lena, "Fixed.", status="resolved", at=at + 5 * HOUR)
    ticket.refresh_from_db()
    assert (ticket.clock.first_response_due, ticket.clock.resolution_due, ticket.clock.sla_due,
            ticket.clock.sla_check_at) == (None, None, None, None)
    resolution = SlaMeasurement.objects.get(ticket=ticket, target="resolution")
    assert resolution.business_seconds == 5 * 3600
    assert resolution.due_at == at + 24 * HOUR


def test_a_priority_with_its_own_policy_moves_the_due_times(alice, lena, premium_urgent_policy):
    ticket = open_for("alice@premium.example", timezone.now())
    workflow.set_priority(ticket, lena, "urgent")
    ticket.refresh_from_db()
    assert ticket.clock.sla_policy == premium_urgent_policy
    assert ticket.clock.first_response_due == ticket.created_at + timedelta(minutes=30)


def test_a_per_incident_premium_moves_a_standard_ticket_onto_its_plan(bob, lena,
                                                                      standard_policy, rush_plan):
    ticket = open_for("bob@standard.example", timezone.now() - HOUR)
    premium = sla.buy_incident_premium(ticket, lena, rush_plan)
    assert str(premium.price) == "450.00"
    ticket.refresh_from_db()
    assert ticket.clock.plan == rush_plan
    assert ticket.clock.first_response_due == ticket.created_at + HOUR
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {"incident_premium", "plan_changed"} <= kinds
    # It stays on the premium after the next change.
    workflow.add_customer_message(ticket, bob, "Any news?")
    ticket.refresh_from_db()
    assert ticket.clock.plan == rush_plan


def test_only_per_incident_plans_are_sold_per_incident(bob, lena, standard_policy,
                                                       premium_plan):
    ticket = open_for("bob@standard.example", timezone.now())
    with pytest.raises(Exception, match="not sold per incident"):
        sla.buy_incident_premium(ticket, lena, premium_plan, "100")


def test_an_organization_moving_to_premium_moves_its_open_tickets(
        ada, bob, initech, standard_policy, premium_policy):
    ticket = open_for("bob@standard.example", timezone.now())
    organizations.update_organization(ada, initech, plan="premium")
    ticket.refresh_from_db()
    assert ticket.clock.plan.name == "Premium"
    assert ticket.clock.first_response_due == ticket.created_at + 2 * HOUR
    event = Event.objects.get(ticket=ticket, kind="plan_changed")
    assert (event.before, event.after) == ("Standard", "Premium")


def test_refresh_costs_one_write_and_no_reads_when_warm(alice, premium_policy,
                                                        django_assert_num_queries):
    open_for("alice@premium.example", timezone.now())  # warms the cache
    ticket = open_for("alice@premium.example", timezone.now())
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket.clock.first_response_due = None
    with django_assert_num_queries(1):
        clock.refresh(ticket, timezone.now())


def test_summary_has_the_api_keys(alice, premium_policy):
    at = timezone.now()
    ticket = open_for("alice@premium.example", at)
    summary = clock.summary(ticket, at + 3 * HOUR)
    assert set(summary) == {"plan", "policy", "formal", "first_response_due",
                            "next_response_due", "resolution_due", "paused", "breached"}
    assert summary["plan"] == "Premium"
    assert summary["policy"] == "Premium, any priority"
    assert summary["formal"] is True
    assert summary["breached"] == ["first_response"]
