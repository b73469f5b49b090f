"""What an alert's customers have in common, and who is about to walk into it
(frontline.insights.explain), on the simulated customer base with setups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.core.models import User
from frontline.customers.models import Deployment, Version
from frontline.insights import alerts, detection, explain
from tests.insights.customer_base import CustomerBase, customer_base, with_setups

DAY = timedelta(days=1)


@pytest.fixture
def base(db: None, ada: User) -> CustomerBase:
    """Twelve organizations with setups and 36 background tickets, one-off failures
    among them (customers on 5.1 write about different failures: they must not group
    on "Ledger 5.1" alone, detection._says_the_same); A, B and C (Oracle on 5.1)
    report the export failure within three days."""
    found = with_setups(customer_base(12))
    found.noise(36, start=found.now - 21 * DAY, days=20)
    for n in range(3):
        found.problem(n, found.contact(n), found.now - (3 - n) * DAY)
    detection.run(limit=None)
    return found


def _view(lena: User) -> alerts.AlertView:
    views = alerts.list_alerts(lena)
    assert len(views) == 1
    return views[0]


def test_oracle_explains_the_alert_before_the_version(base: CustomerBase, lena: User) -> None:
    view = _view(lena)
    assert [(e.key, e.value) for e in view.explains] == [
        ("database", "oracle"), ("version", "Ledger 5.1"), ("deployment", "on-premise")]
    oracle, version, premise = view.explains
    assert (oracle.share, oracle.base_share) == (1, 5 / 12)
    assert oracle.lift == pytest.approx(2.4)
    assert version.base_share == 7 / 12 and version.lift == pytest.approx(12 / 7)
    assert premise.lift == pytest.approx(4 / 3)
    # os=linux: two of three affected, as in the whole base: no lift, not listed.
    assert all(e.key != "os" for e in view.explains)


def test_the_sentence_names_the_fact_and_the_version(base: CustomerBase, lena: User) -> None:
    assert _view(lena).sentence == ("All affected customers run database=oracle vs 42% of all "
                                    "customers; all are on Ledger 5.1")


def test_a_share_below_everyone_reads_as_a_percentage() -> None:
    explains = [explain.Explain("database", "oracle", 0.78, 0.12, 6.5, 7, 9),
                explain.Explain("version", "Ledger 5.1", 0.67, 0.4, 1.675, 6, 9)]
    assert explain.sentence(explains) == (
        "78% of affected customers run database=oracle vs 12% of all customers; "
        "67% are on Ledger 5.1")
    assert explain.sentence(explains[1:]) == (
        "67% of affected customers are on Ledger 5.1 vs 40% of all customers")
    assert explain.sentence([]) == ""


def test_configuration_specific_depends_on_what_we_test(base: CustomerBase, lena: User,
                                                        settings: Any) -> None:
    settings.FRONTLINE_TESTED_CONFIGURATIONS = ["database=postgresql", "os=linux"]
    assert _view(lena).configuration_specific
    settings.FRONTLINE_TESTED_CONFIGURATIONS = ["database=postgresql", " Database=Oracle "]
    assert not _view(lena).configuration_specific
    settings.FRONTLINE_TESTED_CONFIGURATIONS = []
    assert not _view(lena).configuration_specific  # not knowing is no evidence


def test_oracle_customers_still_on_5_0_are_at_risk(base: CustomerBase, lena: User) -> None:
    """D and E run Oracle on 5.0; J and K are on 5.0 without Oracle; F to I run
    PostgreSQL on 5.1; A to C are affected; L runs nothing we know."""
    view = _view(lena)
    assert [(r.organization.name, r.version) for r in view.at_risk] == [
        ("Org D", "Ledger 5.0"), ("Org E", "Ledger 5.0")]
    assert view.at_risk[0].reason == (
        "runs database=oracle like 3 of 3 affected, still on Ledger 5.0 "
        "(the alert concentrates on Ledger 5.1)")


def test_an_organization_that_upgraded_is_no_longer_at_risk(base: CustomerBase,
                                                            lena: User) -> None:
    five_one = Version.objects.get(name="5.1")
    d = base.organizations[3]
    Deployment.objects.create(organization=d, product=five_one.product, version=five_one,
                              since=base.now.date())
    assert [r.organization.name for r in _view(lena).at_risk] == ["Org E"]


def test_nobody_is_at_risk_without_an_earlier_version(base: CustomerBase) -> None:
    """A (5.1) and D (5.0), both Oracle: 5.0 stands out (half of them, a third of
    all), and nobody runs anything earlier."""
    population = explain.Population.read()
    affected = [base.organizations[0].pk, base.organizations[3].pk]
    explains = explain.explain(population, affected, base.now)
    assert explains[0].label == "database=oracle"
    assert "Ledger 5.0" in [e.label for e in explains]
    assert explain.at_risk(population, affected, explains, base.now) == []


def test_nobody_is_at_risk_without_a_version_in_common(base: CustomerBase) -> None:
    """F (5.1), J (5.0) on PostgreSQL and L (nothing known): no version stands out."""
    population = explain.Population.read()
    affected = [base.organizations[5].pk, base.organizations[9].pk, base.organizations[11].pk]
    explains = explain.explain(population, affected, base.now)
    assert explains[0].label == "database=postgresql"
    assert all(e.key != "version" for e in explains)
    assert explain.at_risk(population, affected, explains, base.now) == []


def test_listing_alerts_costs_a_fixed_number_of_queries(base: CustomerBase, lena: User) -> None:
    with CaptureQueriesContext(connection) as one:
        alerts.list_alerts(lena)
    for n in range(3):  # a second alert: another failure from three more organizations
        base.open(base.contact(5 + n), "Sync stopped", "Der Abgleich bricht mit Fehlercode "
                  "8812 ab, seit heute.", base.now - (3 - n) * DAY / 2)
    detection.run(limit=None)
    with CaptureQueriesContext(connection) as two:
        assert len(alerts.list_alerts(lena)) == 2
    assert len(two.captured_queries) == len(one.captured_queries)


def test_a_problem_made_of_the_alert_says_what_its_customers_share(
        base: CustomerBase, lena: User) -> None:
    from frontline.insights.impact import problem_impact
    from frontline.insights.models import Alert
    from frontline.workflow.problems import problem_from_alert

    problem = problem_from_alert(lena, Alert.objects.get())
    impact = problem_impact(problem)
    assert impact.in_common == ("All affected customers run database=oracle vs 42% of all "
                                "customers; all are on Ledger 5.1")
