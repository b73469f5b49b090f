"""GET /api/v1/search/people: customers by the start of a name or a mail domain."""

from __future__ import annotations

from frontline import workflow
from tests.api.conftest import field_errors
from tests.factories import ContactFactory, OrganizationFactory


def test_an_organization_and_a_contact_come_with_their_recent_tickets(api, lena,
                                                                      premium_plan):
    acme = OrganizationFactory(name="Acme Robotics", plan=premium_plan,
                               domains=["acme-robotics.example", "acme.example"])
    ContactFactory(name="Acme's Kenji Sato", organization=acme, email="kenji@acme.example")
    ticket = workflow.open_ticket(requester_email="kenji@acme.example",
                                  subject="Conveyor halts at station 3",
                                  body="It stops every hour.", channel="email")
    response = api(lena).get("/search/people", {"q": "acme"})
    assert response.status_code == 200, response.json()
    body = response.json()
    [organization] = body["organizations"]
    assert organization["name"] == "Acme Robotics"
    assert organization["plan"] == "Premium"
    assert organization["domains"] == ["acme-robotics.example", "acme.example"]
    assert [t["reference"] for t in organization["recent_tickets"]] == [ticket.reference]
    assert organization["recent_tickets"][0]["status"] == ticket.status
    [contact] = body["contacts"]
    assert (contact["name"], contact["organization"]) == ("Acme's Kenji Sato",
                                                          "Acme Robotics")
    assert contact["recent_tickets"][0]["subject"] == "Conveyor halts at station 3"


def test_nobody_matches_gives_empty_lists(api, lena):
    assert api(lena).get("/search/people", {"q": "Umbrella Corp"}).json() == {
        "organizations": [], "contacts": []}


def test_bad_queries_are_refused_with_the_field_named(api, lena):
    client = api(lena)
    assert "q" in field_errors(client.get("/search/people"))
    assert "q" in field_errors(client.get("/search/people", {"q": "x" * 201}))
    assert "limit" in field_errors(client.get("/search/people", {"q": "acme", "limit": 0}))
    assert client.get("/search/people", {"q": "acme", "page": 2}).status_code == 422

