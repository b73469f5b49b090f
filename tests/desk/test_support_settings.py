"""The desk's support settings: admins set plans, SLA policies, calendars and costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from frontline.costs.models import CostSettings
from frontline.customers.models import Plan
from frontline.sla import calendars, policies
from frontline.sla.models import BusinessCalendar, SlaPolicy

PAGES = ["/settings/support", "/settings/plans", "/settings/policies", "/settings/calendars",
         "/settings/costs", "/settings/policies/new"]


@pytest.mark.parametrize("path", PAGES)
def test_only_admins_open_the_settings(signed_in, lena, vera, ada, standard_plan, path):
    for user in (lena, vera):
        response = signed_in(user).get(path)
        assert response.status_code == 403
        assert "Only an admin may do this." in response.content.decode()
    assert signed_in(ada).get(path).status_code == 200


def test_the_hub_links_every_support_setting(signed_in, ada, standard_plan):
    page = signed_in(ada).get("/settings/support").content.decode()
    for link in ("/settings/plans", "/settings/policies", "/settings/calendars",
                 "/settings/costs", "/settings/teams", "/settings/routing",
                 "/settings/escalation"):
        assert f'href="{link}"' in page
    assert "Standard (default)" in page


def test_ada_adds_a_plan_and_sees_the_refusal_next_to_the_field(signed_in, ada, standard_plan):
    client = signed_in(ada)
    response = client.post("/settings/plans", {"name": "Priority incident",
                                               "per_incident": "on", "incident_price": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "A per-incident plan needs the price of one incident." in page
    assert 'name="incident_price" value="" inputmode="decimal" aria-invalid="true"' in page
    assert 'value="Priority incident"' in page  # what was typed stays
    response = client.post("/settings/plans", {"name": "Priority incident", "per_incident": "on",
                                               "incident_price": "250"}, follow=True)
    plan = Plan.objects.get(slug="priority-incident")
    assert response.redirect_chain[-1][0] == f"/settings/plans/{plan.pk}"
    assert "Plan Priority incident added." in response.content.decode()
    assert plan.incident_price == Decimal("250.00")


def test_ada_writes_a_policy_in_hours_and_reads_it_back(signed_in, ada, standard_plan):
    berlin_office = calendars.create_calendar(ada, name="Berlin office",
                                              timezone="Europe/Berlin", hours="Mon-Fri 8-18")
    client = signed_in(ada)
    form = {"plan": standard_plan.pk, "priority": "", "calendar": berlin_office.pk,
            "first_response_minutes": "24h", "next_response_minutes": "24h",
            "resolution_minutes": "50h", "formal": "on", "warn_percent": "75", "notify": "on"}
    response = client.post("/settings/policies/new", form, follow=True)
    assert response.status_code == 200
    policy = SlaPolicy.objects.get(plan=standard_plan)
    assert (policy.first_response_minutes, policy.resolution_minutes, policy.formal) == (
        1440, 3000, True)
    page = response.content.decode()
    assert "First response: 24 business hours (Berlin office)" in page
    assert "notify the assignee and the team lead" in page

    again = client.post("/settings/policies/new", form)
    assert again.status_code == 422
    assert ("Standard already has a policy for every other priority; edit that one instead."
            in again.content.decode())
    edit = client.get(f"/settings/policies/{policy.pk}").content.decode()
    assert 'value="24h"' in edit and 'value="50h"' in edit
    wrong = client.post(f"/settings/policies/{policy.pk}", {**form, "warn_percent": "120"})
    assert "The warning share must be between 1 and 99." in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()
    client.post(f"/settings/policies/{policy.pk}/delete")
    assert not SlaPolicy.objects.exists()


def test_a_calendar_shows_its_next_holidays_and_closed_days(signed_in, ada):
    client = signed_in(ada)
    bad = client.post("/settings/calendars", {"name": "Berlin office", "timezone": "Europe/Berlin",
                                              "hours": "Mon-Fri 08:00-18:00; Sat 25:00-26:00"})
    assert bad.status_code == 422
    assert "&#x27;25:00&#x27; is not a time of day" in bad.content.decode()
    assert "Mon-Fri 08:00-18:00; Sat 25:00-26:00</textarea>" in bad.content.decode()
    response = client.post("/settings/calendars", {
        "name": "Berlin office", "timezone": "Europe/Berlin", "hours": "Mon-Fri 8-18",
        "holiday_country": "DE", "holiday_subdivision": "BE"}, follow=True)
    calendar = BusinessCalendar.objects.get(name="Berlin office")
    page = response.content.decode()
    assert "Mon-Fri 08:00-18:00</textarea>" in page
    assert "50 working hours a week" in page
    assert "Christmas Day" in page or "New Year" in page  # the preview of days off
    next_year = date.today().year + 1
    added = client.post(f"/settings/calendars/{calendar.pk}/closed-days",
                        {"date": f"{next_year}-12-31", "name": "Company holiday"}, follow=True)
    assert "Company holiday" in added.content.decode()
    closed = calendar.closed_days.get()
    client.post(f"/settings/calendars/{calendar.pk}/closed-days/{closed.pk}/remove")
    assert not calendar.closed_days.exists()


def test_ada_sets_the_cost_of_an_hour_per_tier(signed_in, ada):
    client = signed_in(ada)
    response = client.post("/settings/costs", {
        "tier1_hourly": "45", "tier2_hourly": "70", "tier3_hourly": "120", "currency": "EUR",
        "default_developer_hours": "5", "weekly_developer_budget_hours": "32"}, follow=True)
    assert "Cost settings saved." in response.content.decode()
    settings = CostSettings.current()
    assert (settings.tier2_hourly, settings.weekly_developer_budget_hours) == (
        Decimal("70.00"), Decimal("32.00"))
    wrong = client.post("/settings/costs", {"tier1_hourly": "lots", "tier2_hourly": "70",
                                            "tier3_hourly": "120", "currency": "EUR",
                                            "default_developer_hours": "5",
                                            "weekly_developer_budget_hours": "32"})
    assert wrong.status_code == 422
    assert "The hourly cost at tier 1 must be an amount" in wrong.content.decode()


def test_an_admin_changes_an_organizations_plan_and_contract(signed_in, ada, lena, initech,
                                                             premium_plan):
    assert "Change plan or contract" in signed_in(ada).get(
        f"/o/{initech.pk}").content.decode()
    assert "Change plan or contract" not in signed_in(lena).get(
        f"/o/{initech.pk}").content.decode()
    refused = signed_in(lena).post(f"/o/{initech.pk}/plan", {"plan": "premium"})
    assert refused.status_code == 403
    wrong = signed_in(ada).post(f"/o/{initech.pk}/plan", {
        "plan": "premium", "plan_starts_on": "2026-01-01", "plan_ends_on": "2025-01-01"})
    assert wrong.status_code == 422
    assert "The contract ends before it starts." in wrong.content.decode()
    done = signed_in(ada).post(f"/o/{initech.pk}/plan", {
        "plan": "premium", "plan_starts_on": "2025-01-01", "plan_ends_on": "2026-12-31"},
        follow=True)
    assert "Plan and contract saved" in done.content.decode()
    initech.refresh_from_db()
    assert (initech.plan, initech.plan_ends_on) == (premium_plan, date(2026, 12, 31))


def test_the_policies_page_groups_policies_by_plan(signed_in, ada, premium_plan, standard_plan):
    policies.create_policy(ada, plan=premium_plan, first_response_minutes=120)
    policies.create_policy(ada, plan=premium_plan, priority="urgent",
                           first_response_minutes=60, formal=False)
    page = signed_in(ada).get("/settings/policies").content.decode()
    assert "First response: 2 hours around the clock" in page
    assert "First response: 1 hour around the clock" in page
    assert "informal" in page
    assert page.index("Premium") < page.index("Standard")
