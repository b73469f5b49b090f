"""Stories of new tickets finding their team: routing rules set team, tier,
priority and tags; on-arrival escalation rules lift the tier; the team's
assignment mode picks an owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline import workflow
from frontline.core.models import Role, User
from frontline.notifications.models import Notification
from frontline.routing import rules, ruleset
from frontline.routing.models import (
    Assignment,
    EscalationRule,
    EscalationTrigger,
    RoutingRule,
    Team,
)
from frontline.tickets.models import Priority, Ticket
from tests.factories import TeamFactory, UserFactory
from tests.mail.inbound_mails import compose, deliver


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    ruleset.clear_cache()
    yield
    ruleset.clear_cache()


@pytest.fixture
def installation_team(lena: User) -> Team:
    """Installation: tier 1, round robin over Lena, Mia and Noah."""
    team = TeamFactory(name="Installation", tier=1, assignment=Assignment.ROUND_ROBIN)
    mia = UserFactory(username="mia", role=Role.AGENT, tier=1)
    noah = UserFactory(username="noah", role=Role.AGENT, tier=1)
    team.members.add(lena, mia, noah)
    return team


@pytest.fixture
def install_rule(installation_team: Team, installation: Any) -> RoutingRule:
    return RoutingRule.objects.create(
        position=1, name="Installation questions", words="install, setup, set up",
        set_team=installation_team, set_tags="installation")


@pytest.fixture
def specialists(otto: User) -> Team:
    team = Team.objects.get(name="Specialists")
    team.lead = otto
    team.save()
    return team


def open_from(email: str, subject: str, body: str = "Please help.", **extra: Any) -> Ticket:
    return workflow.open_ticket(requester_email=email, subject=subject, body=body, **extra)


def event_kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("at", "pk").values_list("kind", flat=True))


# -- the stories ----------------------------------------------------------------------


def test_a_mail_about_installing_goes_to_installation_round_robin_skipping_lena_who_is_away(
        bob, lena, install_rule):
    lena.away = True
    lena.save()

    first = deliver(compose(subject="How do I install the agent on Windows?",
                            body="The installer stops at 80%.")).ticket
    second = deliver(compose(subject="Setup question", body="Which port does it use?")).ticket
    third = deliver(compose(subject="Install again", body="Same problem as before.")).ticket
    assert first is not None and second is not None and third is not None

    for ticket in (first, second, third):
        ticket.refresh_from_db()
        assert ticket.team is not None and ticket.team.name == "Installation"
        assert ticket.tier == 1
        assert list(ticket.tags.values_list("name", flat=True)) == ["installation"]
    # Round robin in a stable order, Lena (away) skipped, wrapping around.
    assert [t.assignee.username for t in (first, second, third)] == ["mia", "noah", "mia"]
    routed = first.events.get(kind="routed")
    assert routed.detail["rules"] == ["Installation questions"]
    assert routed.after == {"team": "Installation", "tags": ["installation"]}
    assert first.events.get(kind="assigned").after == "mia"
    assert first.events.get(kind="team_changed").after == "Installation"
    assert first.events.get(kind="tags_changed").after == ["installation"]
    # The timeline tells the routing once (issue 12), the rows stay for the record.
    from frontline.tickets.selectors import timeline
    kinds = [entry.event.kind for entry in timeline(first) if entry.event]
    assert kinds.count("routed") == 1
    assert "team_changed" not in kinds and "tags_changed" not in kinds


def test_words_match_whole_words_only_in_any_case(bob, install_rule):
    reinstalled = open_from("bob@standard.example", "Reinstalled yesterday, now slow")
    shouting = open_from("bob@standard.example", "Urgent", body="We must SET  UP a new node")

    assert reinstalled.team is None
    assert not reinstalled.events.filter(kind="routed").exists()
    assert shouting.team is not None and shouting.team.name == "Installation"


def test_premium_and_urgent_goes_straight_to_tier_2_and_the_lead_is_told(alice, specialists):
    EscalationRule.objects.create(
        name="Premium urgent", plan=alice.organization.plan, min_priority=Priority.URGENT,
        trigger=EscalationTrigger.ON_CREATE, to_tier=2, to_team=specialists)

    urgent = open_from("alice@premium.example", "Production is down", priority="urgent")
    normal = open_from("alice@premium.example", "A question about reports")

    assert (urgent.tier, urgent.team) == (2, specialists)
    assert (normal.tier, normal.team) == (1, None)
    escalated = urgent.events.get(kind="escalated")
    assert escalated.detail["reason"] == "Premium and urgent: straight to tier 2 (Specialists)"
    assert (escalated.before, escalated.after) == (1, 2)
    assert urgent.events.get(kind="tier_changed").after == 2
    assert Notification.objects.filter(user=specialists.lead, kind="escalated",
                                       ticket=urgent).exists()


def test_a_standard_customers_urgent_ticket_stays_at_tier_1(bob, alice, specialists):
    EscalationRule.objects.create(
        name="Premium urgent", plan=alice.organization.plan, min_priority=Priority.URGENT,
        trigger=EscalationTrigger.ON_CREATE, to_tier=2, to_team=specialists)

    ticket = open_from("bob@standard.example", "Production is down", priority="urgent")

    assert ticket.tier == 1
    assert not ticket.events.filter(kind="escalated").exists()


def test_rules_run_in_order_and_a_stop_rule_ends_the_run(bob, install_rule, specialists):
    install_rule.stop = False
    install_rule.save()
    RoutingRule.objects.create(position=2, name="Email is high", channel="email",
                               set_priority=Priority.HIGH, set_tags="mail", stop=True)
    RoutingRule.objects.create(position=3, name="Never reached", set_team=specialists)

    ticket = open_from("bob@standard.example", "Install fails", channel="email")

    assert ticket.team is not None and ticket.team.name == "Installation"
    assert ticket.priority == Priority.HIGH
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["installation", "mail"]
    routed = ticket.events.get(kind="routed")
    assert routed.detail["rules"] == ["Installation questions", "Email is high"]
    assert ticket.events.get(kind="priority_changed").after == "high"


def test_conditions_on_product_plan_and_organization(bob, alice, specialists, premium_plan):
    RoutingRule.objects.create(name="Premium to specialists", plan=premium_plan,
                               set_team=specialists)

    premium = open_from("alice@premium.example", "Question")
    standard = open_from("bob@standard.example", "Question")

    # A team without a tier given puts the ticket at the team's tier.
    assert (premium.team, premium.tier) == (specialists, 2)
    assert standard.team is None


def test_an_inactive_rule_does_nothing(bob, install_rule):
    install_rule.active = False
    install_rule.save()

    assert open_from("bob@standard.example", "Install fails").team is None


def test_an_edit_is_seen_by_the_next_ticket_at_once(bob, ada, install_rule, specialists):
    assert open_from("bob@standard.example", "Install fails").team.name == "Installation"

    rules.update_routing_rule(ada, install_rule, set_team="Specialists", set_tier=2)

    ticket = open_from("bob@standard.example", "Install fails again")
    assert (ticket.team, ticket.tier) == (specialists, 2)


def test_opening_a_ticket_no_rule_matches_costs_no_extra_query(
        bob, installation_team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the edit commits
        RoutingRule.objects.create(name="Installation questions", words="install",
                                   set_team=installation_team)
    open_from("bob@standard.example", "Warm up")  # rules now held in the process

    with CaptureQueriesContext(connection) as with_rules:
        open_from("bob@standard.example", "Export fails")
    with django_capture_on_commit_callbacks(execute=True):
        RoutingRule.objects.all().delete()
    open_from("bob@standard.example", "Warm up again")
    with CaptureQueriesContext(connection) as without_rules:
        open_from("bob@standard.example", "Export fails")

    assert len(with_rules) == len(without_rules)
    assert not [q for q in with_rules.captured_queries if "routing_" in q["sql"]]


def test_an_uncommitted_edit_is_never_held_for_others(bob, installation_team):
    """Rules edited in a transaction that may still roll back are read fresh by
    that transaction and never kept in the process's copy."""
    RoutingRule.objects.create(name="Installation questions", words="install",
                               set_team=installation_team)
    assert open_from("bob@standard.example", "Install fails").team == installation_team
    assert ruleset._cached is None


def test_a_ticket_for_a_developer_only_team_member_is_not_assigned_to_them(bob, dana):
    team = TeamFactory(name="Mixed", tier=1, assignment=Assignment.ROUND_ROBIN)
    team.members.add(dana)
    RoutingRule.objects.create(name="All to mixed", set_team=team)

    ticket = open_from("bob@standard.example", "Something")

    assert ticket.team == team
    assert ticket.assignee is None  # dana cannot see tier-1 tickets
