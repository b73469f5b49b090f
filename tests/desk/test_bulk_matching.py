"""The queue's "Select all N tickets matching this queue" (issue 12): offered when the
list is longer than the page, confirmed once with the count, applied to every ticket
the queue's filters list (not only the page's), bounded, with clear refusals."""

from __future__ import annotations

import re

import pytest

from frontline.tickets.models import Event, Priority, Ticket
from frontline.workflow import bulk
from tests.costs.factories import make_ticket
from tests.desk.conftest import HTMX

SUBJECTS = ["Drucker druckt leere Seiten", "Sync stalls at 99 %", "Pas de notification",
            "两步验证失败", "VPN drops every 10 minutes after the 4.2 update", "?"]


def fill_queue(bob, alice, count: int, *, priority: int = Priority.NORMAL) -> list[Ticket]:
    """`count` open tickets from two customers (more than a page of 50 when asked)."""
    return [make_ticket(bob if i % 3 else alice, f"{SUBJECTS[i % len(SUBJECTS)]} #{i}",
                        priority=priority) for i in range(count)]


def banner(html: str) -> str:
    match = re.search(r'<p class="bulk-all".*?</p>', html, re.S)
    return match.group(0) if match else ""


def test_a_list_longer_than_the_page_offers_all_its_tickets(signed_in, lena, bob, alice):
    fill_queue(bob, alice, 57)
    html = signed_in(lena).get("/q/open").content.decode()
    offer = banner(html)
    assert "All 50 tickets on this page are selected." in offer
    assert "Select all 57 tickets matching this queue" in offer
    assert 'name="queue" value="open"' in html and 'data-bulk-scope' in html


def test_a_list_that_fits_the_page_offers_nothing_more(signed_in, lena, bob, alice):
    fill_queue(bob, alice, 12)
    assert banner(signed_in(lena).get("/q/open").content.decode()) == ""


def test_above_the_bound_the_banner_says_to_narrow_the_filters(signed_in, lena, bob, alice,
                                                                monkeypatch):
    monkeypatch.setattr(bulk, "MAX_MATCHING", 52)
    fill_queue(bob, alice, 55)
    offer = banner(signed_in(lena).get("/q/open").content.decode())
    assert "More than 52 tickets match this queue; narrow the filters" in offer
    assert "data-bulk-select-matching" not in offer


def test_all_matching_is_confirmed_with_the_count_then_changes_every_page(
        signed_in, lena, otto, bob, alice):
    urgent = fill_queue(bob, alice, 53, priority=Priority.URGENT)
    others = fill_queue(bob, alice, 4, priority=Priority.LOW)
    client = signed_in(lena)
    form = {"scope": "matching", "queue": "open", "query": "priority=4", "action": "change",
            "assignee": "otto", "references": [urgent[0].reference], "next": "/q/open?priority=4"}

    confirm = client.post("/bulk", form, **HTMX).content.decode()

    assert "Change all 53 tickets matching this queue?" in confirm
    assert "Assign to Otto Level-Two." in confirm and "and 23 more" in confirm
    assert 'name="scope" value="matching"' in confirm
    assert 'name="query" value="priority=4"' in confirm
    assert 'name="references"' not in confirm  # read again from the filters on confirming
    assert not Event.objects.filter(kind="assigned").exists()

    result = client.post("/bulk", {**form, "confirmed": "1"}, **HTMX).content.decode()

    assert "53 tickets changed" in result
    assert Ticket.objects.filter(pk__in=[t.pk for t in urgent], assignee=otto).count() == 53
    assert Event.objects.filter(kind="assigned").count() == 53
    assert not Ticket.objects.filter(pk__in=[t.pk for t in others], assignee=otto).exists()


def test_all_matching_above_the_bound_is_refused_whole(signed_in, lena, bob, alice,
                                                       monkeypatch):
    monkeypatch.setattr(bulk, "MAX_MATCHING", 8)
    fill_queue(bob, alice, 9)
    answer = signed_in(lena).post("/bulk", {"scope": "matching", "queue": "open",
                                            "action": "change", "status": "pending_customer",
                                            "confirmed": "1"}, **HTMX)
    assert answer.status_code == 422
    assert "More than 8 tickets match this queue" in answer.content.decode()
    assert not Event.objects.filter(kind="status_changed").exists()


@pytest.mark.parametrize(("fields", "message"), [
    ({"queue": "elsewhere"}, "There is no queue"),
    ({"queue": ""}, "There is no queue"),
    ({"queue": "mine"}, "No ticket matches this queue any more"),
])
def test_a_bad_scope_is_a_clear_error(signed_in, lena, bob, alice, fields, message):
    fill_queue(bob, alice, 3)
    answer = signed_in(lena).post("/bulk", {"scope": "matching", "action": "change",
                                            "priority": "2", **fields}, **HTMX)
    assert answer.status_code == 422 and message in answer.content.decode()


@pytest.mark.parametrize("query", ["priority=%ff%00", "tier=99999999999999999999&team=x",
                                   "&&&==", "sort=;DROP TABLE", "status=" + "é" * 300])
def test_nonsense_in_the_query_is_dropped_not_a_crash(signed_in, lena, bob, alice, query):
    fill_queue(bob, alice, 2)
    answer = signed_in(lena).post("/bulk", {"scope": "matching", "queue": "open",
                                            "query": query, "action": "change",
                                            "priority": "3"}, **HTMX)
    assert answer.status_code == 200 and "Change all 2 tickets" in answer.content.decode()


def test_a_viewer_sees_no_banner_and_changes_nothing(signed_in, vera, bob, alice):
    fill_queue(bob, alice, 51)
    client = signed_in(vera)
    assert banner(client.get("/q/open").content.decode()) == ""
    result = client.post("/bulk", {"scope": "matching", "queue": "open", "action": "change",
                                   "priority": "4", "confirmed": "1"}, **HTMX).content.decode()
    assert "0 tickets changed" in result
    assert not Ticket.objects.filter(priority=Priority.URGENT).exists()
