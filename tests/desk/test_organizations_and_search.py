"""The organization page before a renewal call, and the global search box."""

from __future__ import annotations

import re

from frontline import workflow
from frontline.customers.models import EnvironmentFact


def test_the_organization_page_has_counts_plan_contract_environment_and_contacts(
        signed_in, vera, lena, globex, alice, alices_ticket):
    second = workflow.open_ticket(requester_email="alice@premium.example", subject="SSO loop",
                                  body="loop")
    workflow.change_status(second, lena, "resolved")
    third = workflow.open_ticket(requester_email="alice@premium.example", subject="Waiting",
                                 body="w")
    workflow.change_status(third, lena, "pending_customer")
    EnvironmentFact.objects.create(organization=globex, key="database", value="Oracle 19c")
    html = signed_in(vera).get(f"/o/{globex.pk}").content.decode()
    stats = dict((label, number) for number, label in re.findall(
        r'<span class="num">([^<]+)</span><span class="lbl">([^<]+)</span>', html))
    assert stats["open tickets"] == "2"
    assert stats["waiting (pending)"] == "1"
    assert stats["resolved &amp; closed"] == "1"
    assert stats["tickets in all"] == "3"
    assert stats["contract value / year"] == "250,000"
    for text in ("Premium", "Oracle 19c", "Alice Premium", "alice@premium.example",
                 "Vera Viewer", alices_ticket.reference, second.reference, third.reference):
        assert text in html, text
    open_only = signed_in(vera).get(f"/o/{globex.pk}?state=open").content.decode()
    assert second.reference not in open_only and alices_ticket.reference in open_only


def test_an_unknown_organization_is_a_404(signed_in, lena):
    assert signed_in(lena).get("/o/424242").status_code == 404


def test_searching_a_reference_opens_the_ticket(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    for query in (bobs_ticket.reference, str(bobs_ticket.pk), bobs_ticket.reference.lower()):
        response = client.get("/search", {"q": query})
        assert response.status_code == 302 and response["Location"] == (
            f"/t/{bobs_ticket.reference}"), query


def test_searching_words_finds_tickets_and_customers(signed_in, lena, bobs_ticket,
                                                      alices_ticket, initech):
    client = signed_in(lena)
    html = client.get("/search", {"q": "timeout"}).content.decode()
    assert alices_ticket.reference in html and bobs_ticket.reference not in html
    html = client.get("/search", {"q": "initech"}).content.decode()
    assert f'href="/o/{initech.pk}"' in html
    html = client.get("/search", {"q": "zzzqqq"}).content.decode()
    assert "No ticket matches" in html
    # Whatever is typed, the page answers.
    for query in ('"', "(", "*", "a" * 5000, "NOT", "-", "FL-"):
        assert client.get("/search", {"q": query}).status_code == 200, query
    assert client.get("/search", {"q": "x", "offset": "999999"}).status_code == 200


def test_the_search_box_is_on_every_page(signed_in, lena, db):
    html = signed_in(lena).get("/q/open").content.decode()
    assert re.search(r'<form class="search" action="/search"', html)
    assert 'id="global-search"' in html
