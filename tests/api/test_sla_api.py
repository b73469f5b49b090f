"""Plans, SLA policies and calendars through the API: staff read, admins change."""

from __future__ import annotations

from frontline.customers.models import Plan
from frontline.sla.models import BusinessCalendar, SlaPolicy
from tests.api.conftest import field_errors


def test_staff_read_the_plans_and_only_admins_change_them(api, lena, dana, ada, standard_plan,
                                                           premium_plan):
    listed = api(lena).get("/plans")
    assert listed.status_code == 200
    assert [p["slug"] for p in listed.json()["items"]] == ["premium", "standard"]
    assert api(dana).get("/plans/standard").json()["is_default"] is True
    refused = api(lena).post("/plans", {"name": "Gold"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only an admin may do this.", "errors": []}
    created = api(ada).post("/plans", {"name": "Priority incident", "per_incident": True,
                                       "incident_price": "250"})
    assert created.status_code == 201, created.json()
    assert created.json() | {"id": None} == {
        "id": None, "name": "Priority incident", "slug": "priority-incident", "description": "",
        "rank": 0, "is_default": False, "per_incident": True, "incident_price": "250.00",
        "annual_price": None}


def test_a_plan_is_patched_field_by_field_and_the_default_moves(api, ada, standard_plan,
                                                                 premium_plan):
    client = api(ada)
    response = client.patch(f"/plans/{premium_plan.pk}", {"is_default": True,
                                                           "annual_price": "24000"})
    assert response.status_code == 200, response.json()
    assert response.json()["annual_price"] == "24000.00"
    assert response.json()["name"] == "Premium"
    assert list(Plan.objects.filter(is_default=True).values_list("slug", flat=True)) == [
        "premium"]
    off = client.patch("/plans/premium", {"is_default": False})
    assert off.status_code == 422
    assert list(field_errors(off)) == ["is_default"]
    assert client.patch("/plans/premium", {"name": None}).status_code == 422


def test_deleting_a_plan_in_use_is_a_conflict(api, ada, globex):
    response = api(ada).client.delete(f"/api/v1/plans/{globex.plan.pk}")
    assert response.status_code == 409
    assert "Globex" in response.json()["detail"]
    assert api(ada).get("/plans/nonesuch").status_code == 404


def test_an_admin_sets_up_premium_policies_with_clear_errors(api, ada, lena, premium_plan):
    client = api(ada)
    created = client.post("/sla-policies", {"plan": "premium", "first_response_minutes": 120,
                                            "resolution_minutes": 2880, "raise_priority": True})
    assert created.status_code == 201, created.json()
    policy = created.json()
    assert policy | {"id": None} == {
        "id": None, "plan": "premium", "priority": None, "calendar": None,
        "calendar_name": None, "first_response_minutes": 120, "next_response_minutes": None,
        "resolution_minutes": 2880, "formal": True, "warn_percent": 75, "notify": True,
        "raise_priority": True, "move_to_team": None, "move_to_tier": None}

    twice = client.post("/sla-policies", {"plan": "premium", "first_response_minutes": 60})
    assert twice.status_code == 422
    assert field_errors(twice) == {"priority": "Premium already has a policy for every other "
                                               "priority; edit that one instead."}
    bad = client.post("/sla-policies", {"plan": "premium", "priority": "urgent",
                                        "first_response_minutes": 0, "warn_percent": 100,
                                        "move_to_tier": 4})
    assert bad.status_code == 422
    assert set(field_errors(bad)) == {"first_response_minutes", "warn_percent", "move_to_tier"}
    assert client.post("/sla-policies", {"plan": "gold", "first_response_minutes": 60}
                       ).status_code == 422

    patched = client.patch(f"/sla-policies/{policy['id']}", {"resolution_minutes": None,
                                                             "formal": False})
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["resolution_minutes"], patched.json()["formal"],
            patched.json()["first_response_minutes"]) == (None, False, 120)
    assert api(lena).get("/sla-policies", {"plan": "premium"}).json()["items"][0]["id"] == (
        policy["id"])
    assert api(lena).client.delete(f"/api/v1/sla-policies/{policy['id']}").status_code == 403
    deleted = client.client.delete(f"/api/v1/sla-policies/{policy['id']}")
    assert deleted.status_code == 204
    assert not SlaPolicy.objects.exists()


def test_a_calendar_with_hours_holidays_and_closed_days(api, ada, lena):
    client = api(ada)
    created = client.post("/calendars", {
        "name": "Berlin office", "timezone": "Europe/Berlin",
        "intervals": [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(5)],
        "holiday_country": "DE", "holiday_subdivision": "BE",
        "closed_days": [{"date": "2030-12-31", "name": "Company holiday"}]})
    assert created.status_code == 201, created.json()
    calendar = created.json()
    assert calendar["hours"] == "Mon-Fri 08:00-18:00"
    assert calendar["weekly_minutes"] == 3000
    assert calendar["intervals"][0] == {"weekday": 0, "day": "Mon", "start": "08:00",
                                        "end": "18:00"}
    assert calendar["closed_days"] == [{"date": "2030-12-31", "name": "Company holiday"}]
    assert {d["kind"] for d in calendar["upcoming_days_off"]} == {"holiday"}

    patched = client.patch(f"/calendars/{calendar['id']}",
                           {"hours": "Mon-Fri 09:00-17:00; Sun 22:00-24:00"})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["hours"] == "Mon-Fri 09:00-17:00; Sun 22:00-24:00"
    assert patched.json()["intervals"][-1]["end"] == "24:00"
    assert patched.json()["holiday_subdivision"] == "BE"

    bad = client.patch(f"/calendars/{calendar['id']}", {"hours": "Mon 09:00-12:00, 11:00-13:00"})
    assert bad.status_code == 422
    assert field_errors(bad) == {"hours": "Mon 09:00-12:00 overlaps Mon 11:00-13:00."}
    region = client.patch(f"/calendars/{calendar['id']}", {"holiday_subdivision": "XX"})
    assert list(field_errors(region)) == ["holiday_subdivision"]
    both = client.post("/calendars", {"name": "Other", "hours": "Mon 9-17",
                                      "intervals": [{"weekday": 0, "start": "9", "end": "17"}]})
    assert list(field_errors(both)) == ["hours"]

    read = api(lena).get(f"/calendars/{calendar['id']}")
    assert read.status_code == 200 and read.json()["name"] == "Berlin office"
    assert api(lena).patch(f"/calendars/{calendar['id']}", {"name": "x"}).status_code == 403
    assert client.client.delete(f"/api/v1/calendars/{calendar['id']}").status_code == 204
    assert not BusinessCalendar.objects.exists()
