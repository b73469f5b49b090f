"""An agent picks tickets in a queue in a real browser: a click, a shift-click for
the range, `x` on the row j moved to; one bulk assignment, confirmed once, and the
result names every ticket (issue 12)."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.tickets.models import Event, Ticket
from tests.e2e.browser import browser_page, requires_chromium

REQUESTS = [
    ("nina@standard.example", "Passwort-Reset kommt nicht an"),
    ("raj@premium.example", "Dashboard widgets blank on Safari 17"),
    ("olu@standard.example", "Invoice PDF has the wrong VAT number"),
    ("mei@premium.example", "同步任务每晚失败"),
    ("ken@standard.example", "API rate limit too low for our integration"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_select_shift_click_and_x_then_bulk_assign(live_server, lena, otto, initech, globex):
    from playwright.sync_api import expect

    for email, subject in REQUESTS:
        workflow.open_ticket(requester_email=email, subject=subject, body=f"{subject}.")
    # The queue lists the most recently updated first: the last opened on top.
    listed = list(Ticket.objects.order_by("-updated_at", "-id"))
    with browser_page(live_server.url, "lena", "/q/open") as (page, errors):
        boxes = page.locator("#queue-list input.pick")
        expect(boxes).to_have_count(5)

        boxes.nth(0).click()                        # the first row
        boxes.nth(2).click(modifiers=["Shift"])     # ... through the third
        expect(page.locator("[data-bulk-count]")).to_have_text("3 selected")
        page.locator("h1").click()                  # focus off the checkboxes
        for _ in range(5):                          # j down to the fifth row
            page.keyboard.press("j")
        page.keyboard.press("x")
        expect(page.locator("[data-bulk-count]")).to_have_text("4 selected")
        expect(boxes.nth(3)).not_to_be_checked()

        page.select_option("#bulk-form select[name=assignee]", label="Otto Level-Two")
        page.click("#bulk-form button[value=change]")
        dialog = page.locator("[data-bulk-confirm]")
        expect(dialog).to_contain_text("Change 4 tickets?")
        expect(dialog).to_contain_text("Assign to Otto Level-Two.")
        assert Event.objects.filter(kind="assigned").count() == 0
        page.click("[data-bulk-confirm-button]")
        result = page.locator("[data-bulk-result]")
        expect(result).to_contain_text("4 tickets changed")
        chosen = [listed[0], listed[1], listed[2], listed[4]]
        for ticket in chosen:
            expect(result).to_contain_text(ticket.reference)
        assert errors == []
    for ticket in chosen:
        ticket.refresh_from_db()
        assert ticket.assignee == otto
        assert Event.objects.filter(ticket=ticket, kind="assigned").count() == 1
    listed[3].refresh_from_db()
    assert listed[3].assignee is None
