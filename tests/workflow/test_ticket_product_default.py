"""A ticket's product and version default to what the requester's organization ran
when the ticket arrived (its deployments), and its facts start from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.customers import products
from frontline.customers import services as customers
from frontline.intake.models import FactSource, TicketFact
from frontline.tickets.models import Ticket
from tests.factories import ContactFactory


@pytest.fixture
def releases(ada) -> None:
    products.create_product(ada, name="Atlas Server", versions=[
        {"version": v} for v in ("4.0", "4.1", "4.2", "4.2.1")])
    products.create_product(ada, name="Beacon Mobile", slug="beacon",
                            versions=[{"version": "2.8"}, {"version": "3.0"}])
    products.create_product(ada, name="Atlas Cloud")


def _facts(ticket: Ticket) -> dict[str, tuple[str, str]]:
    return {row.key: (row.value, row.source)
            for row in TicketFact.objects.filter(ticket=ticket, key__in=("product", "version"))}


def _product_and_version(ticket: Ticket) -> tuple[str | None, str | None]:
    ticket = Ticket.objects.select_related("product", "version").get(pk=ticket.pk)
    return (ticket.product.slug if ticket.product else None,
            ticket.version.name if ticket.version else None)


def _open(email: str, **fields) -> Ticket:
    return workflow.open_ticket(requester_email=email, subject=fields.pop("subject", "Help"),
                                body=fields.pop("body", "Something is off since Tuesday."),
                                **fields)


def test_bobs_ticket_names_the_one_product_initech_runs_and_its_facts_follow(
        ada, bob, initech, releases):
    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "atlas-server", "version": "4.2", "since": "2025-02-24"}])
    ticket = _open("bob@standard.example", subject="Reports are slow",
                   body="Every report takes minutes to open.")
    assert _product_and_version(ticket) == ("atlas-server", "4.2")
    assert _facts(ticket) == {"product": ("Atlas Server", FactSource.ORGANIZATION),
                              "version": ("4.2", FactSource.ORGANIZATION)}


def test_an_imported_mail_takes_the_version_of_its_own_date(ada, bob, initech, releases):
    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-server", "version": "4.0", "since": "2024-06-17"},
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "atlas-server", "version": "4.2.1", "since": "2025-04-07"}])
    before = _open("bob@standard.example", at=datetime(2024, 12, 1, 18, 0, tzinfo=UTC))
    on_the_day = _open("bob@standard.example", at=datetime(2024, 12, 2, 8, 15, tzinfo=UTC))
    later = _open("bob@standard.example", at=datetime(2025, 3, 30, 11, 0, tzinfo=UTC))
    too_early = _open("bob@standard.example", at=datetime(2024, 1, 9, 9, 0, tzinfo=UTC))
    assert [_product_and_version(t)[1] for t in (before, on_the_day, later)] == [
        "4.0", "4.1", "4.1"]
    assert _product_and_version(too_early) == (None, None)


def test_a_named_product_gets_the_version_the_organization_ran(ada, alice, globex,
                                                                releases):
    customers.update_organization(ada, globex, deployments=[
        {"product": "atlas-server", "version": "4.2", "since": "2025-02-24"},
        {"product": "beacon", "version": "2.8", "since": "2024-10-01"},
        {"product": "beacon", "version": "3.0", "since": "2025-01-13"}])
    # Two products: a ticket that names neither is not guessed at.
    unnamed = _open("alice@premium.example")
    assert _product_and_version(unnamed) == (None, None)
    assert _facts(unnamed) == {}
    app = _open("alice@premium.example", product="Beacon Mobile", subject="App crashes",
                body="The app closes on launch.")
    assert _product_and_version(app) == ("beacon", "3.0")
    # A product they do not run keeps no version.
    cloud = _open("alice@premium.example", product="atlas-cloud")
    assert _product_and_version(cloud) == ("atlas-cloud", None)


def test_what_the_customer_or_agent_named_wins(ada, lena, bob, initech, releases):
    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-server", "version": "4.2", "since": "2025-02-24"}])
    named = _open("bob@standard.example", product="atlas-server", version="4.0", actor=lena)
    assert _product_and_version(named) == ("atlas-server", "4.0")
    other = _open("bob@standard.example", product="beacon", version="2.8")
    assert _product_and_version(other) == ("beacon", "2.8")


def test_a_hosted_product_is_named_without_a_version(ada, bob, initech, releases):
    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-cloud", "since": "2023-05-01"}])
    ticket = _open("bob@standard.example")
    assert _product_and_version(ticket) == ("atlas-cloud", None)
    assert _facts(ticket) == {"product": ("Atlas Cloud", FactSource.ORGANIZATION)}


def test_a_planned_upgrade_is_not_the_version_in_use_yet(ada, bob, initech, releases):
    today = timezone.localdate()
    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-server", "version": "4.2", "since": today - timedelta(days=60)},
        {"product": "atlas-server", "version": "4.2.1", "since": today + timedelta(days=3)}])
    assert _product_and_version(_open("bob@standard.example"))[1] == "4.2"


def test_people_without_an_organization_or_deployments_get_no_default(ada, initech,
                                                                      releases):
    ContactFactory(name="Jo Freelance", organization=None, email="jo@mail.example")
    assert _product_and_version(_open("jo@mail.example")) == (None, None)
    assert _product_and_version(_open("someone.new@standard.example")) == (None, None)


def test_a_ticket_opened_through_the_api_gets_the_default_too(api, ada, lena, bob, initech,
                                                               releases):
    customers.update_organization(ada, initech, deployments=[
        {"product": "beacon", "version": "3.0", "since": "2025-01-13"}])
    created = api(lena).post("/tickets", {"requester_email": "bob@standard.example",
                                          "subject": "Sync stuck", "body": "Sync is stuck."})
    assert created.status_code == 201, created.json()
    assert (created.json()["product"], created.json()["version"]) == ("beacon", "3.0")


@pytest.mark.parametrize("batch_mails", [1, 50])
def test_an_imported_history_gets_the_version_of_each_mails_date_in_batches_too(
        tmp_path, ada, bob, initech, releases, batch_mails):
    """The batched import builds its rows itself: it asks the same rule
    (customers.deployments.in_use), reading each organization's history once."""
    from frontline.mail.importer import import_mail

    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "atlas-server", "version": "4.2.1", "since": "2025-04-07"}])
    box = tmp_path / "history.mbox"
    with box.open("wb") as out:
        for number, day in enumerate(("Mon, 2 Dec 2024", "Fri, 4 Apr 2025", "Tue, 8 Apr 2025",
                                      "Sun, 1 Dec 2024")):
            raw = (f"From: Bob <bob@standard.example>\nTo: help@frontline.localhost\n"
                   f"Subject: Frage {number}\nMessage-ID: <hist-{number}@standard.example>\n"
                   f"Date: {day} 10:00:00 +0000\n\nDer Bericht hängt seit heute.\n")
            out.write(b"From importer Mon Mar  3 08:00:00 2025\n" + raw.encode() + b"\n\n")
    assert import_mail([box], batch_mails=batch_mails).tickets_opened == 4
    found = {ticket.subject: _product_and_version(ticket) for ticket in Ticket.objects.all()}
    assert found == {"Frage 0": ("atlas-server", "4.1"), "Frage 1": ("atlas-server", "4.1"),
                     "Frage 2": ("atlas-server", "4.2.1"), "Frage 3": (None, None)}
