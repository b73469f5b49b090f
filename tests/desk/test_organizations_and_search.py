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


# -- seats and deployments (issue 10) -------------------------------------------------------


def _releases(ada):
    from frontline.customers import products
    products.create_product(ada, name="Atlas Server", versions=[
        {"version": v} for v in ("4.0", "4.1", "4.2", "4.2.1")])
    products.create_product(ada, name="Atlas Cloud")


def _deployments(organization):
    from frontline.customers.deployments import history
    return [(d.product.slug, d.version.name if d.version else None, d.since.isoformat())
            for d in history(organization)]


def test_the_page_shows_seats_and_the_deployment_history(signed_in, ada, vera, lena, globex):
    from datetime import timedelta

    from django.utils import timezone

    from frontline.customers import services
    _releases(ada)
    today = timezone.localdate()
    services.update_organization(ada, globex, seats=2400, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"},
        {"product": "atlas-server", "version": "4.2", "since": today - timedelta(days=9)},
        {"product": "atlas-server", "version": "4.2.1", "since": today + timedelta(days=20)},
        {"product": "atlas-cloud", "since": "2023-05-01"}])
    html = signed_in(vera).get(f"/o/{globex.pk}").content.decode()
    assert "2,400 licensed users" in html
    history = re.findall(r'<li class="(\w+)"><span class="ver">([^<]+)</span>', html)
    assert history == [("current", "no version"), ("planned", "4.2.1"), ("current", "4.2"),
                       ("earlier", "4.1")]
    assert "Change seats and deployments" not in html  # viewers read only
    agent = signed_in(lena).get(f"/o/{globex.pk}").content.decode()
    assert "Change seats and deployments" in agent
    assert agent.count('name="deployment"') == 4 + 2  # each row, and two empty ones


def test_unknown_seats_and_no_deployments_say_so(signed_in, vera, initech):
    html = signed_in(vera).get(f"/o/{initech.pk}").content.decode()
    assert "not known" in html and "No deployments recorded." in html


def test_an_agent_changes_seats_and_adds_and_removes_deployments(signed_in, ada, lena,
                                                                 globex):
    from frontline.customers import services
    _releases(ada)
    services.update_organization(ada, globex, deployments=[
        {"product": "atlas-server", "version": "4.0", "since": "2024-06-17"},
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"}])
    client = signed_in(lena)
    response = client.post(f"/o/{globex.pk}/setup", {
        "seats": " 950 ",
        "deployment": ["atlas-server|4.0", "atlas-server|4.1", "atlas-server|4.2.1",
                       "atlas-cloud|", ""],
        "since": ["2024-06-17", "2024-12-02", "2025-04-07", "2023-05-01", ""],
        "remove": ["0"]})
    assert response.status_code == 302
    globex.refresh_from_db()
    assert globex.seats == 950
    assert _deployments(globex) == [("atlas-cloud", None, "2023-05-01"),
                                    ("atlas-server", "4.1", "2024-12-02"),
                                    ("atlas-server", "4.2.1", "2025-04-07")]
    page = client.get(f"/o/{globex.pk}").content.decode()
    assert "Seats and deployments saved." in page and "950 licensed users" in page


def test_a_bad_row_is_shown_next_to_its_row_and_nothing_changes(signed_in, ada, lena,
                                                                globex):
    from frontline.customers import services
    _releases(ada)
    services.update_organization(ada, globex, seats=40, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-02"}])
    client = signed_in(lena)
    response = client.post(f"/o/{globex.pk}/setup", {
        "seats": "41",
        "deployment": ["atlas-server|4.1", "atlas-server|4.2", ""],
        "since": ["2024-12-02", "", ""]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Row 2: Give the day this version came into use" in html
    rows = re.findall(r'<div class="deploy-row( invalid)?">', html)
    assert rows == ["", " invalid", "", ""]
    assert ('name="since" value="" aria-label="In use since, row 2" aria-invalid="true" '
            'autofocus') in html
    assert 'value="41"' in html  # what was typed stays
    twice = client.post(f"/o/{globex.pk}/setup", {
        "seats": "-3", "deployment": ["atlas-server|4.1"], "since": ["2024-12-02"]})
    assert twice.status_code == 422
    assert "Seats must be between 0 and" in twice.content.decode()
    globex.refresh_from_db()
    assert globex.seats == 40
    assert _deployments(globex) == [("atlas-server", "4.1", "2024-12-02")]


def test_viewers_cannot_post_seats_or_deployments(signed_in, vera, globex):
    response = signed_in(vera).post(f"/o/{globex.pk}/setup", {"seats": "5"})
    assert response.status_code == 403
    globex.refresh_from_db()
    assert globex.seats is None
    assert signed_in(vera).post("/o/424242/setup", {"seats": "5"}).status_code == 404


def test_the_error_names_the_row_as_shown_even_after_a_removed_row(signed_in, ada, lena,
                                                                   initech):
    _releases(ada)
    response = signed_in(lena).post(f"/o/{initech.pk}/setup", {
        "seats": "",
        "deployment": ["atlas-server|4.0", "atlas-cloud|", "atlas-server|4.1",
                       "atlas-server|4.2"],
        "since": ["2024-06-17", "2023-05-01", "2025-01-06", "2025-01-06"],
        "remove": ["0"]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Row 4: Atlas Server has two entries from 2025-01-06; keep one." in html
    assert re.findall(r'<div class="deploy-row( invalid)?">', html) == [
        "", "", "", " invalid", ""]
    assert not initech.deployments.exists()


def test_customer_since_is_the_contract_start_or_the_first_request(signed_in, lena, bob,
                                                                   initech):
    """Not the day the row was typed in (the demo, an import): issue 12."""
    from datetime import date, timedelta

    from django.utils import timezone

    from frontline import workflow

    workflow.open_ticket(requester_email="bob@standard.example", subject="Erste Anfrage",
                         body="Hallo", at=timezone.now() - timedelta(days=800))
    page = signed_in(lena).get(f"/o/{initech.pk}").content.decode()
    first = timezone.localdate(timezone.now() - timedelta(days=800))
    assert f"customer since {first.strftime('%b %Y')}" in page
    initech.plan_starts_on = date(2019, 4, 1)
    initech.save(update_fields=["plan_starts_on"])
    assert "customer since Apr 2019" in signed_in(lena).get(f"/o/{initech.pk}").content.decode()
