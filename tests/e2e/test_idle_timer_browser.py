"""A timer never outlives its page (issue 12), in a real browser: the page's beat keeps
the timer alive; after the page dies without its leave beacon (nothing told the server)
the worker's sweep, run with the clock moved forward, ends the entry at the last beat;
a page that wakes up to a timer the sweep stopped shows it stopped."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.costs import services
from frontline.costs.models import TimeEntry
from tests.e2e.browser import browser_page, requires_chromium


def wait_for(check, seconds: float = 12.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the page")
        time.sleep(0.1)


def beaten(entry_id: int) -> bool:
    """The page beat at least once since the timer started."""
    entry = TimeEntry.objects.get(pk=entry_id)
    return entry.heartbeat_at is not None and entry.heartbeat_at > entry.started_at


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_a_lost_pages_timer_ends_at_its_last_beat(live_server, lena, bob):
    from playwright.sync_api import expect

    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Lizenzschlüssel wird nach dem Neustart abgelehnt",
                                  body="Nach jedem Neustart fragt die App wieder nach "
                                       "dem Schlüssel.")
    with browser_page(live_server.url, "lena", f"/t/{ticket.reference}",
                      viewport=(1280, 900)) as (page, errors):

        # 1. The laptop "sleeps": the sweep (clock an hour on) stops the timer; the
        #    page's next beat learns it and shows the entry stopped automatically.
        page.locator("#composer textarea").first.click()
        page.keyboard.type("Könnten Sie uns die Datei license.lic schicken?", delay=5)
        panel = page.locator("#ticket-time")
        expect(panel).to_have_attribute("data-running", "1")
        first = TimeEntry.objects.get(user=lena, ended_at__isnull=True)
        wait_for(lambda: beaten(first.pk))
        assert services.stop_idle_timers(timezone.now() + timedelta(hours=1)) == [first]
        expect(panel).to_have_attribute("data-running", "0", timeout=12_000)
        expect(panel.locator(".auto-stopped")).to_have_text("stopped automatically")

        # 2. The browser dies while a timer runs: its goodbye beacons never go out
        #    (a crash runs no pagehide handler; here they are silenced, since
        #    Chromium sends beacons past Playwright's network interception).
        page.click("#time-start button")
        expect(panel).to_have_attribute("data-running", "1")
        second = TimeEntry.objects.get(user=lena, ended_at__isnull=True)
        wait_for(lambda: beaten(second.pk))
        page.evaluate("navigator.sendBeacon = function () { return true; }")
        page.close()
        time.sleep(1)
        second.refresh_from_db()
        assert second.ended_at is None  # nothing told the server
        last_beat = second.heartbeat_at

        # The worker's sweep, as if six minutes had passed.
        assert services.stop_idle_timers(timezone.now() + timedelta(minutes=6)) == [second]
        second.refresh_from_db()
        assert second.ended_at == last_beat and second.stopped_automatically
        assert second.seconds == int((last_beat - second.started_at).total_seconds())
        assert second.seconds < 60
        assert errors == []
