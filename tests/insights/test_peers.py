"""Customers with more problems than their peers (frontline.insights.peers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.core.models import User
from frontline.insights.peers import (
    CONFIGURATION,
    HOW_TO,
    TRAINING,
    PeerRow,
    _median_without,
    organizations_against_peers,
    size_band,
)
from frontline.tickets.models import Ticket
from tests.costs.factories import make_ticket
from tests.factories import CategoryFactory, ContactFactory, OrganizationFactory, PlanFactory
from tests.insights.peer_base import peer_base

DAY = timedelta(days=1)


def by_name(rows: list[PeerRow]) -> dict[str, PeerRow]:
    return {row.organization.name: row for row in rows}


def test_the_troubled_customers_come_first_with_their_ratio_to_peers(lena: User) -> None:
    peer_base()
    rows = organizations_against_peers(lena, period_days=90)
    assert [row.organization.name for row in rows[:3]] == ["Hotspot", "Concentrated", "Spread"]
    ratios = [row.ratio_to_peers for row in rows]
    assert ratios == sorted(ratios, reverse=True)  # none is None in this base
    found = by_name(rows)
    assert found["Hotspot"].tickets == 33
    assert found["Hotspot"].tickets_per_seat == pytest.approx(0.33)
    # Peers: Pinewood 0.1, Quarry Bay 0.12, Riverside 0.1, Oakfield 0.075: median 0.1.
    assert found["Hotspot"].peer_median == pytest.approx(0.1)
    assert found["Hotspot"].ratio_to_peers == pytest.approx(3.3)
    assert found["Hotspot"].peer_group == "Premium, 51\u2013250 seats"
    assert found["Hotspot"].peers == 4
    # Standard 11-50: 0.15, 0.2, 0.3, 0.6 besides it: median 0.25.
    assert found["Concentrated"].ratio_to_peers == pytest.approx(0.8 / 0.25)
    assert found["Spread"].ratio_to_peers == pytest.approx(0.6 / 0.25)


def test_suggestions_for_the_account_manager(lena: User) -> None:
    base = peer_base(seed=11)
    found = by_name(organizations_against_peers(lena, period_days=90))
    assert found["Hotspot"].suggestion == HOW_TO
    assert "how-to questions" in found["Hotspot"].advice and "3.3\u00d7" in found["Hotspot"].advice
    assert found["Concentrated"].suggestion == CONFIGURATION
    assert "80% in Integrations" in found["Concentrated"].advice
    assert found["Concentrated"].top_categories[0].category == "Integrations"
    assert found["Concentrated"].top_categories[0].share == pytest.approx(0.8)
    assert found["Spread"].suggestion == TRAINING
    people = (Ticket.objects.filter(organization=base.organizations["Spread"])
              .values("requester").distinct().count())
    assert people >= 3 and f"across 6 categories from {people} people" in found["Spread"].advice
    assert all(found[name].suggestion is None
               for name in ("Pinewood", "Quarry Bay", "Giant", "Solo", "Upton"))
    assert len(found["Hotspot"].top_categories) == 3
    assert found["Hotspot"].top_categories[0].category in ("How-to", "Usage questions")


def test_small_peer_groups_fall_back_to_the_plan_then_to_everyone(lena: User) -> None:
    peer_base()
    found = by_name(organizations_against_peers(lena, period_days=90))
    giant = found["Giant"]  # the only Premium customer above 1,000 seats
    assert giant.peer_group == "Premium, all sizes" and giant.peers == 5
    # Premium besides it: 0.075, 0.1, 0.1, 0.12, 0.33: median 0.1.
    assert giant.ratio_to_peers == pytest.approx(0.04 / 0.1)
    solo = found["Solo"]  # the only Enterprise customer
    assert solo.peer_group == "All plans and sizes" and solo.peers == 11
    # Everyone else, sorted: .04 .075 .1 .1 .12 .15 .2 .3 .33 .6 .8: median 0.15.
    assert solo.ratio_to_peers == pytest.approx(0.05 / 0.15)


def test_organizations_without_seats_are_left_out(lena: User) -> None:
    peer_base()
    names = {row.organization.name for row in organizations_against_peers(lena)}
    assert "Unknown Size" not in names and len(names) == 12


def test_merged_tickets_count_once(lena: User) -> None:
    base = peer_base()
    riverside = by_name(organizations_against_peers(lena))["Riverside"]
    assert Ticket.objects.filter(organization=base.organizations["Riverside"]).count() == 10
    assert riverside.tickets == 8 and riverside.tickets_per_seat == pytest.approx(0.1)


def test_the_period_ends_now_and_starts_period_days_before(lena: User) -> None:
    plan = PlanFactory(name="Premium", slug="premium")
    orgs = [OrganizationFactory(name=f"Org {n}", plan=plan, seats=10) for n in range(3)]
    people = [ContactFactory(organization=org) for org in orgs]
    now = timezone.now()
    make_ticket(people[0], at=now - 30 * DAY + timedelta(minutes=1))  # inside
    make_ticket(people[0], at=now - 30 * DAY - timedelta(minutes=1))  # just before
    make_ticket(people[0], at=now + timedelta(minutes=5))  # not yet
    make_ticket(people[1], at=now - 29 * DAY)
    make_ticket(people[2], at=now - 60 * DAY)
    found = by_name(organizations_against_peers(lena, period_days=30))
    assert [found[f"Org {n}"].tickets for n in range(3)] == [1, 1, 0]
    found = by_name(organizations_against_peers(lena, period_days=90))
    assert [found[f"Org {n}"].tickets for n in range(3)] == [2, 1, 1]


def test_exact_figures_on_a_small_base(lena: User) -> None:
    """Three Standard customers of 11-50 seats: 6/20, 2/40, 3/30 tickets per seat."""
    plan = PlanFactory(name="Standard", slug="standard")
    how_to = CategoryFactory(slug="usage-help", name="Using the product")
    printing = CategoryFactory(slug="printing", name="Printing")
    seats = {"Alder": 20, "Birch": 40, "Cedar": 30}
    counts = {"Alder": 6, "Birch": 2, "Cedar": 3}
    for name in seats:
        person = ContactFactory(organization=OrganizationFactory(name=name, plan=plan,
                                                                 seats=seats[name]))
        for n in range(counts[name]):
            category = how_to if name == "Alder" and n < 4 else printing
            make_ticket(person, at=timezone.now() - (n + 1) * DAY, category=category)
    rows = organizations_against_peers(lena, period_days=30)
    assert [row.organization.name for row in rows] == ["Alder", "Cedar", "Birch"]
    alder, cedar, birch = rows
    assert (alder.tickets_per_seat, cedar.tickets_per_seat, birch.tickets_per_seat) == (
        0.3, 0.1, 0.05)
    assert alder.peer_group == "Standard, 11\u201350 seats"
    assert alder.ratio_to_peers == pytest.approx(0.3 / 0.075)  # median of 0.05 and 0.1
    assert cedar.ratio_to_peers == pytest.approx(0.1 / 0.175)
    assert birch.ratio_to_peers == pytest.approx(0.05 / 0.2)
    assert alder.suggestion == HOW_TO  # "usage" in the slug: 4 of 6
    assert [(c.category, c.tickets) for c in alder.top_categories] == [
        ("Using the product", 4), ("Printing", 2)]


def test_configured_howto_categories_replace_the_word_match(lena: User, settings: object) -> None:
    settings.FRONTLINE_HOWTO_CATEGORIES = ["training-requests"]  # type: ignore[attr-defined]
    plan = PlanFactory(name="Standard", slug="standard")
    asked = CategoryFactory(slug="training-requests", name="Training requests")
    worded = CategoryFactory(slug="how-to", name="How-to")
    for name, count, category in [("Elm", 10, asked), ("Fir", 1, worded), ("Gum", 1, worded),
                                  ("Hazel", 10, worded)]:
        person = ContactFactory(organization=OrganizationFactory(name=name, plan=plan, seats=5))
        for n in range(count):
            make_ticket(person, at=timezone.now() - (n + 1) * DAY, category=category)
    found = by_name(organizations_against_peers(lena, period_days=30))
    assert found["Elm"].suggestion == HOW_TO
    assert found["Hazel"].suggestion == CONFIGURATION  # all in one, not how-to by setting


def test_a_viewer_sees_the_organizations_they_manage_with_the_same_ratios(
        vera: User, lena: User) -> None:
    peer_base(vera=vera)
    mine = organizations_against_peers(vera, period_days=90)
    assert [row.organization.name for row in mine] == ["Hotspot", "Spread"]
    everyone = by_name(organizations_against_peers(lena, period_days=90))
    assert [row.ratio_to_peers for row in mine] == [
        everyone["Hotspot"].ratio_to_peers, everyone["Spread"].ratio_to_peers]


def test_developers_may_not_and_the_period_is_checked(dana: User, lena: User, db: None) -> None:
    with pytest.raises(NotAllowed):
        organizations_against_peers(dana)
    for days in (0, 731):
        with pytest.raises(InvalidInput):
            organizations_against_peers(lena, period_days=days)


def test_a_fixed_number_of_queries_however_many_organizations(lena: User) -> None:
    base = peer_base()
    with CaptureQueriesContext(connection) as few:
        organizations_against_peers(lena)
    plan = base.organizations["Giant"].plan
    for n in range(15):
        organization = OrganizationFactory(name=f"More {n}", plan=plan, seats=10 + n)
        make_ticket(ContactFactory(organization=organization),
                    at=base.now - (n + 1) * DAY, category=base.categories["billing"])
    with CaptureQueriesContext(connection) as many:
        assert len(organizations_against_peers(lena)) == 27
    assert len(many) == len(few) == 4


def test_size_bands_and_the_median_without_oneself() -> None:
    assert [size_band(s) for s in (1, 10, 11, 250, 251, 1000, 1001, 99_999)] == [
        (1, 10), (1, 10), (11, 50), (51, 250), (251, 1000), (251, 1000), (1001, None),
        (1001, None)]
    assert _median_without([1.0, 2.0, 3.0], 2.0) == 2.0
    assert _median_without([1.0, 2.0, 3.0, 10.0], 10.0) == 2.0
    assert _median_without([1.0, 1.0, 4.0], 1.0) == 2.5
    assert _median_without([5.0], 5.0) is None


def test_tickets_we_opened_count_once_the_customer_answers(lena: User) -> None:
    from frontline.workflow.conversation import add_customer_message
    from frontline.workflow.opening import open_proactive
    peer_base()
    before = by_name(organizations_against_peers(lena, period_days=90))["Pinewood"].tickets
    person = Ticket.objects.filter(organization__name="Pinewood").first().requester
    told = open_proactive(lena, person, subject="Before you upgrade", body="Please wait.")
    assert by_name(organizations_against_peers(lena, period_days=90))["Pinewood"].tickets == (
        before)
    add_customer_message(told, person, "Thanks, we upgraded already and see the error.")
    assert by_name(organizations_against_peers(lena, period_days=90))["Pinewood"].tickets == (
        before + 1)
