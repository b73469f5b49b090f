"""An organization's seats and deployments: which version of which product it ran when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.customers import deployments, products
from frontline.customers import services as customers
from frontline.customers.models import Deployment, Organization, Product, Version


@pytest.fixture
def atlas(ada) -> Product:
    return products.create_product(ada, name="Atlas Server", versions=[
        {"version": "4.0", "released_on": "2024-06-03"},
        {"version": "4.1", "released_on": "2024-11-18"},
        {"version": "4.2", "released_on": "2025-02-10"},
        {"version": "4.2.1", "released_on": "2025-03-27"}])


@pytest.fixture
def beacon(ada) -> Product:
    return products.create_product(ada, name="Beacon Mobile", slug="beacon", versions=[
        {"version": "2.8"}, {"version": "3.0", "released_on": date(2025, 1, 7)}])


@pytest.fixture
def cloud(ada) -> Product:
    return products.create_product(ada, name="Atlas Cloud")


def _history(organization: Organization) -> list[tuple[str, str | None, date]]:
    return [(d.product.slug, d.version.name if d.version else None, d.since)
            for d in deployments.history(organization)]


def test_the_version_in_use_is_the_latest_since_on_or_before_the_day(ada, globex, atlas,
                                                                     beacon):
    customers.update_organization(ada, globex, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-01"},
        {"product": "Beacon Mobile", "version": "2.8", "since": "2024-10-15"},
        {"product": "ATLAS SERVER", "version": "4.0", "since": "2024-07-01"},
        {"product": "atlas-server", "version": "4.2.1", "since": "2025-04-02"},
    ])

    def atlas_on(day: date) -> str | None:
        version = deployments.deployment_at(globex, atlas, day)
        return version.name if version else None

    assert atlas_on(date(2024, 6, 30)) is None
    assert atlas_on(date(2024, 7, 1)) == "4.0"
    assert atlas_on(date(2024, 11, 30)) == "4.0"
    assert atlas_on(date(2024, 12, 1)) == "4.1"
    # 4.2 was released but Globex skipped it.
    assert atlas_on(date(2025, 3, 1)) == "4.1"
    assert atlas_on(date(2025, 4, 2)) == "4.2.1"
    assert atlas_on(date(2031, 1, 1)) == "4.2.1"
    # Each product has its own history.
    assert deployments.deployment_at(globex, beacon, date(2024, 12, 1)).name == "2.8"
    assert deployments.deployment_at(globex, beacon, date(2024, 10, 14)) is None


def test_a_time_is_read_as_its_day_in_the_servers_time_zone(ada, initech, atlas, settings):
    customers.update_organization(ada, initech, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2025-01-01"},
        {"product": "atlas-server", "version": "4.2", "since": "2025-03-10"}])
    late_in_new_york = datetime(2025, 3, 9, 21, 30, tzinfo=ZoneInfo("America/New_York"))
    # 21:30 in New York is 01:30 UTC the next day, the server's (UTC) day of the upgrade.
    assert deployments.deployment_at(initech, atlas, late_in_new_york).name == "4.2"
    with timezone.override("America/Los_Angeles"):
        assert deployments.deployment_at(initech, atlas, late_in_new_york).name == "4.1"
    assert deployments.deployment_at(initech, atlas, datetime(2025, 3, 9, 23, 59, 59,
                                                               tzinfo=UTC)).name == "4.1"


def test_deployed_products_lists_what_ran_that_day_and_not_what_was_planned(
        ada, globex, atlas, beacon, cloud):
    today = timezone.localdate()
    customers.update_organization(ada, globex, deployments=[
        {"product": "atlas-cloud", "since": today - timedelta(days=400)},
        {"product": "atlas-server", "version": "4.2", "since": today - timedelta(days=30)},
        {"product": "atlas-server", "version": "4.2.1", "since": today + timedelta(days=14)},
        {"product": "beacon", "version": "3.0", "since": today - timedelta(days=2)},
    ])
    running = deployments.deployed_products(globex, timezone.now())
    assert [(d.product.name, d.version.name if d.version else None) for d in running] == [
        ("Atlas Cloud", None), ("Atlas Server", "4.2"), ("Beacon Mobile", "3.0")]
    a_week_ago = deployments.deployed_products(globex, today - timedelta(days=7))
    assert [d.product.slug for d in a_week_ago] == ["atlas-cloud", "atlas-server"]
    in_three_weeks = deployments.deployed_products(globex, today + timedelta(days=21))
    assert [d.version.name for d in in_three_weeks if d.version] == ["4.2.1", "3.0"]
    assert deployments.deployed_products(globex, today - timedelta(days=401)) == []


def test_in_use_guesses_only_when_one_product_ran(ada, globex, initech, atlas, beacon):
    customers.update_organization(ada, globex, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-01"},
        {"product": "beacon", "version": "2.8", "since": "2025-01-20"}])
    assert deployments.in_use(globex, date(2025, 1, 5)).version.name == "4.1"
    assert deployments.in_use(globex, date(2025, 2, 5)) is None  # two products: no guess
    assert deployments.in_use(globex, date(2025, 2, 5), product=beacon).version.name == "2.8"
    assert deployments.in_use(globex, date(2025, 1, 5), product=beacon) is None
    assert deployments.in_use(initech, date(2025, 2, 5)) is None


def test_deployment_reads_cost_one_query_however_long_the_history(ada, globex, atlas,
                                                                  django_assert_num_queries):
    start = date(2023, 1, 2)
    names = [f"3.{n}" for n in range(30)]
    for name in names:
        products.add_version(ada, atlas, version=name)
    customers.update_organization(ada, globex, deployments=[
        {"product": "atlas-server", "version": name, "since": start + timedelta(weeks=n)}
        for n, name in enumerate(names)])
    with django_assert_num_queries(1):
        assert [d.version.name for d in deployments.deployed_products(
            globex, date(2023, 3, 1))] == ["3.8"]
    with django_assert_num_queries(1):
        assert deployments.deployment_at(globex, atlas, date(2024, 1, 1)).name == "3.29"


def test_seats_and_deployments_are_set_with_the_organization(ada, lena, atlas, cloud,
                                                             standard_plan):
    organization = customers.create_organization(
        lena, name="Umbrella Health", seats="5200", deployments=[
            {"product": "Atlas Server", "version": "4.0", "since": "2024-07-15"},
            {"product": "atlas-cloud", "version": "", "since": date(2025, 2, 1)}])
    organization.refresh_from_db()
    assert organization.seats == 5200
    assert _history(organization) == [("atlas-cloud", None, date(2025, 2, 1)),
                                      ("atlas-server", "4.0", date(2024, 7, 15))]


def test_changing_the_deployments_replaces_the_history_and_seats_can_become_unknown(
        ada, lena, globex, atlas):
    customers.update_organization(lena, globex, seats=800, deployments=[
        {"product": "atlas-server", "version": "4.0", "since": "2024-07-01"},
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-01"}])
    customers.update_organization(lena, globex, seats=None, deployments=[
        {"product": "atlas-server", "version": "4.2", "since": "2025-02-20"}])
    globex.refresh_from_db()
    assert globex.seats is None
    assert _history(globex) == [("atlas-server", "4.2", date(2025, 2, 20))]
    customers.update_organization(lena, globex, notes="Renewal call in May")
    assert len(_history(globex)) == 1  # left out: kept
    customers.update_organization(lena, globex, deployments=[])
    assert _history(globex) == []


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"seats": -1}, "seats", "between 0 and"),
    ({"seats": "a few hundred"}, "seats", "whole number"),
    ({"seats": 2**31}, "seats", "between 0 and"),
    ({"deployments": [{"product": "ledger", "version": "5.1", "since": "2025-01-01"}]},
     "deployments.0.product", "No product 'ledger'"),
    ({"deployments": [{"product": "", "version": "4.1", "since": "2025-01-01"}]},
     "deployments.0.product", "Name the product"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "2025-01-01"},
                      {"product": "atlas-server", "version": "3.0", "since": "2025-02-01"}]},
     "deployments.1.version", "Atlas Server has no version '3.0'"),
    ({"deployments": [{"product": "atlas-server", "version": "4.2.0", "since": "2025-03-01"}]},
     "deployments.0.version", "no version '4.2.0'"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1"}]},
     "deployments.0.since", "day this version came into use"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "1st of May"}]},
     "deployments.0.since", "YYYY-MM-DD"),
    ({"deployments": [{"product": "atlas-server", "version": "4.1", "since": "2025-01-01"},
                      {"product": "Atlas Server", "version": "4.2", "since": "2025-01-01"}]},
     "deployments.1.since", "two entries from 2025-01-01"),
    ({"deployments": ["atlas-server 4.1"]}, "deployments.0", "{product, version, since}"),
    ({"deployments": "atlas-server"}, "deployments", "a list"),
])
def test_a_bad_seat_count_or_deployment_is_refused_naming_it_and_nothing_changes(
        lena, globex, atlas, changes, field, words):
    customers.update_organization(lena, globex, seats=40, deployments=[
        {"product": "atlas-server", "version": "4.0", "since": "2024-07-01"}])
    with pytest.raises(InvalidInput) as refused:
        customers.update_organization(lena, globex, name="Globex Renamed", **changes)
    assert refused.value.field == field
    assert words in refused.value.message
    stored = Organization.objects.get(pk=globex.pk)
    assert (stored.name, stored.seats) == ("Globex", 40)
    assert _history(globex) == [("atlas-server", "4.0", date(2024, 7, 1))]


def test_viewers_cannot_change_seats_or_deployments(vera, globex, atlas):
    with pytest.raises(NotAllowed):
        customers.update_organization(vera, globex, seats=10)
    assert not Deployment.objects.exists()


def test_a_version_in_use_cannot_be_deleted_from_under_a_deployment(lena, globex, atlas):
    customers.update_organization(lena, globex, deployments=[
        {"product": "atlas-server", "version": "4.1", "since": "2024-12-01"}])
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Version.objects.get(product=atlas, name="4.1").delete()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.dictionaries(st.integers(min_value=0, max_value=60),
                               st.sampled_from(["4.0", "4.1", "4.2", "4.2.1"]),
                               max_size=8),
       asked=st.integers(min_value=-5, max_value=70))
def test_deployment_at_agrees_with_reading_the_history_day_by_day(ada, globex, atlas,
                                                                 history, asked):
    """Any history, any day: the answer is the version of the last change on or before it."""
    start = date(2025, 1, 1)
    rows = [{"product": "atlas-server", "version": version,
             "since": start + timedelta(days=offset)}
            for offset, version in sorted(history.items(), key=lambda item: -item[0])]
    customers.update_organization(ada, globex, deployments=rows)
    in_use = None
    for offset in range(-5, asked + 1):
        in_use = history.get(offset, in_use)
    found = deployments.deployment_at(globex, atlas, start + timedelta(days=asked))
    assert (found.name if found else None) == in_use
    with CaptureQueriesContext(connection) as captured:
        running = deployments.deployed_products(globex, start + timedelta(days=asked))
    assert len(captured) == 1
    assert [d.version.name for d in running if d.version] == ([in_use] if in_use else [])
