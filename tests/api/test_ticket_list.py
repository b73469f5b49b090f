"""Listing tickets: filters, cursor pages, and a fixed number of queries."""

from __future__ import annotations

import base64
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.tickets.models import Ticket
from tests.api.conftest import field_errors
from tests.factories import CategoryFactory, TeamFactory

START = timezone.now() - timedelta(days=2)


def open_tickets(count: int, *, email: str = "bob@standard.example", at=None,
                 first_minute: int = 0) -> list[Ticket]:
    return [
        workflow.open_ticket(requester_email=email, subject=f"Ticket {first_minute + i}",
                             body="Something is wrong.",
                             at=at or START + timedelta(minutes=first_minute + i))
        for i in range(count)
    ]


def walk(client, **params) -> list[dict]:
    """Every page of the list, following next_cursor, as one list of tickets."""
    items, cursor, pages = [], None, 0
    while True:
        page = client.get("/tickets", {**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.json()
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        pages += 1
        assert pages < 100
        if cursor is None:
            return items


def refs(items: list[dict]) -> list[str]:
    return [t["reference"] for t in items]


def test_pages_walk_every_ticket_once_latest_activity_first(api, lena, bob):
    tickets = open_tickets(7)
    items = walk(api(lena), limit=3)
    assert refs(items) == [t.reference for t in reversed(tickets)]


def test_tickets_updated_at_the_same_instant_are_split_by_id(api, lena, bob):
    tickets = open_tickets(7, at=START)
    newest_first = walk(api(lena), limit=2)
    assert refs(newest_first) == [t.reference for t in reversed(tickets)]
    oldest_first = walk(api(lena), limit=2, order="updated_at")
    assert refs(oldest_first) == [t.reference for t in tickets]


def test_the_last_page_says_there_is_no_next_one(api, lena, bob):
    open_tickets(4)
    client = api(lena)
    full = client.get("/tickets", {"limit": 4}).json()
    assert len(full["items"]) == 4 and full["next_cursor"] is None
    first = client.get("/tickets", {"limit": 3}).json()
    assert first["next_cursor"] is not None
    rest = client.get("/tickets", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_latest_first_walk_has_no_duplicates_when_seen_tickets_change(api, lena, bob):
    """An agent works a ticket we already listed: it moves to the front, behind us."""
    tickets = open_tickets(9)
    client = api(lena)
    first = client.get("/tickets", {"limit": 3}).json()
    seen = refs(first["items"])
    workflow.set_priority(Ticket.objects.get(pk=tickets[-1].pk), lena, "urgent")
    rest = walk_from(client, first["next_cursor"], limit=3)
    assert seen + refs(rest) == [t.reference for t in reversed(tickets)]


def walk_from(client, cursor: str, **params) -> list[dict]:
    items = []
    while cursor:
        page = client.get("/tickets", {**params, "cursor": cursor}).json()
        items += page["items"]
        cursor = page["next_cursor"]
    return items


def test_oldest_first_walk_misses_no_change_made_while_walking(api, lena, bob):
    """A sync client walks oldest-first while agents work: nothing is skipped, and a
    ticket changed during the walk comes up again with its new state."""
    tickets = open_tickets(9)
    client = api(lena)
    first = client.get("/tickets", {"limit": 3, "order": "updated_at"}).json()
    assert refs(first["items"]) == [t.reference for t in tickets[:3]]
    already_seen, not_yet_seen = tickets[0], tickets[5]
    workflow.set_priority(Ticket.objects.get(pk=not_yet_seen.pk), lena, "high")
    workflow.set_priority(Ticket.objects.get(pk=already_seen.pk), lena, "urgent")

    rest = walk_from(client, first["next_cursor"], limit=3, order="updated_at")
    untouched = [t.reference for t in tickets if t not in (already_seen, not_yet_seen)]
    assert refs(rest) == [*untouched[2:], not_yet_seen.reference, already_seen.reference]
    assert rest[-2]["priority"] == "high" and rest[-1]["priority"] == "urgent"
    every = refs(first["items"]) + refs(rest)
    assert set(every) == {t.reference for t in tickets}


def test_filters_narrow_the_list(api, lena, otto, bob, alice):
    bobs = open_tickets(2)
    alices = open_tickets(2, email="alice@premium.example", first_minute=10)
    frontdesk = TeamFactory(name="Frontdesk")
    workflow.update_ticket(alices[0], lena, {"assignee": "lena", "team": "Frontdesk",
                                             "status": "pending_customer"})
    workflow.set_tier(bobs[0], otto, 2, reason="Needs tier 2")
    client = api(lena)

    def listed(**params):
        response = client.get("/tickets", params)
        assert response.status_code == 200, response.json()
        return set(refs(response.json()["items"]))

    assert listed(status="pending_customer") == {alices[0].reference}
    assert listed(tier=2) == {bobs[0].reference}
    assert listed(team="Frontdesk") == listed(team=str(frontdesk.pk)) == {alices[0].reference}
    assert listed(assignee="lena") == {alices[0].reference}
    assert listed(organization=bob.organization_id) == {t.reference for t in bobs}
    assert listed(organization=alice.organization_id, status="new") == {alices[1].reference}


def test_updated_since_takes_iso_8601_and_names_itself_when_garbled(api, lena, bob):
    tickets = open_tickets(4)
    client = api(lena)
    since = (START + timedelta(minutes=2)).isoformat()
    recent = client.get("/tickets", {"updated_since": since}).json()["items"]
    assert set(refs(recent)) == {t.reference for t in tickets[2:]}
    naive = (START + timedelta(minutes=3)).astimezone(UTC).replace(tzinfo=None)
    as_utc = client.get("/tickets", {"updated_since": naive.isoformat()}).json()["items"]
    assert refs(as_utc) == [tickets[3].reference]

    garbage = client.get("/tickets", {"updated_since": "last tuesday"})
    assert garbage.status_code == 422
    assert "updated_since" in field_errors(garbage)


@pytest.mark.parametrize(("params", "field"), [
    ({"team": "Nobody"}, "team"),
    ({"updated_since": "0.5"}, "updated_since"),
    ({"updated_since": "1700000000"}, "updated_since"),
    ({"updated_since": "2025-13-45"}, "updated_since"),
    ({"assignee": "ghost"}, "assignee"),
    ({"status": "snoozed"}, "status"),
    ({"tier": 4}, "tier"),
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"organization": "globex"}, "organization"),
    ({"order": "priority"}, "order"),
    ({"cursor": "not a cursor"}, "cursor"),
    ({"cursor": base64.urlsafe_b64encode(b"yesterday|7").decode()}, "cursor"),
    ({"cursor": base64.urlsafe_b64encode(b"2025-01-01T00:00:00+00:00|-4").decode()}, "cursor"),
    ({"cursor": base64.urlsafe_b64encode(b"2025-01-01T00:00:00|" + b"9" * 30).decode()},
     "cursor"),
])
def test_bad_list_parameters_are_422_naming_the_parameter(api, lena, bobs_ticket, params, field):
    response = api(lena).get("/tickets", params)
    assert response.status_code == 422
    assert field in field_errors(response)


def _list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/tickets", {"limit": 200, **params})
    assert response.status_code == 200
    return len(captured)


def _vary(tickets: list[Ticket], lena, team, category) -> None:
    """Give half the tickets an assignee, team and category, so joins have work to do."""
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[::2]]).update(
        assignee=lena, team=team, category=category)


def test_the_list_costs_the_same_queries_for_3_or_30_tickets(api, lena, bob, alice):
    team, category = TeamFactory(name="Frontdesk"), CategoryFactory(slug="login")
    client = api(lena)
    client.get("/me")  # the token's once-a-minute last_used_at write happens here
    tickets = open_tickets(2) + open_tickets(1, email="alice@premium.example")
    _vary(tickets, lena, team, category)
    few = _list_queries(client)
    more = open_tickets(20, first_minute=100) + open_tickets(
        7, email="alice@premium.example", first_minute=200)
    _vary(more, lena, team, category)
    assert Ticket.objects.count() == 30
    many = _list_queries(client)
    assert few == many
    assert many <= 4  # token, the page's keys, its tickets with their relations, emails
    assert _list_queries(client, status="new", tier=1) == many


def test_a_ticket_costs_the_same_queries_however_long_its_story(api, lena, bob, bobs_ticket):
    client = api(lena)
    client.get("/me")

    def detail_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/tickets/{bobs_ticket.reference}").status_code == 200
        return len(captured)

    short = detail_queries()
    nameless = workflow.open_ticket(requester_email="nameless@standard.example", subject="Hi",
                                    body="No name given")
    for n in range(6):
        workflow.add_customer_message(bobs_ticket, nameless.requester, f"me too {n}")
        workflow.add_note(bobs_ticket, lena, f"note {n}")
        workflow.add_reply(bobs_ticket, lena, f"reply {n}")
        workflow.add_customer_message(bobs_ticket, bob, f"answer {n}")
    assert detail_queries() == short
