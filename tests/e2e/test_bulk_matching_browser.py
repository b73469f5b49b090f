"""Gmail-style "Select all N tickets matching this queue" in a real browser (issue 12):
checking the page's rows offers the whole list; unchecking a row takes the offer back;
chosen, one confirmation with the count changes the tickets on every page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontline.tickets.models import Event, Priority, Ticket
from tests.costs.factories import make_ticket
from tests.e2e.axe import grave_violations
from tests.e2e.browser import browser_page, requires_chromium

SUBJECTS = ["Kalender synchronisiert nicht", "Attachments over 20 MB bounce",
            "Le tableau de bord est vide", "Webhook 签名无效", "Can't rotate API key"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_select_all_matching_changes_every_page(live_server, lena, bob, alice, tmp_path):
    from playwright.sync_api import expect

    tickets = [make_ticket(alice if i % 4 == 0 else bob, f"{SUBJECTS[i % 5]} ({i + 1})")
               for i in range(61)]
    with browser_page(live_server.url, "lena", "/q/open", viewport=(1440, 1000)) as (page, errors):
        offer = page.locator("[data-bulk-all]")
        count = page.locator("[data-bulk-count]")
        expect(offer).to_be_hidden()

        page.check("[data-pick-all]")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("All 50 tickets on this page are selected.")
        # One row unticked: the page is no longer all picked, the offer goes.
        page.locator("#queue-list input.pick").nth(7).uncheck()
        expect(offer).to_be_hidden()
        page.locator("#queue-list input.pick").nth(7).check()
        expect(offer).to_be_visible()

        page.click("[data-bulk-select-matching]")
        expect(offer).to_contain_text("All 61 tickets matching this queue are selected.")
        expect(count).to_have_text("All 61 selected")
        # For a person to look at (FRONTLINE_SCREENSHOTS, else a temp dir).
        shots = Path(os.environ.get("FRONTLINE_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "queue-all-matching.png"))
        assert grave_violations(page) == []  # the banner and its button, shown
        # Clearing goes back to nothing picked.
        page.click("[data-bulk-clear]")
        expect(count).to_have_text("Select tickets (x, shift-click for a range)")
        expect(offer).to_be_hidden()

        page.check("[data-pick-all]")
        page.click("[data-bulk-select-matching]")
        page.select_option("#bulk-form select[name=priority]", label="Urgent")
        page.click("#bulk-form button[value=change]")
        dialog = page.locator("[data-bulk-confirm]")
        expect(dialog).to_contain_text("Change all 61 tickets matching this queue?")
        expect(dialog).to_contain_text("and 31 more")
        assert not Event.objects.filter(kind="priority_changed").exists()
        page.click("[data-bulk-confirm-button]")
        expect(page.locator("[data-bulk-result]")).to_contain_text("61 tickets changed",
                                                                   timeout=30_000)
        assert errors == []
    assert Ticket.objects.filter(pk__in=[t.pk for t in tickets],
                                 priority=Priority.URGENT).count() == 61
    assert Event.objects.filter(kind="priority_changed").count() == 61
