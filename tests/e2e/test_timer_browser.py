"""The Time panel in a real browser (issue 12): typing starts the timer, leaving the
ticket stops it; the ticket page at desk and phone widths, with a missed promise in red."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.costs.models import TimeEntry
from frontline.sla.models import SlaPolicy
from tests.e2e.browser import browser_page, requires_chromium

# Where the screenshots go for a person to look at (FRONTLINE_SCREENSHOTS, else a temp dir).
SHOTS = os.environ.get("FRONTLINE_SCREENSHOTS", "")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_typing_starts_the_timer_and_leaving_the_ticket_stops_it(
        live_server, lena, alice, premium_plan, tmp_path):
    from playwright.sync_api import expect

    # Premium: the first reply is due in two hours, around the clock.
    SlaPolicy.objects.create(plan=premium_plan, first_response_minutes=120,
                             next_response_minutes=240, resolution_minutes=24 * 60)
    opened = timezone.now() - timedelta(days=1)
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Nach dem Update auf 4.2 startet der Dienst nicht",
                                  body="Seit dem Update bricht der Start mit Fehler 1067 ab.",
                                  at=opened)
    workflow.add_reply(ticket, lena, "Welche Java-Version ist installiert?",
                       at=opened + timedelta(hours=16, minutes=45))
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with browser_page(live_server.url, "lena", f"/t/{ticket.reference}", viewport=(1440, 1000),
                      accept_dialogs=True) as (page, errors):  # "leave with unsent text?"
        expect(page.locator("#ticket-time h2")).to_have_text("Time")
        # The first reply came 14 h 45 min after its due time: not "met".
        expect(page.locator("#ticket-sla .sla-left.missed").first).to_have_text(
            "missed by 14 h 45 min")

        page.locator("#composer textarea").first.click()
        page.keyboard.type("Bitte senden Sie uns das Startprotokoll.", delay=5)
        expect(page.locator("#ticket-time")).to_have_attribute("data-running", "1")
        assert TimeEntry.objects.filter(user=lena, ended_at__isnull=True).count() == 1
        page.screenshot(path=str(shots / "ticket-1440.png"), full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / "ticket-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"

        # Leaving the ticket stops the timer (a beacon as the page goes away).
        page.goto(f"{live_server.url}/q/open")
        page.wait_for_load_state("load")
        deadline = time.monotonic() + 5
        while (time.monotonic() < deadline
               and TimeEntry.objects.filter(ended_at__isnull=True).exists()):
            time.sleep(0.1)
        entry = TimeEntry.objects.get(user=lena)
        assert entry.ended_at is not None and entry.seconds < 120
        assert errors == []
