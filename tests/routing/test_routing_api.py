"""/api/v1/teams, /api/v1/routing-rules, /api/v1/escalation-rules: staff read,
admins change, bad input is a 422 naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from frontline import workflow
from frontline.routing import ruleset
from frontline.routing.models import EscalationRule, RoutingRule, Team
from tests.api.conftest import ApiClient, api, field_errors  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    ruleset.clear_cache()
    yield
    ruleset.clear_cache()


def delete(client: ApiClient, path: str) -> Any:
    return client.client.delete("/api/v1" + path)


# -- teams ----------------------------------------------------------------------------


def test_an_admin_creates_a_team_and_every_agent_reads_it(api, ada, lena, otto):  # noqa: F811
    response = api(ada).post("/teams", {
        "name": "Installation", "tier": 1, "assignment": "round_robin", "lead": "lena",
        "members": ["lena", "otto"]})

    assert response.status_code == 201, response.json()
    team = response.json()
    assert team["assignment"] == "round_robin"
    assert team["lead"] == "lena"
    assert [m["username"] for m in team["members"]] == ["lena", "otto"]
    listed = api(lena).get("/teams").json()["items"]
    assert "Installation" in [t["name"] for t in listed]
    assert api(lena).get(f"/teams/{team['id']}").json()["name"] == "Installation"


def test_only_admins_change_teams(api, lena, frontdesk):  # noqa: F811
    response = api(lena).patch(f"/teams/{frontdesk.pk}", {"assignment": "least_loaded"})

    assert response.status_code == 403
    frontdesk.refresh_from_db()
    assert frontdesk.assignment == "manual"


def test_bad_team_input_names_the_field(api, ada, frontdesk):  # noqa: F811
    duplicate = api(ada).post("/teams", {"name": "frontdesk"})
    unknown_member = api(ada).post("/teams", {"name": "New", "members": ["nobody"]})
    bad_tier = api(ada).post("/teams", {"name": "New", "tier": 4})

    assert duplicate.status_code == 422
    assert "already a team" in field_errors(duplicate)["name"]
    assert unknown_member.status_code == 422
    assert "nobody" in field_errors(unknown_member)["members"]
    assert bad_tier.status_code == 422 and "tier" in field_errors(bad_tier)


def test_a_member_marks_themself_away(api, lena, frontdesk, otto):  # noqa: F811
    response = api(lena).patch(f"/teams/{frontdesk.pk}/members/lena", {"away": True})
    someone_else = api(otto).patch(f"/teams/{frontdesk.pk}/members/lena", {"away": False})

    assert response.status_code == 200 and response.json()["away"] is True
    assert someone_else.status_code == 403
    lena.refresh_from_db()
    assert lena.away is True


def test_a_team_rules_send_tickets_to_cannot_be_deleted(api, ada, frontdesk):  # noqa: F811
    RoutingRule.objects.create(name="All to Frontdesk", set_team=frontdesk)

    refused = delete(api(ada), f"/teams/{frontdesk.pk}")

    assert refused.status_code == 409
    assert "All to Frontdesk" in refused.json()["detail"]
    RoutingRule.objects.all().delete()
    assert delete(api(ada), f"/teams/{frontdesk.pk}").status_code == 204
    assert not Team.objects.filter(pk=frontdesk.pk).exists()


# -- routing rules --------------------------------------------------------------------


def test_a_routing_rule_made_through_the_api_routes_the_next_ticket(
        api, ada, bob, frontdesk):  # noqa: F811
    response = api(ada).post("/routing-rules", {
        "name": "Installation questions", "words": ["install", "setup"],
        "set_team": "Frontdesk", "set_priority": "high", "set_tags": ["installation"]})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sentence"] == ("When the subject or message mentions “install” or “setup”: "
                                "team Frontdesk, tier 1, priority high, tagged installation; "
                                "then stop")
    assert body["position"] == 1
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Setup fails", body="Help.")
    assert (ticket.team, ticket.priority) == (frontdesk, 3)


def test_routing_rule_validation_names_the_field(api, ada, frontdesk):  # noqa: F811
    client = api(ada)
    nothing_set = client.post("/routing-rules", {"name": "Does nothing", "channel": "email"})
    bad_category = client.post("/routing-rules", {"name": "X", "category": "nope",
                                                  "set_tier": 2})
    bad_channel = client.post("/routing-rules", {"name": "X", "channel": "fax", "set_tier": 2})
    version_alone = client.post("/routing-rules", {"name": "X", "version": "4.2",
                                                   "set_tier": 2})
    unknown = client.post("/routing-rules", {"name": "X", "set_tier": 2, "colour": "red"})

    assert nothing_set.status_code == 422 and "set_team" in field_errors(nothing_set)
    assert bad_category.status_code == 422 and "category" in field_errors(bad_category)
    assert bad_channel.status_code == 422 and "channel" in field_errors(bad_channel)
    assert version_alone.status_code == 422
    assert field_errors(version_alone)["version"] == "A version needs a product."
    assert unknown.status_code == 422 and "colour" in field_errors(unknown)
    assert not RoutingRule.objects.exists()


def test_reordering_through_position(api, ada, frontdesk):  # noqa: F811
    client = api(ada)
    ids = [client.post("/routing-rules", {"name": name, "set_tier": 2}).json()["id"]
           for name in ("first", "second", "third")]

    moved = client.patch(f"/routing-rules/{ids[2]}", {"position": 1})

    assert moved.status_code == 200 and moved.json()["position"] == 1
    listed = client.get("/routing-rules").json()["items"]
    assert [(r["name"], r["position"]) for r in listed] == [
        ("third", 1), ("first", 2), ("second", 3)]
    assert delete(client, f"/routing-rules/{ids[0]}").status_code == 204
    listed = client.get("/routing-rules").json()["items"]
    assert [(r["name"], r["position"]) for r in listed] == [("third", 1), ("second", 2)]


def test_agents_read_rules_but_may_not_change_them(api, ada, lena, frontdesk):  # noqa: F811
    rule = api(ada).post("/routing-rules", {"name": "R", "set_tier": 2}).json()

    assert api(lena).get(f"/routing-rules/{rule['id']}").status_code == 200
    assert api(lena).post("/routing-rules", {"name": "Mine", "set_tier": 2}).status_code == 403
    assert api(lena).patch(f"/routing-rules/{rule['id']}", {"name": "x"}).status_code == 403
    assert delete(api(lena), f"/routing-rules/{rule['id']}").status_code == 403
    assert api(lena).get("/routing-rules/999999").status_code == 404


def test_null_clears_a_condition_but_not_the_name(api, ada, frontdesk, premium_plan):  # noqa: F811
    client = api(ada)
    rule = client.post("/routing-rules", {"name": "Premium", "plan": "premium",
                                          "set_team": frontdesk.pk}).json()
    assert rule["plan"] == "premium"

    cleared = client.patch(f"/routing-rules/{rule['id']}", {"plan": None})
    nameless = client.patch(f"/routing-rules/{rule['id']}", {"name": None})

    assert cleared.status_code == 200 and cleared.json()["plan"] is None
    assert nameless.status_code == 422 and "name" in field_errors(nameless)


# -- escalation rules -----------------------------------------------------------------


def test_escalation_rules_through_the_api(api, ada, otto, premium_plan, installation):  # noqa: F811
    client = api(ada)
    arrival = client.post("/escalation-rules", {
        "name": "Premium urgent", "plan": "premium", "min_priority": "urgent", "to_tier": 2,
        "to_team": "Specialists"})
    timed = client.post("/escalation-rules", {
        "name": "Installation unresolved", "category": "installation",
        "trigger": "no_resolution", "after_minutes": 240, "to_tier": 2})

    assert arrival.status_code == 201, arrival.json()
    assert arrival.json()["sentence"] == "Premium and urgent: straight to tier 2 (Specialists)"
    assert timed.status_code == 201, timed.json()
    assert timed.json()["sentence"] == ("To tier 2 when category is Installation and no "
                                        "resolution after 4 business hours")
    listed = client.get("/escalation-rules").json()["items"]
    assert [r["name"] for r in listed] == ["Premium urgent", "Installation unresolved"]


def test_escalation_rule_validation_names_the_field(api, ada, otto, frontdesk):  # noqa: F811
    client = api(ada)
    no_minutes = client.post("/escalation-rules", {"name": "X", "trigger": "no_resolution",
                                                   "to_tier": 2})
    minutes_on_arrival = client.post("/escalation-rules", {"name": "X", "after_minutes": 10,
                                                           "to_tier": 2})
    downwards = client.post("/escalation-rules", {"name": "X", "to_tier": 1})
    wrong_team = client.post("/escalation-rules", {"name": "X", "to_tier": 2,
                                                   "to_team": "Frontdesk"})
    no_tier = client.post("/escalation-rules", {"name": "X"})

    assert field_errors(no_minutes).keys() == {"after_minutes"}
    assert field_errors(minutes_on_arrival).keys() == {"after_minutes"}
    assert field_errors(downwards) == {"to_tier": "An escalation goes up: to tier 2 or 3."}
    assert field_errors(wrong_team) == {"to_team": "Frontdesk works at tier 1, not tier 2."}
    assert no_tier.status_code == 422 and "to_tier" in field_errors(no_tier)
    assert not EscalationRule.objects.exists()


def test_the_openapi_document_lists_the_routing_endpoints(api, lena):  # noqa: F811
    paths = json.loads(api(lena).client.get("/api/v1/openapi.json").content)["paths"]

    assert {"/api/v1/teams", "/api/v1/routing-rules/{rule_id}",
            "/api/v1/escalation-rules"} <= set(paths)
