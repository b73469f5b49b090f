"""A timer never runs on after a crashed or closed browser (issue 12): the ticket page's
beat keeps it alive, and the worker stops one whose page went quiet at its last beat,
saying so on the entry and on the timeline; the reports never count the dead time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from frontline.core import scheduler
from frontline.core.worker import FrontlineWorker
from frontline.costs import services
from frontline.costs.models import TimeEntry
from frontline.costs.tasks import stop_idle_timers as stop_idle_timers_task
from frontline.desk.templatetags.desk import event_line
from frontline.tickets.models import Event
from tests.desk.conftest import HTMX

MONDAY = datetime.fromisoformat("2026-11-30T14:00:00+00:00")


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_a_timer_whose_page_went_quiet_ends_at_its_last_beat(lena, bobs_ticket):
    entry = services.start_timer(bobs_ticket, lena, at=MONDAY)
    for beat in (1, 2, 3.5):  # the page beat for three and a half minutes, then nothing
        assert services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(beat))

    # The laptop slept; the sweep runs 47 minutes later.
    stopped = services.stop_idle_timers(MONDAY + minutes(47))

    assert stopped == [entry]
    entry.refresh_from_db()
    assert entry.ended_at == MONDAY + minutes(3.5)
    assert entry.seconds == 210 and entry.stopped_automatically
    event = Event.objects.get(ticket=bobs_ticket, kind="time_logged")
    assert event.at == MONDAY + minutes(3.5) and event.actor == lena
    assert event.detail["stopped_automatically"] is True
    assert services.ticket_cost(bobs_ticket).seconds == 210  # not 47 minutes


def test_a_timer_still_beating_keeps_running(lena, otto, bobs_ticket, alices_ticket):
    lenas = services.start_timer(bobs_ticket, lena, at=MONDAY)
    ottos = services.start_timer(alices_ticket, otto, at=MONDAY + minutes(2))
    services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(9))
    # Otto's page last beat at 14:06; at 14:11 that is exactly the limit, not beyond it.
    services.heartbeat(alices_ticket, otto, at=MONDAY + minutes(6))

    assert services.stop_idle_timers(MONDAY + minutes(11)) == []
    assert services.stop_idle_timers(MONDAY + minutes(11) + timedelta(seconds=1)) == [ottos]
    lenas.refresh_from_db()
    assert lenas.ended_at is None and not lenas.stopped_automatically


def test_the_limit_is_a_setting(settings, otto, bobs_ticket):
    settings.FRONTLINE_TIMER_IDLE_MINUTES = 30
    entry = services.start_timer(bobs_ticket, otto, at=MONDAY)
    assert services.stop_idle_timers(MONDAY + minutes(29)) == []
    assert services.stop_idle_timers(MONDAY + minutes(31)) == [entry]
    entry.refresh_from_db()
    assert entry.seconds == 0  # no beat ever came: nothing after the start is known


def test_a_beat_for_another_ticket_does_not_keep_this_timer(lena, bobs_ticket, alices_ticket):
    """The timer runs on Bob's ticket; only Bob's page keeps it alive."""
    entry = services.start_timer(bobs_ticket, lena, at=MONDAY)
    assert not services.heartbeat(alices_ticket, lena, at=MONDAY + minutes(8))
    assert services.stop_idle_timers(MONDAY + minutes(8)) == [entry]


def test_stopped_and_manual_entries_are_left_alone(lena, otto, bobs_ticket):
    services.add_entry(bobs_ticket, otto, 40, "Called the customer about the licence")
    services.start_timer(bobs_ticket, lena, at=MONDAY)
    services.stop_timer(lena, at=MONDAY + minutes(12))
    before = list(TimeEntry.objects.order_by("pk").values_list("ended_at", "seconds"))

    assert services.stop_idle_timers(MONDAY + timedelta(days=2)) == []
    assert list(TimeEntry.objects.order_by("pk").values_list("ended_at", "seconds")) == before
    assert not TimeEntry.objects.filter(stopped_automatically=True).exists()
    assert not services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(13))


def test_the_timeline_says_it_was_stopped_automatically(lena, bobs_ticket):
    services.start_timer(bobs_ticket, lena, at=MONDAY)
    services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(26))
    services.stop_idle_timers(MONDAY + minutes(90))

    event = Event.objects.get(ticket=bobs_ticket, kind="time_logged")
    sentence = str(event_line(event))
    assert "logged <b>26 min</b> at tier 1" in sentence
    assert "stopped automatically" in sentence and "14:26" in sentence


def test_the_worker_runs_the_sweep_with_the_clock_moved_forward(lena, otto, bobs_ticket,
                                                                alices_ticket):
    assert "costs.stop_idle_timers" in scheduler.jobs()
    services.start_timer(bobs_ticket, lena, at=MONDAY)
    services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(4))
    services.start_timer(alices_ticket, otto, at=MONDAY)
    services.heartbeat(alices_ticket, otto, at=MONDAY + minutes(20))

    result = stop_idle_timers_task.enqueue(now=(MONDAY + minutes(21)).isoformat())
    FrontlineWorker(batch=True, schedule=False, interval=0).run()

    assert DBTaskResult.objects.get(id=result.id).return_value == {"stopped": 1}
    lenas = TimeEntry.objects.get(user=lena)
    assert (lenas.ended_at, lenas.seconds, lenas.stopped_automatically) == (
        MONDAY + minutes(4), 240, True)
    assert TimeEntry.objects.get(user=otto).ended_at is None


@pytest.mark.django_db(transaction=True)
def test_a_beat_that_came_in_after_the_sweep_read_the_candidates_wins(lena, bobs_ticket,
                                                                      monkeypatch):
    """The sweep re-reads each timer under its owner's lock: a beat committed between
    the sweep's first read and its stop keeps the timer running."""
    entry = services.start_timer(bobs_ticket, lena, at=MONDAY)
    real_lock = services._lock_user

    def beat_then_lock(user):
        services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(59))
        real_lock(user)

    monkeypatch.setattr(services, "_lock_user", beat_then_lock)
    assert services.stop_idle_timers(MONDAY + minutes(60)) == []
    entry.refresh_from_db()
    assert entry.ended_at is None and entry.heartbeat_at == MONDAY + minutes(59)


# -- the ticket page's beat ---------------------------------------------------------


def beat(client, ticket, **fields):
    return client.post(f"/t/{ticket.reference}/presence", fields, **HTMX)


def test_the_pages_beat_keeps_the_timer_alive_and_hidden_tabs_beat_as_away(
        signed_in, lena, otto, bobs_ticket):
    client = signed_in(lena)
    entry = services.start_timer(bobs_ticket, lena, at=MONDAY)

    assert beat(client, bobs_ticket, timer="1").status_code == 200
    entry.refresh_from_db()
    first = entry.heartbeat_at
    assert first is not None and first > MONDAY

    # Hidden: the page said it left, but its timer still beats, without showing Lena
    # as here to the others.
    assert beat(client, bobs_ticket, left="1").status_code == 204
    answer = beat(client, bobs_ticket, timer="1", away="1")
    assert answer.status_code == 204 and "HX-Trigger" not in answer
    entry.refresh_from_db()
    assert entry.heartbeat_at >= first and entry.ended_at is None
    seen = signed_in(otto).post(f"/t/{bobs_ticket.reference}/presence", {}, **HTMX)
    assert "Lena" not in seen.content.decode()


def test_a_beat_for_a_timer_the_sweep_stopped_tells_the_page(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    services.start_timer(bobs_ticket, lena, at=MONDAY)
    services.stop_idle_timers(MONDAY + minutes(30))

    answer = beat(client, bobs_ticket, timer="1", typing="1")

    assert answer.status_code == 200 and answer["HX-Trigger"] == "timer-ended"
    panel = client.get(f"/t/{bobs_ticket.reference}/time", **HTMX).content.decode()
    assert "stopped automatically" in panel and 'data-running="0"' in panel


def test_a_beat_without_a_running_timer_writes_nothing(signed_in, otto, alices_ticket):
    answer = beat(signed_in(otto), alices_ticket, typing="0")
    assert answer.status_code == 200 and "HX-Trigger" not in answer
    assert not TimeEntry.objects.exists()


def test_the_api_says_which_entries_were_stopped_automatically(api, lena, bobs_ticket):
    services.start_timer(bobs_ticket, lena, at=MONDAY)
    services.heartbeat(bobs_ticket, lena, at=MONDAY + minutes(17))
    services.stop_idle_timers(MONDAY + minutes(40))
    services.add_entry(bobs_ticket, lena, 5, "Rückruf beim Kunden")

    body = api(lena).get(f"/tickets/{bobs_ticket.reference}/time").json()

    timed, by_hand = body["entries"]
    assert (timed["seconds"], timed["stopped_automatically"]) == (17 * 60, True)
    assert (by_hand["seconds"], by_hand["stopped_automatically"]) == (5 * 60, False)
    assert body["seconds"] == 22 * 60
