"""The versions report (frontline.insights.versions) on a small, exact dataset.

Ledger 5.0 released on day 0, 5.1 on day 60; now is day 70 (5.1 is ten days old).
X runs 5.0 throughout; Y 5.0 from day 0 and 5.1 from day 60; Z 5.1 from day 62.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from frontline import workflow
from frontline.core.errors import NotAllowed
from frontline.core.models import User
from frontline.customers.models import Deployment, Product, Version
from frontline.insights.versions import start_of, version_reports
from frontline.tickets.models import Ticket
from tests.factories import ContactFactory, OrganizationFactory

DAY0 = date(2025, 1, 6)


def _ticket(email: str, version: Version, days: float) -> None:
    ticket = workflow.open_ticket(requester_email=email, subject="Question", body="Hello",
                                  at=start_of(DAY0) + timedelta(days=days))
    Ticket.objects.filter(pk=ticket.pk).update(version=version, product=version.product)


@pytest.fixture
def ledger(db: None) -> tuple[Version, Version]:
    product = Product.objects.create(name="Ledger", slug="ledger")
    five_o = Version.objects.create(product=product, name="5.0", released_on=DAY0)
    five_one = Version.objects.create(product=product, name="5.1",
                                      released_on=DAY0 + timedelta(days=60))
    Version.objects.create(product=product, name="6.0")  # not released yet
    for name, history in (("X", [(0, five_o)]), ("Y", [(0, five_o), (60, five_one)]),
                          ("Z", [(62, five_one)]), ("W", [])):
        org = OrganizationFactory(name=f"Org {name}", domains=[f"{name.lower()}.example"])
        ContactFactory(organization=org, email=f"it@{name.lower()}.example")
        for days, version in history:
            Deployment.objects.create(organization=org, product=product, version=version,
                                      since=DAY0 + timedelta(days=days))
    # 5.0: two in its first ten days (one from Y), one on day 20, one on day 65 (X).
    _ticket("it@x.example", five_o, 1)
    _ticket("it@y.example", five_o, 9.5)
    _ticket("it@x.example", five_o, 20)
    _ticket("it@x.example", five_o, 65)
    # 5.1: three in its first ten days; one before its release (a beta) is not counted.
    _ticket("it@y.example", five_one, 61)
    _ticket("it@z.example", five_one, 63)
    _ticket("it@z.example", five_one, 69)
    _ticket("it@y.example", five_one, 59)
    return five_o, five_one


def test_rates_against_the_previous_version_at_the_same_age(
        ledger: tuple[Version, Version], lena: User) -> None:
    five_o, _ = ledger
    now = start_of(DAY0) + timedelta(days=70)
    reports = {r.version.name: r for r in version_reports(lena, now=now)}
    assert list(reports) == ["5.1", "5.0", "6.0"]
    new = reports["5.1"]
    assert (new.organizations, new.tickets) == (2, 3)
    assert new.rate == pytest.approx(3 / 2 / 10 * 30)  # 4.5 per organization per 30 days
    # 5.0 at ten days old: two tickets, two organizations on it (X and Y).
    assert new.previous == five_o and new.previous_rate == pytest.approx(2 / 2 / 10 * 30)
    assert new.change == pytest.approx(1.5)
    old = reports["5.0"]
    assert (old.organizations, old.tickets) == (1, 4)
    assert old.rate == pytest.approx(4 / 1 / 70 * 30)
    assert old.previous is None and old.previous_rate is None
    unreleased = reports["6.0"]
    assert (unreleased.organizations, unreleased.tickets, unreleased.rate) == (0, 0, None)


def test_viewers_see_no_versions(ledger: object, vera: User) -> None:
    with pytest.raises(NotAllowed):
        version_reports(vera)
