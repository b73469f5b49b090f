"""Search finds customers by name: "Acme Robotics" finds the organization (and
"acme" its mail domain), "Dana Ok" the contact, each with their recent tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.customers.models import Contact
from frontline.search.people import RECENT_TICKETS, find_people
from frontline.tickets.models import Ticket
from tests.factories import ContactFactory, OrganizationFactory


@pytest.fixture
def customers(standard_plan, premium_plan):
    """Acme Robotics (two domains), Acme Foods, Ölwerk Bremen and Robotics Acme, with
    people at each who wrote to us."""
    robotics = OrganizationFactory(name="Acme Robotics", plan=premium_plan,
                                   domains=["acme-robotics.example", "ar.example"])
    foods = OrganizationFactory(name="Acme Foods", plan=standard_plan,
                                domains=["acmefoods.example"])
    oelwerk = OrganizationFactory(name="Ölwerk Bremen", plan=standard_plan,
                                  domains=["oelwerk.example"])
    other = OrganizationFactory(name="Robotics Acme", plan=standard_plan,
                                domains=["ra.example"])
    dana = ContactFactory(name="Dana Okafor", organization=robotics,
                          email="dana@acme-robotics.example")
    ContactFactory(name="Jörg Müller", organization=oelwerk, email="jm@oelwerk.example")
    ContactFactory(name="Ömer Acar", organization=foods, email="omer@acmefoods.example")
    start = timezone.now() - timedelta(days=10)
    subjects = ["Arm calibration drifts", "Firmware 3.1 update fails",
                "Roboterarm stoppt nach Update", "Licence renewal question",
                "Sensor timeout on line 4", "Export of cycle logs is empty",
                "Kalibrierung nach Stromausfall"]
    for day, subject in enumerate(subjects):
        workflow.open_ticket(requester_email="dana@acme-robotics.example", subject=subject,
                             body=f"{subject}. Details follow.", channel="email",
                             at=start + timedelta(days=day))
    workflow.open_ticket(requester_email="omer@acmefoods.example", subject="Label printer",
                         body="The label printer prints blank labels.", channel="web")
    return {"robotics": robotics, "foods": foods, "oelwerk": oelwerk, "other": other,
            "dana": dana}


def test_a_full_organization_name_finds_it_with_its_recent_tickets(lena, customers):
    found = find_people(lena, "Acme Robotics")
    # The exact start first; then names with the same words in another order.
    assert [card.organization.name for card in found.organizations] == [
        "Acme Robotics", "Robotics Acme"]
    card = found.organizations[0]
    assert len(card.recent_tickets) == RECENT_TICKETS
    assert card.recent_tickets[0].subject == "Kalibrierung nach Stromausfall"
    updated = [ticket.updated_at for ticket in card.recent_tickets]
    assert updated == sorted(updated, reverse=True)


def test_names_that_start_with_the_query_come_before_names_that_contain_it(lena, customers):
    found = find_people(lena, "acme")
    assert [card.organization.name for card in found.organizations] == [
        "Acme Foods", "Acme Robotics", "Robotics Acme"]
    assert [card.organization.name for card in find_people(lena, "Robotics").organizations] == [
        "Robotics Acme", "Acme Robotics"]


def test_any_word_of_a_name_finds_it_accents_and_case_folded(lena, customers):
    ContactFactory(name="Alice Moreno", email="alice@globex.example")
    ContactFactory(name="Inês Carvalho", email="ines@lisboa.example")
    ContactFactory(name="Jean-Luc O'Brien", email="jl@brien.example")
    ContactFactory(name="Zoë Ångström", email="zoe@uppsala.example")

    def contacts(query: str) -> list[str]:
        return [card.contact.name for card in find_people(lena, query).contacts]

    assert contacts("moreno") == ["Alice Moreno"]
    assert contacts("MOR") == ["Alice Moreno"]
    assert contacts("ines") == ["Inês Carvalho"]
    assert contacts("carvalho inês") == ["Inês Carvalho"]
    assert contacts("luc") == ["Jean-Luc O'Brien"]
    assert contacts("brien jean") == ["Jean-Luc O'Brien"]
    assert contacts("angstrom") == ["Zoë Ångström"]
    assert contacts("müller") == ["Jörg Müller"]
    assert contacts("muller") == ["Jörg Müller"]
    # Every word must start a word of the name; the middle of a word is not one.
    assert contacts("moreno carvalho") == []
    assert contacts("oreno") == []
    assert [c.organization.name for c in find_people(lena, "bremen").organizations] == [
        "Ölwerk Bremen"]


def test_renamed_and_removed_customers_are_found_by_their_new_names_only(lena, customers):
    dana = customers["dana"]
    dana.name = "Dana Whitfield-Okafor"
    dana.save(update_fields=["name"])
    assert [c.contact.name for c in find_people(lena, "whitfield").contacts] == [
        "Dana Whitfield-Okafor"]
    assert [c.contact.name for c in find_people(lena, "okafor").contacts] == [
        "Dana Whitfield-Okafor"]
    Contact.objects.filter(name="Ömer Acar").update(name="Omar Acar-Lindqvist")
    assert [c.contact.name for c in find_people(lena, "lindqvist").contacts] == [
        "Omar Acar-Lindqvist"]
    assert not find_people(lena, "ömer").contacts
    customers["other"].delete()
    assert [c.organization.name for c in find_people(lena, "robotics").organizations] == [
        "Acme Robotics"]


def test_a_mail_domain_finds_its_organization(lena, customers):
    assert [c.organization.name for c in find_people(lena, "ar.exa").organizations] == [
        "Acme Robotics"]
    assert [c.organization.name for c in find_people(lena, "OELWERK").organizations] == [
        "Ölwerk Bremen"]


def test_names_with_letters_beyond_ascii_are_found_in_any_case(lena, customers):
    assert [c.organization.name for c in find_people(lena, "ölwerk").organizations] == [
        "Ölwerk Bremen"]
    assert [c.contact.name for c in find_people(lena, "Jörg M").contacts] == ["Jörg Müller"]
    assert [c.contact.name for c in find_people(lena, "Ömer").contacts] == ["Ömer Acar"]


def test_a_contact_is_found_by_the_start_of_their_name(lena, customers):
    found = find_people(lena, "dana ok")
    assert [card.contact.name for card in found.contacts] == ["Dana Okafor"]
    assert found.contacts[0].contact.organization.name == "Acme Robotics"
    assert len(found.contacts[0].recent_tickets) == RECENT_TICKETS
    assert not found.organizations


def test_a_developer_sees_only_the_tickets_they_may_open(dana, ada, customers):
    """Developers work tier 3: a card shows them only the escalated tickets."""
    firmware = Ticket.objects.get(subject="Firmware 3.1 update fails")
    workflow.set_tier(firmware, ada, 3, reason="Firmware bug needs engineering")
    card = find_people(dana, "Acme Rob").organizations[0]
    assert card.organization.name == "Acme Robotics"
    assert [ticket.subject for ticket in card.recent_tickets] == ["Firmware 3.1 update fails"]


def test_short_and_empty_queries_find_nobody(lena, customers):
    assert not find_people(lena, "a")
    assert not find_people(lena, "   ")
    assert not find_people(lena, "zz-nobody")


def test_a_query_too_long_or_a_limit_out_of_range_is_refused(lena, customers):
    with pytest.raises(InvalidInput) as refused:
        find_people(lena, "x" * 201)
    assert refused.value.field == "q"
    with pytest.raises(InvalidInput) as refused:
        find_people(lena, "acme", limit=0)
    assert refused.value.field == "limit"


def test_the_cost_does_not_grow_with_the_number_of_matches(lena, customers):
    """A few lookups, then one query per card for its tickets, whatever matches."""
    for number in range(30):
        Contact.objects.create(name=f"Acme Buyer {number:02d}")
        Contact.objects.create(name=f"Buyer {number:02d} at Acme")
    with CaptureQueriesContext(connection) as queries:
        found = find_people(lena, "acme", limit=5)
    assert len(found.contacts) == 5
    assert len(queries.captured_queries) <= 8 + len(found.organizations) + len(found.contacts)
    with CaptureQueriesContext(connection) as queries:
        found = find_people(lena, "buyer", limit=5)
    assert [card.contact.name for card in found.contacts] == [
        "Buyer 00 at Acme", "Buyer 01 at Acme", "Buyer 02 at Acme", "Buyer 03 at Acme",
        "Buyer 04 at Acme"]
    assert len(queries.captured_queries) <= 8 + len(found.organizations) + len(found.contacts)


def test_the_name_lookups_use_the_lower_name_indexes(lena, customers):
    """The index ranges on lower(name) are what the plan walks. PostgreSQL is told
    not to scan tables (these are tiny): it must then find a usable index."""
    with CaptureQueriesContext(connection) as queries:
        find_people(lena, "Acme Robotics")
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries.captured_queries:
            if "customers_" in query["sql"] and "LOWER" in query["sql"].upper():
                cursor.execute(explain + query["sql"])
                plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    assert any("organization_name_lower" in plan for plan in plans), plans
    assert any("contact_name_lower" in plan for plan in plans), plans


def test_the_word_lookups_use_the_word_indexes(lena, customers):
    """Any word of a name is found through an index, not by reading every name: FTS5
    on SQLite, GIN on PostgreSQL (search migration 0003)."""
    with CaptureQueriesContext(connection) as queries:
        find_people(lena, "robotics")
    words = [q["sql"] for q in queries.captured_queries
             if "_name_fts" in q["sql"] or "frontline_fold" in q["sql"]]
    assert len(words) == 2  # organizations, contacts
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN "
        else:
            explain = "EXPLAIN QUERY PLAN "
        for sql in words:
            cursor.execute(explain + sql)
            plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    if connection.vendor == "postgresql":
        assert "search_organization_name_words" in plans[0], plans
        assert "search_contact_name_words" in plans[1], plans
    else:
        assert "VIRTUAL TABLE INDEX" in plans[0] and "organization_name_fts" in plans[0], plans
        assert "VIRTUAL TABLE INDEX" in plans[1] and "contact_name_fts" in plans[1], plans
