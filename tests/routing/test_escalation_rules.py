"""Time-based escalation rules, run by the worker with controlled time:
"To tier 2 when category is Installation and no resolution after 4 business hours"."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.core.models import User
from frontline.core.worker import FrontlineWorker
from frontline.notifications.models import Notification
from frontline.routing import ruleset
from frontline.routing.escalation_rules import escalate_due
from frontline.routing.models import EscalationRule, EscalationTrigger, RoutingRule, Team
from frontline.routing.sentences import describe
from frontline.routing.tasks import escalate_due as escalate_due_task
from frontline.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval
from frontline.tickets.models import Ticket

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 3 March 2025, Berlin time (day 3 = Monday)."""
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    ruleset.clear_cache()
    yield
    ruleset.clear_cache()


@pytest.fixture
def office_hours(db: None) -> BusinessCalendar:
    """Monday to Friday, 09:00-17:00 in Berlin."""
    calendar = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin")
    for weekday in range(5):
        WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start=time(9),
                                       end=time(17))
    return calendar


@pytest.fixture
def specialists(otto: User) -> Team:
    team = Team.objects.get(name="Specialists")
    team.lead = otto
    team.save()
    return team


@pytest.fixture
def four_hour_rule(frontdesk: Team, specialists: Team, installation: Any,
                   office_hours: BusinessCalendar, lena: User) -> EscalationRule:
    """Installation tickets go to Frontdesk (on office hours); unresolved after
    4 business hours they go to tier 2, Specialists."""
    frontdesk.calendar = office_hours
    frontdesk.save()
    RoutingRule.objects.create(name="Installation to Frontdesk", category=installation,
                               set_team=frontdesk)
    return EscalationRule.objects.create(
        name="Installation unresolved", category=installation,
        trigger=EscalationTrigger.NO_RESOLUTION, after_minutes=240, to_tier=2,
        to_team=specialists)


def installation_ticket(at: datetime, subject: str = "Installer stops at 80%") -> Ticket:
    return workflow.open_ticket(requester_email="bob@standard.example", subject=subject,
                                body="The installer hangs.", category="installation", at=at)


def run_worker_at(now: datetime) -> dict[str, int]:
    """The worker runs the escalation job as if the clock said `now`."""
    result = escalate_due_task.enqueue(now=now.isoformat())
    FrontlineWorker(batch=True, schedule=False, interval=0).run()
    return DBTaskResult.objects.get(id=result.id).return_value


def test_no_resolution_after_4_business_hours_moves_it_to_tier_2_through_the_worker(
        bob, four_hour_rule, specialists, otto):
    ticket = installation_ticket(berlin(3, 9))  # Monday 09:00

    assert run_worker_at(berlin(3, 12, 59))["escalated"] == 0
    ticket.refresh_from_db()
    assert ticket.tier == 1

    assert run_worker_at(berlin(3, 13, 0))["escalated"] == 1
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team) == (2, specialists)
    escalated = ticket.events.get(kind="escalated")
    sentence = ("To tier 2 (Specialists) when category is Installation and no resolution "
                "after 4 business hours")
    assert escalated.detail["reason"] == sentence == describe(four_hour_rule)
    assert escalated.actor is None
    assert Notification.objects.filter(user=otto, kind="escalated", ticket=ticket).exists()
    # Once is enough: the next run finds nothing to do.
    assert run_worker_at(berlin(3, 16))["escalated"] == 0
    assert ticket.events.filter(kind="escalated").count() == 1


def test_the_weekend_does_not_count(bob, four_hour_rule):
    ticket = installation_ticket(berlin(7, 15))  # Friday 15:00: two hours left that day

    escalate_due(berlin(8, 12))  # Saturday noon: 21 wall-clock hours, 2 business hours
    escalate_due(berlin(10, 10, 59))  # Monday 10:59
    ticket.refresh_from_db()
    assert ticket.tier == 1

    escalate_due(berlin(10, 11))  # Monday 11:00: 2 + 2 business hours
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_a_resolved_ticket_or_another_category_is_left_alone(bob, lena, four_hour_rule):
    resolved = installation_ticket(berlin(3, 9))
    workflow.add_reply(resolved, lena, "Fixed: run it as administrator.", status="resolved",
                       at=berlin(3, 10))
    other = workflow.open_ticket(requester_email="bob@standard.example", subject="Billing",
                                 body="Invoice question.", at=berlin(3, 9))

    assert escalate_due(berlin(4, 17))["escalated"] == 0
    resolved.refresh_from_db()
    other.refresh_from_db()
    assert (resolved.tier, other.tier) == (1, 1)


def test_never_down_a_tier(bob, four_hour_rule, lena):
    ticket = installation_ticket(berlin(3, 9))
    workflow.set_tier(ticket, lena, 3, reason="Needs tier 3")

    assert escalate_due(berlin(4, 17))["escalated"] == 0
    ticket.refresh_from_db()
    assert ticket.tier == 3


def test_no_first_response_stops_counting_at_the_first_reply(bob, lena, frontdesk, specialists,
                                                             installation):
    EscalationRule.objects.create(
        name="Unanswered", trigger=EscalationTrigger.NO_FIRST_RESPONSE, after_minutes=60,
        to_tier=2, to_team=specialists)
    answered = installation_ticket(berlin(3, 9), "Answered")
    workflow.add_reply(answered, lena, "Looking into it.", at=berlin(3, 9, 30))
    waiting = installation_ticket(berlin(3, 9), "Waiting")

    assert escalate_due(berlin(3, 10, 1))["escalated"] == 1  # around the clock: no calendar
    answered.refresh_from_db()
    waiting.refresh_from_db()
    assert (answered.tier, waiting.tier) == (1, 2)


def test_the_sla_policy_calendar_comes_before_the_teams(bob, four_hour_rule, standard_plan):
    """Bob's plan has a policy counted around the clock: Friday 15:00 + 4 hours is 19:00,
    although his team's office closes at 17:00."""
    always = BusinessCalendar.objects.create(name="Always", timezone="UTC")
    for weekday in range(7):
        WorkingInterval.objects.create(calendar=always, weekday=weekday, start=time(0),
                                       end=time(0))
    SlaPolicy.objects.create(plan=standard_plan, calendar=always, first_response_minutes=600)
    ticket = installation_ticket(berlin(7, 15))
    ticket.refresh_from_db()
    assert ticket.clock.sla_policy is not None

    escalate_due(berlin(7, 18, 59))
    ticket.refresh_from_db()
    assert ticket.tier == 1
    escalate_due(berlin(7, 19) + timedelta(seconds=1))
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_a_policy_without_a_calendar_counts_around_the_clock(bob, four_hour_rule,
                                                               standard_plan):
    """A policy with no calendar runs around the clock (Premium's kind): the team's
    office hours do not slow it down."""
    SlaPolicy.objects.create(plan=standard_plan, first_response_minutes=600)
    ticket = installation_ticket(berlin(7, 15))
    ticket.refresh_from_db()
    assert ticket.clock.sla_policy is not None and ticket.clock.sla_policy.calendar is None
    escalate_due(berlin(7, 19) + timedelta(seconds=1))
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_a_rule_escalation_hands_the_ticket_to_the_round_robin_of_the_rules_team(
        bob, lena, otto, four_hour_rule, specialists_round_robin):
    """Lena had it at tier 1; after four business hours the rule moves it to
    Specialists, whose round robin gives it to Otto."""
    ticket = installation_ticket(berlin(3, 9))
    workflow.assign(ticket, lena, lena, at=berlin(3, 9, 5))

    assert escalate_due(berlin(3, 13))["escalated"] == 1
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (2, specialists_round_robin, otto)
    event = ticket.events.filter(kind="assigned").latest("id")
    assert (event.actor, event.before, event.after) == (None, "lena", "otto")
    assert event.detail["reason"] == "moved to tier 2: round robin in Specialists"


def test_a_rule_escalation_to_a_manual_team_leaves_it_unassigned(bob, lena, four_hour_rule):
    ticket = installation_ticket(berlin(3, 9))
    workflow.assign(ticket, lena, lena, at=berlin(3, 9, 5))

    assert escalate_due(berlin(3, 13))["escalated"] == 1
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team.name, ticket.assignee) == (2, "Specialists", None)
    assert ticket.events.filter(kind="assigned").latest("id").after is None
