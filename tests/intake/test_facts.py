"""A ticket's facts: where each came from, and who may replace it (issue 9, section 2)."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput, NotAllowed
from frontline.customers import services as customers
from frontline.intake import facts as intake_facts
from frontline.intake.models import FactSource, TicketFact
from frontline.tickets.models import Event, Ticket
from tests.desk.conftest import HTMX


def facts(ticket: Ticket) -> dict[str, tuple[str, str]]:
    return {row.key: (row.value, row.source) for row in TicketFact.objects.filter(ticket=ticket)}


def test_a_new_ticket_knows_its_organizations_environment(bob, initech, standard_plan):
    customers.set_environment(initech, {"database": "PostgreSQL 15", "deployment": "on-premises"})
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                       subject="Slow report",
                                       body="The monthly report takes forever.")
    known = facts(ticket)
    assert known["database"] == ("PostgreSQL 15", FactSource.ORGANIZATION)
    assert known["deployment"] == ("on-premises", FactSource.ORGANIZATION)


def test_the_first_message_says_what_it_says_with_its_quote(bob, standard_plan, ledger):
    ticket = workflow.open_ticket(
        requester_email="bob@standard.example", subject="Export fails",
        body="Ledger 5.1 on Oracle 19c: export fails with ORA-01722.")
    rows = {row.key: row for row in TicketFact.objects.filter(ticket=ticket)}
    assert rows["product"].value == "Ledger"
    assert rows["version"].value == "5.1"
    assert "ORA-01722" in rows["error"].value
    assert rows["error"].source == FactSource.MESSAGE
    assert "ORA-01722" in rows["error"].quote
    assert rows["error"].message is not None


def test_what_the_customer_says_outranks_the_organizations_default(bob, initech, standard_plan):
    customers.set_environment(initech, {"database": "PostgreSQL 15"})
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Crash",
                                       body="Since we moved to MySQL 8 the import crashes.")
    assert facts(ticket)["database"][1] == FactSource.MESSAGE
    assert "MySQL" in facts(ticket)["database"][0]


def test_a_later_message_does_not_overwrite_what_an_agent_set(bob, lena, standard_plan):
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Crash",
                                  body="The import crashes.")
    intake_facts.set_facts(lena, ticket, {"database": "Oracle 19c"})
    later = workflow.add_customer_message(ticket, bob,
                                          "By the way, we also have MySQL 8 somewhere.")
    assert facts(ticket)["database"] == ("Oracle 19c", FactSource.AGENT)
    assert not Event.objects.filter(ticket=ticket, kind="fact_set", at__gte=later.created_at,
                                    detail__key="database").exists()


def test_an_agent_sets_and_clears_facts_and_the_timeline_says_so(bob, lena, standard_plan):
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Crash",
                                  body="The import crashes.")
    intake_facts.set_facts(lena, ticket, {"Steps": "1. Open import\n2. Pick the CSV",
                                          "impact": "all users"})
    assert facts(ticket)["steps"][1] == FactSource.AGENT
    intake_facts.set_facts(lena, ticket, {"impact": None})
    assert "impact" not in facts(ticket)
    kinds = list(Event.objects.filter(ticket=ticket, kind="fact_set")
                 .values_list("detail__key", "after"))
    assert ("impact", "all users") in kinds and ("impact", None) in kinds


def test_a_viewer_may_not_set_facts_and_bad_keys_are_named(bobs_ticket, vera, lena):
    with pytest.raises(NotAllowed):
        intake_facts.set_facts(vera, bobs_ticket, {"database": "Oracle"})
    with pytest.raises(InvalidInput) as error:
        intake_facts.set_facts(lena, bobs_ticket, {"data base!": "Oracle"})
    assert error.value.field == "facts.data base!"


def test_the_api_shows_and_sets_facts(api, lena, bobs_ticket):
    client = api(lena)
    response = client.patch(f"/tickets/{bobs_ticket.reference}/facts",
                            {"facts": {"database": "Oracle 19c", "os": "Windows Server 2019"}})
    assert response.status_code == 200, response.json()
    sources = {fact["key"]: fact["source"] for fact in response.json()}
    assert sources.items() >= {"database": "agent", "os": "agent"}.items()
    detail = client.get(f"/tickets/{bobs_ticket.reference}").json()
    by_key = {fact["key"]: fact for fact in detail["facts"]}
    assert by_key["database"]["value"] == "Oracle 19c"
    assert set(by_key["database"]) == {"key", "value", "source", "quote", "question_version",
                                       "at"}
    bad = client.patch(f"/tickets/{bobs_ticket.reference}/facts", {"facts": {"a b!": "x"}})
    assert bad.status_code == 422


def test_a_developer_cannot_set_facts_on_a_ticket_they_cannot_see(api, dana, bobs_ticket):
    response = api(dana).patch(f"/tickets/{bobs_ticket.reference}/facts",
                               {"facts": {"database": "Oracle"}})
    assert response.status_code in (403, 404)


def test_the_desk_sets_a_fact_and_shows_it_with_its_source(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    response = client.post(f"/t/{bobs_ticket.reference}/facts",
                           {"key": "browser", "value": "Firefox 128"}, **HTMX)
    assert response.status_code == 200
    assert "Fact saved." in response.content.decode()
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Firefox 128" in page and 'id="ticket-facts"' in page
