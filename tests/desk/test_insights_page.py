"""/insights (alert cards, dismiss, CSV) and the ticket page's Similar tickets panel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from frontline.core.models import User
from frontline.customers.models import OrganizationNote
from frontline.insights import detection
from frontline.insights.models import Alert, AlertStatus
from frontline.tickets.models import Ticket
from tests.insights.customer_base import CustomerBase, customer_base, with_setups

DAY = timedelta(days=1)
Signer = Callable[[User], Client]


@pytest.fixture
def raised(db: None, ada: User) -> tuple[CustomerBase, list[Ticket]]:
    base = customer_base()
    base.noise(20, start=base.now - 10 * DAY, days=9)
    tickets = [base.problem(n, base.contact(n), base.now - (3 - n) * DAY) for n in range(3)]
    detection.run(limit=None)
    return base, tickets


def test_an_agent_sees_the_alert_card_with_its_tickets_and_organizations(
        raised: tuple[CustomerBase, list[Ticket]], lena: User, signed_in: Signer) -> None:
    _, tickets = raised
    page = signed_in(lena).get("/insights")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ORA-01722" in html and 'data-alert="' in html
    for ticket in tickets:
        assert f'href="/t/{ticket.reference}"' in html
    assert "Org A" in html and "Org C" in html and "3 tickets from 3 organizations" in html
    assert 'href="/insights"' in html  # the navigation link


def test_a_viewer_may_not_see_insights(raised: object, vera: User, signed_in: Signer) -> None:
    page = signed_in(vera).get("/insights")
    assert page.status_code == 403
    assert "for support agents and admins" in page.content.decode()
    assert 'data-nav="insights"' not in signed_in(vera).get("/").content.decode()


def test_dismissing_an_alert(raised: object, lena: User, signed_in: Signer) -> None:
    alert = Alert.objects.get()
    client = signed_in(lena)
    response = client.post(f"/insights/alerts/{alert.pk}/dismiss")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.dismissed_by == lena
    assert client.post(f"/insights/alerts/{alert.pk}/dismiss").status_code == 409


def test_alerts_as_csv(raised: tuple[CustomerBase, list[Ticket]], lena: User,
                       signed_in: Signer) -> None:
    _, tickets = raised
    response = signed_in(lena).get("/insights", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "id,title,status,raised_at,tickets,organizations,terms"
    assert " ".join(t.reference for t in tickets) in lines[1]
    assert "Org A; Org B; Org C" in lines[1]


def test_the_ticket_page_shows_similar_tickets_with_reasons(
        raised: tuple[CustomerBase, list[Ticket]], lena: User, signed_in: Signer) -> None:
    _, tickets = raised
    client = signed_in(lena)
    page = client.get(f"/t/{tickets[0].reference}").content.decode()
    url = f"/t/{tickets[0].reference}/similar"
    assert 'aria-label="Similar tickets"' in page and f'hx-get="{url}"' in page
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert tickets[1].reference in html and tickets[2].reference in html
    assert "ORA-01722 · " in html and "hx-get" not in html


def test_similar_tickets_of_a_ticket_the_user_may_not_see(
        raised: tuple[CustomerBase, list[Ticket]], dana: User, signed_in: Signer) -> None:
    _, tickets = raised
    assert signed_in(dana).get(f"/t/{tickets[0].reference}/similar").status_code == 403


@pytest.fixture
def explained(db: None, ada: User) -> CustomerBase:
    base = with_setups(customer_base(12))
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run(limit=None)
    return base


def test_the_card_explains_the_alert_and_lists_who_is_at_risk(
        explained: CustomerBase, lena: User, signed_in: Signer, settings: object) -> None:
    settings.FRONTLINE_TESTED_CONFIGURATIONS = ["database=postgresql"]  # type: ignore[attr-defined]
    html = signed_in(lena).get("/insights").content.decode()
    assert ("All affected customers run database=oracle vs 42% of all customers; "
            "all are on Ledger 5.1.") in html
    assert "Configuration-specific" in html
    assert "At risk before upgrading (2)" in html and "Org D" in html and "Org E" in html
    alert = Alert.objects.get()
    assert f'href="/insights/alerts/{alert.pk}/advisory"' in html
    # The versions table.
    assert "<h2 id=\"versions-head\">Versions</h2>" in html and "5.1" in html


def test_an_agent_drafts_and_records_an_advisory(explained: CustomerBase, lena: User,
                                                 signed_in: Signer) -> None:
    client = signed_in(lena)
    alert = Alert.objects.get()
    page = client.get(f"/insights/alerts/{alert.pk}/advisory")
    assert page.status_code == 200
    html = page.content.decode()
    assert "customers running database=oracle on Ledger 5.1" in html
    d, e = explained.organizations[3], explained.organizations[4]
    assert f'value="{d.pk}" checked' in html and f'value="{e.pk}" checked' in html

    refused = client.post(f"/insights/alerts/{alert.pk}/advisory", {"text": "Wait."})
    assert refused.status_code == 422 and "Choose at least one organization" in (
        refused.content.decode())
    # Each organization shows who the advisory would be mailed to.
    person = explained.contacts[4]
    assert f"&lt;{person.primary_email}&gt;" in html
    assert 'value="Before you upgrade to Ledger 5.1: a known problem"' in html
    blank = client.post(f"/insights/alerts/{alert.pk}/advisory",
                        {"text": "Wait.", "subject": " ", "organizations": [str(e.pk)]})
    assert blank.status_code == 422 and "Write the subject" in blank.content.decode()
    sent = client.post(f"/insights/alerts/{alert.pk}/advisory",
                       {"text": "Please wait with 5.1.", "subject": "Wait with 5.1",
                        "organizations": [str(e.pk)]}, follow=True)
    assert "mailed to each (a ticket each)" in sent.content.decode()
    note = OrganizationNote.objects.get()
    assert (note.organization, note.author, note.text) == (e, lena, "Please wait with 5.1.")
    org_page = client.get(f"/o/{e.pk}").content.decode()
    assert "Advisories" in org_page and "Please wait with 5.1." in org_page
    reference = note.detail["ticket"]
    assert f'mailed to {person.primary_email} on <a href="/t/{reference}">' in org_page
    assert "Wait with 5.1" in client.get(f"/t/{reference}").content.decode()


def test_a_viewer_may_not_draft_advisories(explained: CustomerBase, vera: User,
                                           signed_in: Signer) -> None:
    alert = Alert.objects.get()
    assert signed_in(vera).get(f"/insights/alerts/{alert.pk}/advisory").status_code == 403


def test_an_account_manager_finds_their_customers_insights_in_the_menu(
        raised: object, vera: User, lena: User, signed_in: Signer) -> None:
    home = signed_in(vera).get("/", follow=True).content.decode()
    assert 'href="/insights/customers" data-nav="customer-insights"' in home
    assert signed_in(vera).get("/insights/customers").status_code == 200
    # Agents have the whole page; the section is on it.
    agents_home = signed_in(lena).get("/", follow=True).content.decode()
    assert 'data-nav="customer-insights"' not in agents_home
