"""The API reaches records through their owners' finders: a value in the body that
names nothing is a 422 naming that field; a record named in the path that does
not exist is a 404."""

from __future__ import annotations

from frontline.customers.models import Plan
from frontline.routing.models import RoutingRule, Team
from frontline.sla.models import SlaPolicy
from tests.api.conftest import field_errors


def test_a_team_in_the_path_that_does_not_exist_is_404(api, ada, frontdesk):
    client = api(ada)
    assert client.get(f"/teams/{frontdesk.pk}").json()["name"] == "Frontdesk"
    missing = client.get("/teams/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No team '987654'."
    assert client.patch("/teams/987654", {"tier": 2}).status_code == 404


def test_a_plan_policy_or_calendar_in_the_path_that_does_not_exist_is_404(api, ada,
                                                                         standard_plan):
    client = api(ada)
    assert client.get("/plans/STANDARD").json()["slug"] == "standard"
    assert client.get("/plans/gold").status_code == 404
    assert client.get("/sla-policies/987654").status_code == 404
    assert client.get("/calendars/987654").status_code == 404
    assert client.get("/organizations/987654").status_code == 404


def test_rules_name_the_field_whose_record_is_missing(api, ada, frontdesk, standard_plan):
    client = api(ada)
    for field, value, message in [
        ("set_team", "Nightshift", "No team 'Nightshift'."),
        ("plan", "gold", "No plan 'gold' (plans: standard)."),
        ("product", "flux", "No product 'flux'."),
        ("organization", "Umbrella", "No organization 'Umbrella'."),
        ("set_priority", "critical", None),  # the schema refuses it before the finder
    ]:
        response = client.post("/routing-rules", {"name": "X", "set_tier": 2, field: value})
        assert response.status_code == 422, (field, response.json())
        if message:
            assert field_errors(response) == {field: message}
    team_rule = client.post("/escalation-rules", {"name": "Y", "trigger": "on_create",
                                                  "to_tier": 2, "to_team": 987654})
    assert team_rule.status_code == 422
    assert field_errors(team_rule) == {"to_team": "No team '987654'."}
    assert not RoutingRule.objects.exists()


def test_a_policy_moves_breaches_to_a_team_found_by_name(api, ada, premium_plan, otto):
    """The SLA app sits below routing: the API finds the team, the policy takes it."""
    client = api(ada)
    unknown = client.post("/sla-policies", {"plan": "premium", "first_response_minutes": 60,
                                            "move_to_team": "Nightshift"})
    assert unknown.status_code == 422
    assert field_errors(unknown) == {"move_to_team": "No team 'Nightshift'."}
    created = client.post("/sla-policies", {"plan": "premium", "first_response_minutes": 60,
                                            "move_to_team": "specialists", "move_to_tier": 2})
    assert created.status_code == 201, created.json()
    assert created.json()["move_to_team"] == "Specialists"
    policy = SlaPolicy.objects.get()
    assert policy.move_to_team == Team.objects.get(name="Specialists")
    cleared = client.patch(f"/sla-policies/{policy.pk}", {"move_to_team": None})
    assert cleared.status_code == 200 and cleared.json()["move_to_team"] is None
    assert Plan.objects.count() == 1
