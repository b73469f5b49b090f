"""A timer ends with the work it measures (issue 12): on sending, closing, leaving the
ticket and signing out, never running on to bill the minutes spent elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.costs import services
from frontline.costs.models import TimeEntry
from frontline.tickets.models import Event
from tests.desk.conftest import HTMX


def started(ticket, user, minutes_ago):
    return services.start_timer(ticket, user, at=timezone.now() - timedelta(minutes=minutes_ago))


def logged(entry):
    entry.refresh_from_db()
    return entry.ended_at is not None


def test_stopping_the_timers_on_a_ticket_leaves_other_tickets_timers_running(
        lena, otto, bobs_ticket, alices_ticket):
    lenas = started(bobs_ticket, lena, 7)
    ottos = started(alices_ticket, otto, 3)

    stopped = services.stop_timers_on(bobs_ticket)

    assert stopped == [lenas] and logged(lenas) and not logged(ottos)
    assert 7 * 60 <= lenas.seconds < 8 * 60
    assert Event.objects.filter(ticket=bobs_ticket, kind="time_logged").count() == 1


def test_only_the_named_persons_timer_stops(lena, otto, bobs_ticket):
    lenas = started(bobs_ticket, lena, 12)
    ottos = started(bobs_ticket, otto, 2)

    assert services.stop_timers_on(bobs_ticket, user=otto) == [ottos]
    assert logged(ottos) and not logged(lenas)
    assert services.stop_timers_on(bobs_ticket, user=otto) == []


@pytest.mark.parametrize("send", ["reply", "note"])
def test_sending_ends_the_writers_timer_and_shows_its_entry(lena, otto, bobs_ticket, send):
    lenas = started(bobs_ticket, lena, 4)
    ottos = started(bobs_ticket, otto, 9)
    if send == "reply":
        workflow.add_reply(bobs_ticket, lena, "Bitte starten Sie den Dienst neu.")
    else:
        workflow.add_note(bobs_ticket, lena, "Reproduced on 4.2 with an empty cache")

    assert logged(lenas) and 4 * 60 <= lenas.seconds < 5 * 60
    assert not logged(ottos)  # a colleague still reading keeps timing
    event = Event.objects.get(ticket=bobs_ticket, kind="time_logged")
    assert (event.actor, event.after) == (lena, "4 min")


def test_a_reply_that_resolves_the_ticket_ends_everybodys_timer(lena, otto, bobs_ticket):
    ottos = started(bobs_ticket, otto, 20)
    workflow.add_reply(bobs_ticket, lena, "Fixed in 4.2.2, closing this.", status="resolved")
    assert logged(ottos)


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_resolving_or_closing_ends_every_timer_on_the_ticket(lena, otto, bobs_ticket, status):
    if status == "closed":  # a ticket closes from resolved
        workflow.change_status(bobs_ticket, lena, "resolved")
    lenas = started(bobs_ticket, lena, 1)
    ottos = started(bobs_ticket, otto, 31)
    workflow.change_status(bobs_ticket, lena, status)
    assert logged(lenas) and logged(ottos)
    assert 31 * 60 <= TimeEntry.objects.get(pk=ottos.pk).seconds < 32 * 60


def test_a_status_that_keeps_the_ticket_in_work_keeps_the_timer(lena, bobs_ticket):
    lenas = started(bobs_ticket, lena, 5)
    workflow.change_status(bobs_ticket, lena, "pending_internal")
    assert not logged(lenas)


def test_signing_out_ends_the_timer(signed_in, lena, alices_ticket):
    lenas = started(alices_ticket, lena, 16)
    response = signed_in(lena).post("/logout")
    assert response.status_code in (200, 302)
    assert logged(lenas) and 16 * 60 <= lenas.seconds < 17 * 60


def test_leaving_the_ticket_ends_the_timer_on_it_only(signed_in, lena, bobs_ticket,
                                                     alices_ticket):
    client = signed_in(lena)
    lenas = started(alices_ticket, lena, 6)

    # Left a ticket the timer does not run on: it runs on.
    assert client.post(f"/t/{bobs_ticket.reference}/time/leave").status_code == 204
    assert not logged(lenas)

    assert client.post(f"/t/{alices_ticket.reference}/time/leave").status_code == 204
    assert logged(lenas) and 6 * 60 <= lenas.seconds < 7 * 60


def test_leaving_does_not_stop_a_colleagues_timer(signed_in, lena, otto, bobs_ticket):
    ottos = started(bobs_ticket, otto, 2)
    signed_in(lena).post(f"/t/{bobs_ticket.reference}/time/leave")
    assert not logged(ottos)


def test_the_panel_tells_the_page_where_to_say_it_left(signed_in, lena, bobs_ticket):
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}/time", **HTMX).content.decode()
    assert f'data-leave-url="/t/{bobs_ticket.reference}/time/leave"' in html


def test_sending_from_the_desk_shows_the_logged_time_on_the_timeline(signed_in, lena,
                                                                    bobs_ticket):
    started(bobs_ticket, lena, 3)
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages",
                                    {"kind": "note", "body": "Asked QA to try on Oracle 19c"},
                                    **HTMX)
    assert response.status_code == 200
    assert "logged <b>3 min</b>" in response.content.decode()
    assert services.running_timer(lena) is None
