"""Organizations and contacts through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.customers.models import Contact, Organization
from tests.api.conftest import field_errors
from tests.factories import ContactFactory, OrganizationFactory


def test_lena_reads_globex_with_its_plan_value_and_setup(api, lena, globex, alice):
    from frontline.customers import services
    services.set_environment(globex, {"os": "Ubuntu 22.04", "database": "PostgreSQL 15"})
    response = api(lena).get(f"/organizations/{globex.pk}")
    assert response.status_code == 200
    assert response.json() | {"created_at": None} == {
        "id": globex.pk, "name": "Globex", "domains": ["premium.example"], "plan": "premium",
        "plan_starts_on": None, "plan_ends_on": None, "annual_contract_value": "250000.00",
        "account_manager": "vera", "notes": "",
        "environment": {"database": "PostgreSQL 15", "os": "Ubuntu 22.04"},
        "seats": None, "deployments": [], "contacts_count": 1, "created_at": None,
    }


def test_lena_adds_an_organization_and_its_first_contact(api, lena, vera, premium_plan):
    client = api(lena)
    created = client.post("/organizations", {
        "name": "Umbrella", "domains": ["umbrella.example", "UMBRELLA.test"],
        "annual_contract_value": "98000.5", "account_manager": "vera",
        "environment": {"os": "RHEL 9"},
    })
    assert created.status_code == 201, created.json()
    organization = created.json()
    assert organization["domains"] == ["umbrella.example", "umbrella.test"]
    assert organization["annual_contract_value"] == "98000.50"
    assert organization["environment"] == {"os": "RHEL 9"}
    stored = Organization.objects.get(name="Umbrella")
    assert stored.annual_contract_value == Decimal("98000.50")

    contact = client.post("/contacts", {"emails": ["Wesker@Umbrella.example"],
                                        "name": "Albert Wesker", "timezone": "Europe/Berlin"})
    assert contact.status_code == 201, contact.json()
    assert contact.json()["organization"] == {"id": stored.pk, "name": "Umbrella"}
    assert contact.json()["emails"] == ["wesker@umbrella.example"]
    assert client.get(f"/organizations/{stored.pk}").json()["contacts_count"] == 1


def test_updating_an_organization_changes_only_what_is_sent(api, lena, initech):
    client = api(lena)
    response = client.patch(f"/organizations/{initech.pk}",
                            {"annual_contract_value": 15000, "notes": "Renewal in May"})
    assert response.status_code == 200, response.json()
    organization = response.json()
    assert organization["annual_contract_value"] == "15000.00"
    assert organization["notes"] == "Renewal in May"
    assert organization["name"] == "Initech" and organization["plan"] == "standard"
    assert organization["domains"] == ["standard.example"]


def test_a_domain_owned_by_another_organization_is_refused_and_nothing_changes(api, lena,
                                                                               globex, initech):
    response = api(lena).patch(f"/organizations/{initech.pk}",
                               {"name": "Initech Corp", "domains": ["premium.example"]})
    assert response.status_code == 422
    assert "Globex" in field_errors(response)["domains"]
    initech.refresh_from_db()
    assert initech.name == "Initech"


def test_an_unknown_plan_is_422_naming_the_field(api, ada, standard_plan):
    response = api(ada).post("/organizations", {"name": "X", "plan": "gold"})
    assert response.status_code == 422, response.content
    assert "plan" in field_errors(response)
    assert not Organization.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": "  "}, "name"),
    ({"name": "X", "annual_contract_value": "-1"}, "annual_contract_value"),
    ({"name": "X", "annual_contract_value": "lots"}, "annual_contract_value"),
    ({"name": "X", "annual_contract_value": "NaN"}, "annual_contract_value"),
    ({"name": "X", "annual_contract_value": "1e400"}, "annual_contract_value"),
    ({"name": "X", "annual_contract_value": "12345678901.50"}, "annual_contract_value"),
    ({"name": "X", "annual_contract_value": "1.234"}, "annual_contract_value"),
    ({"name": "X", "account_manager": "nobody"}, "account_manager"),
    ({"name": "X", "domains": ["not a domain"]}, "domains"),
    ({"name": "X", "domains": ["d" * 250 + ".com"]}, "domains.0"),
    ({"name": "X", "domains": "x.example"}, "domains"),
    ({"name": "X", "environment": {"": "empty key"}}, "environment"),
    ({"name": "X", "environment": ["os"]}, "environment"),
    ({"name": "X", "industry": "chemicals"}, "industry"),
])
def test_bad_organization_input_is_422_naming_the_field(api, lena, standard_plan, body,
                                                        field):
    response = api(lena).post("/organizations", body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert not Organization.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"emails": []}, "emails"),
    ({}, "emails"),
    ({"emails": ["not-an-email"]}, "emails"),
    ({"emails": ["bob@standard.example"]}, "emails"),
    ({"emails": ["x@example.com"], "timezone": "Mars/Olympus"}, "timezone"),
    ({"emails": ["x@example.com"], "organization": 999999}, "organization"),
    ({"emails": ["x@example.com"], "organization": "Initech"}, "organization"),
    ({"emails": ["x@example.com"], "phone": "1" * 51}, "phone"),
])
def test_bad_contact_input_is_422_naming_the_field(api, lena, bob, body, field):
    before = Contact.objects.count()
    response = api(lena).post("/contacts", body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert Contact.objects.count() == before


def test_a_contact_moves_organization_and_changes_addresses(api, lena, bob, globex):
    response = api(lena).patch(f"/contacts/{bob.pk}", {
        "organization": globex.pk, "emails": ["robert@premium.example", "bob@standard.example"],
        "phone": "+49 30 1234567",
    })
    assert response.status_code == 200, response.json()
    contact = response.json()
    assert contact["organization"]["name"] == "Globex"
    assert contact["emails"] == ["robert@premium.example", "bob@standard.example"]
    assert contact["phone"] == "+49 30 1234567" and contact["timezone"] == "Europe/Berlin"
    cleared = api(lena).patch(f"/contacts/{bob.pk}", {"organization": None}).json()
    assert cleared["organization"] is None


def test_viewers_and_developers_read_customers_but_cannot_change_them(api, vera, dana, initech):
    for user in (vera, dana):
        client = api(user)
        assert client.get(f"/organizations/{initech.pk}").status_code == 200
        assert client.get("/contacts").status_code == 200
        assert client.post("/organizations", {"name": "Sneaky"}).status_code == 403
        assert client.patch(f"/organizations/{initech.pk}",
                            {"name": "Renamed"}).status_code == 403
        assert client.post("/contacts", {"emails": ["s@example.com"]}).status_code == 403
    initech.refresh_from_db()
    assert initech.name == "Initech"


def test_unknown_organizations_and_contacts_are_404(api, lena):
    assert api(lena).get("/organizations/424242").status_code == 404
    assert api(lena).get("/contacts/424242").status_code == 404
    assert api(lena).patch("/contacts/424242", {"name": "x"}).status_code == 404


def test_q_finds_organizations_by_name_domain_or_email(api, lena, globex, initech):
    client = api(lena)

    def names(**params):
        response = client.get("/organizations", params)
        assert response.status_code == 200
        return [o["name"] for o in response.json()["items"]]

    assert names(q="glob") == ["Globex"]
    assert names(q="standard.example") == ["Initech"]
    assert names(q="someone@PREMIUM.example") == ["Globex"]
    assert names() == ["Globex", "Initech"]


def test_q_finds_contacts_by_name_or_email(api, lena, alice, bob):
    client = api(lena)
    assert [c["name"] for c in client.get("/contacts", {"q": "alice"}).json()["items"]] == [
        "Alice Premium"]
    by_email = client.get("/contacts", {"q": "@standard.example"}).json()["items"]
    assert [c["name"] for c in by_email] == ["Bob Standard"]
    in_globex = client.get("/contacts", {"organization": alice.organization_id}).json()
    assert [c["id"] for c in in_globex["items"]] == [alice.pk]


def test_customer_lists_page_without_gaps_in_a_fixed_number_of_queries(api, lena,
                                                                       standard_plan):
    client = api(lena)
    client.get("/me")

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, {"limit": 200}).status_code == 200
        return len(captured)

    organization = OrganizationFactory(name="Org 0", plan=standard_plan, domains=["o0.example"])
    ContactFactory(organization=organization)
    few = (queries("/organizations"), queries("/contacts"))
    for n in range(1, 12):
        organization = OrganizationFactory(name=f"Org {n}", plan=standard_plan,
                                           domains=[f"o{n}.example"])
        ContactFactory(organization=organization)
    assert (queries("/organizations"), queries("/contacts")) == few

    seen, cursor = [], None
    while True:
        page = client.get("/contacts", {"limit": 5, **({"cursor": cursor} if cursor else {})})
        seen += [c["id"] for c in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(Contact.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/contacts/{bob}", {"emails": None}, "emails"),
    ("/contacts/{bob}", {"timezone": None}, "timezone"),
    ("/contacts/{bob}", {"organization": 0}, "organization"),
    ("/organizations/{initech}", {"name": None}, "name"),
    ("/organizations/{initech}", {"annual_contract_value": None}, "annual_contract_value"),
])
def test_patch_refuses_null_where_a_value_is_needed(api, lena, bob, initech, path, body, field):
    response = api(lena).patch(path.format(bob=bob.pk, initech=initech.pk), body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)


# -- seats and deployments (issue 10) -------------------------------------------


@pytest.fixture
def releases(ada):
    """Atlas Server (four releases), Beacon Mobile (two) and Atlas Cloud (none)."""
    from frontline.customers import products
    products.create_product(ada, name="Atlas Server", versions=[
        {"version": v} for v in ("4.0", "4.1", "4.2", "4.2.1")])
    products.create_product(ada, name="Beacon Mobile", slug="beacon",
                            versions=[{"version": "2.8"}, {"version": "3.0"}])
    products.create_product(ada, name="Atlas Cloud")


def test_an_organization_is_added_with_its_seats_and_deployments(api, lena, releases,
                                                                 standard_plan):
    created = api(lena).post("/organizations", {
        "name": "Northwind Traders", "seats": 2400, "deployments": [
            {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
            {"product": "Beacon Mobile", "version": "3.0", "since": "2025-01-20"},
            {"product": "atlas-server", "version": "4.0", "since": "2024-06-17"},
            {"product": "ATLAS CLOUD", "since": "2023-03-01"}]})
    assert created.status_code == 201, created.json()
    organization = created.json()
    assert organization["seats"] == 2400
    assert organization["deployments"] == [
        {"product": "atlas-cloud", "version": None, "since": "2023-03-01"},
        {"product": "atlas-server", "version": "4.0", "since": "2024-06-17"},
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "beacon", "version": "3.0", "since": "2025-01-20"}]
    assert api(lena).get(f"/organizations/{organization['id']}").json() == organization


def test_patching_deployments_replaces_them_and_leaving_them_out_keeps_them(api, lena,
                                                                           globex, releases):
    client = api(lena)
    path = f"/organizations/{globex.pk}"
    client.patch(path, {"seats": 800, "deployments": [
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "atlas-server", "version": "4.2", "since": "2025-02-24"}]})
    upgraded = client.patch(path, {"deployments": [
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "atlas-server", "version": "4.2.1", "since": "2025-04-07"}]})
    assert upgraded.status_code == 200, upgraded.json()
    assert [d["version"] for d in upgraded.json()["deployments"]] == ["4.1", "4.2.1"]
    renamed = client.patch(path, {"notes": "Renewal in May"}).json()
    assert renamed["seats"] == 800 and len(renamed["deployments"]) == 2
    cleared = client.patch(path, {"seats": None, "deployments": []}).json()
    assert cleared["seats"] is None and cleared["deployments"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"seats": -1}, "seats"),
    ({"seats": "many"}, "seats"),
    ({"seats": 1.5}, "seats"),
    ({"seats": 2**31}, "seats"),
    ({"deployments": {"product": "atlas-server"}}, "deployments"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1"}]}, "deployments.0.since"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "02/12/2024"}]},
     "deployments.0.since"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
                      {"product": "ledger", "version": "5.1", "since": "2025-01-01"}]},
     "deployments.1.product"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
                      {"product": "beacon", "version": "4.2", "since": "2025-01-01"}]},
     "deployments.1.version"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
                      {"product": "Atlas Server", "version": "4.2", "since": "2024-12-02"}]},
     "deployments.1.since"),
    ({"deployments": [{"version": "4.1", "since": "2024-12-02"}]}, "deployments.0.product"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "2024-12-02",
                       "until": "2025-01-01"}]}, "deployments.0.until"),
])
def test_bad_seats_or_deployments_are_422_naming_the_field(api, lena, globex, releases,
                                                           body, field):
    client = api(lena)
    client.patch(f"/organizations/{globex.pk}", {"seats": 30, "deployments": [
        {"product": "beacon", "version": "2.8", "since": "2024-10-01"}]})
    response = client.patch(f"/organizations/{globex.pk}", {"name": "Globex 2", **body})
    assert response.status_code == 422, response.content
    assert field in field_errors(response), field_errors(response)
    organization = client.get(f"/organizations/{globex.pk}").json()
    assert (organization["name"], organization["seats"]) == ("Globex", 30)
    assert organization["deployments"] == [
        {"product": "beacon", "version": "2.8", "since": "2024-10-01"}]
    created = client.post("/organizations", {"name": "Umbrella", **body})
    assert created.status_code == 422, created.content
    assert field in field_errors(created)
    assert not Organization.objects.filter(name="Umbrella").exists()


def test_viewers_cannot_change_deployments(api, vera, globex, releases):
    response = api(vera).patch(f"/organizations/{globex.pk}", {"seats": 5, "deployments": [
        {"product": "beacon", "version": "2.8", "since": "2024-10-01"}]})
    assert response.status_code == 403
    globex.refresh_from_db()
    assert globex.seats is None and not globex.deployments.exists()


def test_the_organization_list_costs_the_same_with_long_deployment_histories(
        api, lena, releases, standard_plan):
    client = api(lena)
    client.get("/me")

    def listed() -> tuple[int, list[int]]:
        with CaptureQueriesContext(connection) as captured:
            items = client.get("/organizations", {"limit": 200}).json()["items"]
        return len(captured), [len(o["deployments"]) for o in items]

    client.post("/organizations", {"name": "Org 0", "deployments": [
        {"product": "beacon", "version": "2.8", "since": "2024-01-01"}]})
    few, _ = listed()
    for n in range(1, 9):
        client.post("/organizations", {"name": f"Org {n}", "seats": n * 100, "deployments": [
            {"product": "atlas-server", "version": version, "since": f"2024-0{m + 1}-0{n}"}
            for m, version in enumerate(("4.0", "4.1", "4.2", "4.2.1")[:n % 4 + 1])]})
    many, counts = listed()
    assert many == few
    assert counts == [1, 2, 3, 4, 1, 2, 3, 4, 1]
