"""The Time panel on the ticket page, and time totals on the organization page."""

from __future__ import annotations

import re

from frontline.costs import services
from frontline.costs.models import TimeEntry
from tests.costs.factories import log
from tests.desk.conftest import HTMX


def panel_url(ticket, action=""):
    return f"/t/{ticket.reference}/time{action}"


def test_the_ticket_page_loads_the_time_panel(signed_in, lena, bobs_ticket):
    page = signed_in(lena).get(bobs_ticket.get_absolute_url()).content.decode()
    assert f'hx-get="{panel_url(bobs_ticket)}"' in page
    assert "desk/time.js" in page


def test_start_shows_the_timer_running_and_stop_logs_it(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    idle = client.get(panel_url(bobs_ticket), **HTMX).content.decode()
    assert "Start timer" in idle and "No time logged yet." in idle

    running = client.post(panel_url(bobs_ticket, "/start"), **HTMX)
    assert running.status_code == 200
    html = running.content.decode()
    assert "■ Stop" in html and 'data-running="1"' in html
    started = services.running_timer(lena)
    assert started is not None
    assert f'data-timer-start="{int(started.started_at.timestamp() * 1000)}"' in html

    stopped = client.post(panel_url(bobs_ticket, "/stop"), **HTMX).content.decode()
    assert "Logged under a minute." in stopped and "Start timer" in stopped
    assert TimeEntry.objects.get().ended_at is not None


def test_the_panel_says_when_your_timer_runs_elsewhere(signed_in, lena, bobs_ticket,
                                                       alices_ticket):
    services.start_timer(alices_ticket, lena)
    html = signed_in(lena).get(panel_url(bobs_ticket), **HTMX).content.decode()
    assert "Your timer is running on" in html and alices_ticket.reference in html


def test_time_by_hand_shows_in_the_list_with_the_cost(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    html = client.post(panel_url(bobs_ticket, "/entries"), {"minutes": "45", "note": "Call"},
                       **HTMX).content.decode()
    assert "Logged 45 min." in html
    assert "Lena Level-One" in html and "Call" in html
    assert re.search(r"Total</th><td>45 min</td><td class=\"num\"><b>30.00 EUR", html)


def test_bad_minutes_are_refused_next_to_the_field(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(panel_url(bobs_ticket, "/entries"),
                                    {"minutes": "0", "note": "oops"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Log at least one minute." in html and 'aria-invalid="true"' in html
    assert 'value="oops"' in html  # what was typed stays
    assert not TimeEntry.objects.exists()


def test_own_entries_can_be_edited_and_removed(signed_in, lena, otto, bobs_ticket):
    mine = log(bobs_ticket, lena, 20)
    ottos = log(bobs_ticket, otto, 10)
    client = signed_in(lena)
    html = client.get(panel_url(bobs_ticket), **HTMX).content.decode()
    assert f"/time/entries/{mine.pk}/delete" in html
    assert f"/time/entries/{ottos.pk}/delete" not in html

    html = client.post(panel_url(bobs_ticket, f"/entries/{mine.pk}"),
                       {"minutes": "25", "note": "triage"}, **HTMX).content.decode()
    assert "25 min" in html
    refused = client.post(panel_url(bobs_ticket, f"/entries/{ottos.pk}/delete"), **HTMX)
    assert refused.status_code == 403 and "only your own" in refused.content.decode()
    client.post(panel_url(bobs_ticket, f"/entries/{mine.pk}/delete"), **HTMX)
    assert list(TimeEntry.objects.values_list("pk", flat=True)) == [ottos.pk]


def test_viewers_see_time_but_cannot_log_it(signed_in, vera, lena, bobs_ticket):
    log(bobs_ticket, lena, 60)
    client = signed_in(vera)
    html = client.get(panel_url(bobs_ticket), **HTMX).content.decode()
    assert "1 h 00 min" in html and "Start timer" not in html and "Add time by hand" not in html
    refused = client.post(panel_url(bobs_ticket, "/start"), **HTMX)
    assert refused.status_code == 403
    assert services.running_timer(vera) is None


def test_without_javascript_actions_return_to_the_ticket(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(panel_url(bobs_ticket, "/entries"), {"minutes": "5"})
    assert response.status_code == 302 and response["Location"] == bobs_ticket.get_absolute_url()


def test_the_organization_page_totals_time_and_cost(signed_in, vera, lena, otto, bobs_ticket):
    log(bobs_ticket, lena, 90)
    log(bobs_ticket, otto, 60)
    html = signed_in(vera).get(f"/o/{bobs_ticket.organization_id}").content.decode()
    assert "Time and cost" in html
    assert re.search(r"Total</th><td>2.5 h</td><td class=\"num\"><b>120 EUR", html)
    assert "On 1 ticket;" in html


def test_the_panel_costs_the_same_queries_for_few_or_many_entries(signed_in, lena, otto,
                                                                  bobs_ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(lena)
    log(bobs_ticket, otto, 5)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(panel_url(bobs_ticket), **HTMX).status_code == 200
        return len(captured)

    queries()  # the first look creates the cost settings row
    few = queries()
    for minutes in range(1, 9):
        log(bobs_ticket, lena if minutes % 2 else otto, minutes)
    assert queries() == few
