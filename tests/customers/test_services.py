"""Organizations and contacts, as an account manager and an agent meet them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.customers import services
from frontline.customers.models import Contact, EnvironmentFact, Organization


def test_admin_creates_an_organization_with_domains_plan_and_environment(ada, premium_plan,
                                                                          vera):
    acme = services.create_organization(
        ada, name="  Acme Corp ", domains=["ACME.example", "@acme.test"], plan="premium",
        annual_contract_value="48000.5", account_manager="vera",
        environment={"os": "Ubuntu 22.04", "database": "PostgreSQL 15"},
    )
    assert acme.name == "Acme Corp"
    assert sorted(acme.domains.values_list("domain", flat=True)) == ["acme.example", "acme.test"]
    assert acme.plan == premium_plan
    assert acme.annual_contract_value == Decimal("48000.50")
    assert acme.account_manager == vera
    facts = dict(EnvironmentFact.objects.filter(organization=acme).values_list("key", "value"))
    assert facts == {"os": "Ubuntu 22.04", "database": "PostgreSQL 15"}


def test_agent_creates_an_organization_but_not_its_contract(lena, premium_plan):
    """The plan is a commercial term: the same rule as the desk and PATCH (admins)."""
    with pytest.raises(NotAllowed, match="Only an admin may change an organization's plan"):
        services.create_organization(lena, name="Acme Corp", plan="premium")
    acme = services.create_organization(lena, name="Acme Corp")
    assert acme.plan != premium_plan


def test_new_sender_from_a_known_domain_joins_the_organization(globex):
    contact = services.resolve_contact("Zoe@PREMIUM.example", "Zoe")
    assert contact.organization == globex
    assert contact.primary_email == "zoe@premium.example"
    assert services.resolve_contact("zoe@premium.example") == contact


def test_contact_without_organization_gets_the_default_plan(standard_plan):
    contact = services.resolve_contact("solo@freelancer.example")
    assert contact.organization is None
    assert services.plan_for(contact) == standard_plan


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"plan": "platinum"}, "plan"),
        ({"annual_contract_value": "-5"}, "annual_contract_value"),
        ({"annual_contract_value": "lots"}, "annual_contract_value"),
        ({"account_manager": "nobody"}, "account_manager"),
        ({"domains": ["not a domain"]}, "domains"),
    ],
)
def test_bad_organization_changes_name_the_field(lena, initech, changes, field):
    with pytest.raises(InvalidInput) as caught:
        services.update_organization(lena, initech, **changes)
    assert caught.value.field == field
    initech.refresh_from_db()
    assert initech.name == "Initech"


def test_a_domain_belongs_to_one_organization(lena, globex, initech):
    with pytest.raises(InvalidInput) as caught:
        services.update_organization(lena, initech, domains=["premium.example"])
    assert "Globex" in caught.value.message


def test_viewer_cannot_change_customers(vera, initech):
    with pytest.raises(NotAllowed):
        services.update_organization(vera, initech, name="Renamed")
    with pytest.raises(NotAllowed):
        services.create_organization(vera, name="Nope")
    assert not Organization.objects.filter(name__in=["Renamed", "Nope"]).exists()


def test_contact_with_several_addresses_first_is_primary(lena, initech):
    carol = services.create_contact(lena, emails=["carol@standard.example", "carol@home.example"],
                                    name="Carol", timezone="Europe/Paris")
    assert carol.organization == initech
    assert carol.primary_email == "carol@standard.example"
    services.update_contact(lena, carol, emails=["carol@home.example"])
    assert carol.primary_email == "carol@home.example"


def test_contact_timezone_and_address_are_checked(lena, bob):
    with pytest.raises(InvalidInput) as caught:
        services.create_contact(lena, emails=["x@example.com"], timezone="Mars/Olympus")
    assert caught.value.field == "timezone"
    with pytest.raises(InvalidInput) as caught:
        services.create_contact(lena, emails=["bob@standard.example"])
    assert caught.value.field == "emails"
    assert Contact.objects.count() == 1
