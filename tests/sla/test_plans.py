"""Admins set up plans: the default plan, per-incident plans, and an
organization's plan and contract (open tickets' promises follow)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from frontline.core.errors import InvalidTransition, NotAllowed
from frontline.customers.models import Plan
from frontline.sla import calendars, plans, policies
from frontline.sla.models import SlaPolicy
from frontline.tickets.models import Ticket
from tests.sla.conftest import refused


def test_the_first_plan_is_the_default_and_a_new_default_takes_over(ada):
    standard = plans.create_plan(ada, name="Standard")
    assert standard.is_default and standard.slug == "standard"
    premium = plans.create_plan(ada, name="Premium", annual_price="24000",
                                is_default=True)
    assert list(Plan.objects.filter(is_default=True)) == [premium]
    assert premium.annual_price == Decimal("24000.00")


def test_the_default_cannot_be_switched_off_only_handed_over(ada, standard_plan):
    error = refused(plans.update_plan, ada, standard_plan, is_default=False)
    assert error.field == "is_default"
    assert "make another plan the default" in error.message
    assert Plan.objects.get(pk=standard_plan.pk).is_default


def test_a_per_incident_plan_needs_its_price_and_is_never_the_default(ada, standard_plan):
    error = refused(plans.create_plan, ada, name="Priority incident", per_incident=True)
    assert (error.field, error.message) == (
        "incident_price", "A per-incident plan needs the price of one incident.")
    assert refused(plans.create_plan, ada, name="Priority incident", per_incident=True,
                   incident_price="250", is_default=True).field == "is_default"
    plan = plans.create_plan(ada, name="Priority incident", per_incident=True,
                             incident_price="250")
    assert plan.incident_price == Decimal("250.00") and not plan.is_default


def test_plan_names_and_slugs_are_unique(ada, standard_plan):
    assert refused(plans.create_plan, ada, name="standard").field == "name"
    assert refused(plans.create_plan, ada, name="Basic", slug="standard").field == "slug"
    assert refused(plans.create_plan, ada, name="Basic", slug="Not a slug").field == "slug"


def test_a_plan_in_use_or_the_default_cannot_be_deleted(ada, globex, standard_plan):
    with pytest.raises(InvalidTransition, match="Globex"):
        plans.delete_plan(ada, globex.plan)
    with pytest.raises(InvalidTransition, match="default"):
        plans.delete_plan(ada, standard_plan)
    spare = plans.create_plan(ada, name="Spare")
    policies.create_policy(ada, plan=spare, first_response_minutes=60)
    plans.delete_plan(ada, spare)
    assert not Plan.objects.filter(name="Spare").exists()
    assert not SlaPolicy.objects.filter(plan__name="Spare").exists()


def test_only_admins_change_the_configuration(lena, vera, standard_plan):
    for user in (lena, vera):
        with pytest.raises(NotAllowed, match="Only an admin"):
            plans.create_plan(user, name="Gold")
        with pytest.raises(NotAllowed):
            policies.create_policy(user, plan=standard_plan, first_response_minutes=60)
        with pytest.raises(NotAllowed):
            calendars.create_calendar(user, name="Office")


# -- an organization's plan and contract ---------------------------------------------------


def test_moving_an_organization_to_premium_moves_its_open_tickets(
        ada, standard_policy, premium_plan, bobs_ticket, initech):
    policies.create_policy(ada, plan=premium_plan, first_response_minutes=120)
    plans.set_organization_plan(ada, initech, plan="premium",
                                starts_on="2020-01-01", ends_on="2099-12-31")
    initech.refresh_from_db()
    assert (initech.plan, initech.plan_starts_on) == (premium_plan, date(2020, 1, 1))
    ticket = Ticket.objects.get(pk=bobs_ticket.pk)
    assert ticket.clock.plan == premium_plan
    assert ticket.clock.first_response_due == ticket.created_at + timedelta(hours=2)


def test_a_contract_cannot_end_before_it_starts(ada, initech):
    error = refused(plans.set_organization_plan, ada, initech, plan="standard",
                    starts_on="2026-01-01", ends_on="2025-01-01")
    assert (error.field, error.message) == ("plan_ends_on", "The contract ends before it starts.")


def test_a_per_incident_plan_is_not_for_organizations(ada, initech):
    plans.create_plan(ada, name="Priority incident", per_incident=True,
                      incident_price=250)
    error = refused(plans.set_organization_plan, ada, initech, plan="priority-incident")
    assert error.field == "plan"


def test_agents_may_not_change_a_contract(lena, initech):
    with pytest.raises(NotAllowed):
        plans.set_organization_plan(lena, initech, plan=None)
