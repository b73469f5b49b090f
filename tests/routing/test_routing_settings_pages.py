"""The desk's settings pages for teams, routing rules and escalation rules (admins)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from frontline.core.models import User
from frontline.routing import ruleset
from frontline.routing.models import (
    Assignment,
    EscalationRule,
    EscalationTrigger,
    RoutingRule,
    Team,
)
from frontline.tickets.models import Priority


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    ruleset.clear_cache()
    yield
    ruleset.clear_cache()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    """The page as a reader sees it: tags out, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def specialists(otto: User) -> Team:
    return Team.objects.get(name="Specialists")


# -- who may -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/settings/teams", "/settings/routing", "/settings/escalation",
                                  "/settings/routing/new", "/settings/escalation/new"])
def test_the_pages_are_for_admins(path, ada, lena):
    assert signed_in(ada).get(path).status_code == 200
    refused = signed_in(lena).get(path)
    assert refused.status_code == 403
    assert "Only an admin may do this." in text(refused)
    assert Client().get(path).status_code == 302  # to sign-in


# -- teams -----------------------------------------------------------------------------


def test_the_teams_page_lists_teams_with_members_and_who_is_away(ada, lena, frontdesk):
    lena.away = True
    lena.save()
    frontdesk.assignment = Assignment.ROUND_ROBIN
    frontdesk.save()

    page = signed_in(ada).get("/settings/teams")

    assert page.status_code == 200
    shown = text(page)
    assert "Frontdesk tier 1" in shown
    assert "Round robin" in shown
    assert "Lena Level-One away mark back" in shown


def test_an_admin_adds_a_team_and_marks_a_member_away(ada, lena, otto):
    client = signed_in(ada)
    added = client.post("/settings/teams", {
        "name": "Installation", "tier": "1", "assignment": "round_robin", "lead": "lena",
        "members": ["lena", "otto"], "calendar": ""})

    assert added.status_code == 302
    team = Team.objects.get(name="Installation")
    assert team.assignment == "round_robin" and team.lead == lena
    assert set(team.members.values_list("username", flat=True)) == {"lena", "otto"}

    away = client.post(f"/settings/teams/{team.pk}/members/otto/away", {"away": "on"},
                       follow=True)
    assert "Otto Level-Two is away: automatic assignment skips them." in text(away)
    otto.refresh_from_db()
    assert otto.away is True
    client.post(f"/settings/teams/{team.pk}/members/otto/away", {})
    otto.refresh_from_db()
    assert otto.away is False


def test_a_bad_team_form_is_shown_again_with_the_error(ada, frontdesk):
    page = signed_in(ada).post("/settings/teams", {"name": "FRONTDESK", "tier": "1",
                                                   "assignment": "manual"})

    assert page.status_code == 422
    assert "There is already a team called Frontdesk." in text(page)
    assert 'name="name" value="FRONTDESK"' in page.content.decode()


def test_editing_a_team(ada, frontdesk, lena):
    page = signed_in(ada).get(f"/settings/teams/{frontdesk.pk}")
    assert page.status_code == 200 and "Frontdesk" in text(page)

    saved = signed_in(ada).post(f"/settings/teams/{frontdesk.pk}", {
        "name": "Front desk", "tier": "1", "assignment": "least_loaded", "lead": "",
        "members": ["lena"], "calendar": ""})

    assert saved.status_code == 302
    frontdesk.refresh_from_db()
    assert (frontdesk.name, frontdesk.assignment) == ("Front desk", "least_loaded")


# -- routing rules ---------------------------------------------------------------------------


def test_the_routing_rules_page_lists_each_rule_as_its_sentence(ada, frontdesk, installation):
    RoutingRule.objects.create(position=1, name="Installation questions",
                               words="install, setup", set_team=frontdesk,
                               set_tags="installation")
    RoutingRule.objects.create(position=2, name="Urgent by phone", channel="phone",
                               set_priority=Priority.URGENT, stop=False, active=False)

    page = signed_in(ada).get("/settings/routing")

    shown = text(page)
    assert ("When the subject or message mentions “install” or “setup”: team Frontdesk, "
            "tier 1, tagged installation; then stop") in shown
    assert ("When it comes by phone: priority urgent; then the next rules "
            "Urgent by phone off") in shown
    assert shown.index("Installation questions") < shown.index("Urgent by phone")


def test_an_admin_adds_a_routing_rule_from_the_form(ada, frontdesk, installation):
    added = signed_in(ada).post("/settings/routing/new", {
        "name": "Installation questions", "active": "on", "category": "installation",
        "words": "install", "set_team": str(frontdesk.pk), "set_tier": "", "set_priority":
        "high", "set_tags": "", "stop": "on", "channel": "", "product": "", "version": "",
        "plan": "", "organization": "", "position": ""}, follow=True)

    assert added.status_code == 200
    rule = RoutingRule.objects.get()
    assert (rule.category, rule.set_team, rule.set_priority) == (installation, frontdesk, 3)
    assert ("Rule “Installation questions” added: When category is Installation and the "
            "subject or message mentions “install”: team Frontdesk, tier 1, priority high; "
            "then stop.") in text(added)


def test_a_rule_that_sets_nothing_is_refused_on_the_form(ada):
    page = signed_in(ada).post("/settings/routing/new", {"name": "Empty", "active": "on"})

    assert page.status_code == 422
    assert "A routing rule must set something" in text(page)
    assert not RoutingRule.objects.exists()


def test_moving_a_rule_up_and_deleting_one(ada, frontdesk):
    first = RoutingRule.objects.create(position=1, name="first", set_tier=2)
    second = RoutingRule.objects.create(position=2, name="second", set_tier=3)
    client = signed_in(ada)

    client.post(f"/settings/routing/{second.pk}/move", {"direction": "up"})

    assert list(RoutingRule.objects.order_by("position").values_list("name", flat=True)) == [
        "second", "first"]
    client.post(f"/settings/routing/{first.pk}/delete")
    assert list(RoutingRule.objects.values_list("name", "position")) == [("second", 1)]
    assert client.get(f"/settings/routing/{first.pk}").status_code == 404


def test_editing_a_routing_rule_shows_its_sentence(ada, frontdesk):
    rule = RoutingRule.objects.create(position=1, name="Phone", channel="phone",
                                      set_team=frontdesk)

    page = signed_in(ada).get(f"/settings/routing/{rule.pk}")

    assert "When it comes by phone: team Frontdesk, tier 1; then stop" in text(page)
    saved = signed_in(ada).post(f"/settings/routing/{rule.pk}", {
        "name": "Phone", "active": "on", "channel": "chat", "set_team": str(frontdesk.pk),
        "stop": "on"})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert rule.channel == "chat"


# -- escalation rules ----------------------------------------------------------------------


def test_the_escalation_rules_page_shows_the_sentences(ada, specialists, premium_plan,
                                                       installation):
    EscalationRule.objects.create(position=1, name="Premium urgent", plan=premium_plan,
                                  min_priority=Priority.URGENT, to_tier=2)
    EscalationRule.objects.create(position=2, name="Installation unresolved",
                                  category=installation, after_minutes=240, to_tier=2,
                                  to_team=specialists, trigger=EscalationTrigger.NO_RESOLUTION)

    shown = text(signed_in(ada).get("/settings/escalation"))

    assert "Premium and urgent: straight to tier 2" in shown
    assert ("To tier 2 (Specialists) when category is Installation and no resolution after "
            "4 business hours") in shown


def test_an_admin_adds_a_timed_escalation_rule_with_a_duration(ada, specialists):
    added = signed_in(ada).post("/settings/escalation/new", {
        "name": "Unanswered", "active": "on", "trigger": "no_first_response",
        "after_minutes": "1h 30m", "to_tier": "2", "to_team": str(specialists.pk)})

    assert added.status_code == 302
    rule = EscalationRule.objects.get()
    assert (rule.after_minutes, rule.to_team) == (90, specialists)


def test_a_timed_rule_without_a_time_is_refused_on_the_form(ada):
    page = signed_in(ada).post("/settings/escalation/new", {
        "name": "Unanswered", "active": "on", "trigger": "no_resolution", "to_tier": "2"})

    assert page.status_code == 422
    assert "Say after how many business minutes the rule acts." in text(page)
    assert 'name="after_minutes" value="" placeholder="e.g. 4h, 2h 30m, 90m" aria-invalid' in (
        page.content.decode())


def test_rules_numbered_with_gaps_keep_their_place_when_saved_and_move_by_one(ada):
    """The demo numbers rules 10, 20, 30: saving a form as shown moves nothing; an
    arrow moves one place and numbers them 1, 2, 3."""
    _, second, third = (RoutingRule.objects.create(position=n, name=name, set_tier=2)
                            for n, name in ((10, "first"), (20, "second"), (30, "third")))
    client = signed_in(ada)

    client.post(f"/settings/routing/{second.pk}", {"name": "second", "active": "on",
                                                   "position": "20", "set_tier": "3"})
    assert list(RoutingRule.objects.order_by("position").values_list("name", flat=True)) == [
        "first", "second", "third"]

    client.post(f"/settings/routing/{third.pk}/move", {"direction": "up"})
    assert list(RoutingRule.objects.order_by("position").values_list("name", "position")) == [
        ("first", 1), ("third", 2), ("second", 3)]
