"""Issue 11: what an agent's browser sends is answered with a page or a clear 4xx,
never a 500: digits that are not ASCII, huge numbers, dates at the calendar's ends."""

from __future__ import annotations

import pytest

from frontline.tickets.models import Priority, Ticket
from tests.desk.conftest import HTMX


@pytest.mark.parametrize("value", ["²", "¹", "\u0661", "99999999999999999999", "-1", "0"])
def test_setting_a_priority_of_odd_digits_is_422(signed_in, lena, bobs_ticket, value):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/set/priority",
                                    {"value": value}, **HTMX)
    assert response.status_code == 422
    assert "No priority" in response.content.decode()
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.priority == Priority.NORMAL


def test_setting_a_priority_by_number_or_name_still_works(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    assert client.post(f"/t/{bobs_ticket.reference}/set/priority", {"value": " 4 "},
                       **HTMX).status_code == 200
    assert Ticket.objects.get(pk=bobs_ticket.pk).priority == Priority.URGENT
    assert client.post(f"/t/{bobs_ticket.reference}/set/priority", {"value": "Low"},
                       **HTMX).status_code == 200
    assert Ticket.objects.get(pk=bobs_ticket.pk).priority == Priority.LOW


@pytest.mark.parametrize("params", [
    {"team": "99999999999999999999"}, {"assignee": "99999999999999999999"},
    {"team": "²"}, {"tier": "³"}, {"priority": "\u0661"}, {"assignee": "-5"},
])
def test_queue_filters_of_odd_numbers_show_the_unfiltered_queue(signed_in, lena, bobs_ticket,
                                                                 params):
    response = signed_in(lena).get("/q/open", params)
    assert response.status_code == 200
    assert bobs_ticket.reference in response.content.decode()


@pytest.mark.parametrize("offset", ["²", "-20", "1e3", "٣"])
def test_search_offsets_that_are_no_number_start_at_the_top(signed_in, lena, bobs_ticket,
                                                            offset):
    response = signed_in(lena).get("/search", {"q": "login", "offset": offset})
    assert response.status_code == 200
    assert bobs_ticket.reference in response.content.decode()


def test_a_search_offset_of_twenty_digits_is_the_last_page_not_an_overflow(signed_in, lena,
                                                                           bobs_ticket):
    response = signed_in(lena).get("/search", {"q": "login", "offset": "9" * 20})
    assert response.status_code == 200
    assert bobs_ticket.reference not in response.content.decode()


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "0001-01-01", "to": "9999-12-31"},
     "The first day must be between 1900-01-01 and 2999-12-31."),
    ({"to": "0001-01-05"}, "The last day must be between 1900-01-01 and 2999-12-31."),
    ({"from": "1990-01-01", "to": "2024-06-30"},
     "A report covers at most three years (1099 days). The start was moved."),
    ({"from": "2024-03-10", "to": "2024-03-01"}, "the dates were swapped"),
])
def test_report_periods_at_the_edges_are_shown_with_what_was_changed(signed_in, vera, params,
                                                                      message):
    response = signed_in(vera).get("/reports", params)
    assert response.status_code == 200
    assert message in response.content.decode()
