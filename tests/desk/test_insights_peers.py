"""/insights' section "Customers with more problems than their peers" and
/insights/customers (the section alone, for account managers too), with its CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frontline.core.models import User
from tests.costs.factories import make_ticket
from tests.factories import ContactFactory, OrganizationFactory
from tests.insights.peer_base import DAY, peer_base

Signer = Callable[[User], Client]


def test_an_agent_sees_the_section_under_the_alerts(lena: User, vera: User,
                                                    signed_in: Signer) -> None:
    base = peer_base(vera=vera)
    page = signed_in(lena).get("/insights")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Customers with more problems than their peers" in html
    section = html[html.index('id="peers"'):]
    assert section.index("Hotspot") < section.index("Concentrated") < section.index("Spread")
    hotspot = section[section.index(f'data-organization="{base.organizations["Hotspot"].pk}"'):]
    assert "3.30\u00d7" in hotspot[:3000] and "0.330" in hotspot[:3000]
    assert "How-to heavy" in hotspot[:3000] and "Vera Viewer" in hotspot[:3000]
    assert "Unknown Size" not in section
    assert 'href="?peers_days=180#peers"' in section
    assert 'aria-current="page">90 days' in section


def test_the_period_choice_changes_the_figures(lena: User, signed_in: Signer) -> None:
    peer_base(seed=2)
    html = signed_in(lena).get("/insights", {"peers_days": "180"}).content.decode()
    assert 'aria-current="page">180 days' in html and "last 180 days" in html
    # An unknown period falls back to 90 days.
    html = signed_in(lena).get("/insights", {"peers_days": "45"}).content.decode()
    assert "last 90 days" in html


def test_a_viewer_opens_the_section_alone_with_their_organizations(
        vera: User, signed_in: Signer) -> None:
    peer_base(vera=vera)
    client = signed_in(vera)
    assert client.get("/insights").status_code == 403  # the alerts stay for agents
    page = client.get("/insights/customers")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hotspot" in html and "Spread" in html
    assert "Concentrated" not in html and "Pinewood" not in html
    assert "Dismiss" not in html


def test_a_viewer_without_organizations_is_told_so(vera: User, signed_in: Signer) -> None:
    peer_base()
    html = signed_in(vera).get("/insights/customers").content.decode()
    assert "No organization of yours with a known number of seats" in html


def test_developers_get_403(dana: User, signed_in: Signer, db: None) -> None:
    assert signed_in(dana).get("/insights/customers").status_code == 403
    assert signed_in(dana).get("/insights/customers", {"format": "csv"}).status_code == 403


def test_csv_of_every_organization(ada: User, signed_in: Signer) -> None:
    base = peer_base()
    OrganizationFactory(name="=HYPERLINK(evil)", plan=base.organizations["Giant"].plan,
                        seats=500)
    response = signed_in(ada).get("/insights/customers", {"format": "csv", "peers_days": "30"})
    assert response.status_code == 200
    assert 'filename="frontline-customers-30d.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:7] == ["id", "organization", "plan", "seats", "tickets",
                           "tickets_per_seat", "ratio_to_peers"]
    assert len(rows) == 1 + 13
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(evil)" in names and "Unknown Size" not in names


def test_the_page_costs_the_same_queries_for_more_organizations(lena: User,
                                                                signed_in: Signer) -> None:
    base = peer_base()
    client = signed_in(lena)
    client.get("/insights/customers")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/insights/customers").status_code == 200
    for n in range(25):
        organization = OrganizationFactory(name=f"Extra {n}", plan=base.organizations[
            "Solo"].plan, seats=30 + n, account_manager=lena)
        make_ticket(ContactFactory(organization=organization), at=base.now - (n + 1) * DAY)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/insights/customers").content.decode()
    assert "The top 20 of 37" in html
    assert len(many) == len(few)
