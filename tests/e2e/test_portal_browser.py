"""A customer in a real browser: the link from our mail opens their request, they
reply and confirm the fix, with no account; a broken link offers a fresh one."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.tickets import access
from frontline.tickets.models import Message, Status
from tests.e2e.browser import browser_page, requires_chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_a_customer_replies_and_confirms_the_fix_from_the_link(live_server, lena, bobs_ticket):
    from playwright.sync_api import expect

    workflow.add_reply(bobs_ticket, lena, "Please clear your cookies.", status="resolved")
    path = access.ticket_path(bobs_ticket, bobs_ticket.requester)
    with browser_page(live_server.url) as (page, _errors):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_text(bobs_ticket.subject)
        expect(page.locator(".state")).to_have_text("Solved: please confirm")
        expect(page.locator(".msg.ours")).to_contain_text("Please clear your cookies.")

        page.fill("#body", "Still failing after clearing cookies.")
        page.click(".reply button.primary")
        expect(page.locator(".notice")).to_contain_text("your message is on its way")
        expect(page.locator(".msg.theirs").last).to_contain_text("Still failing")
        expect(page.locator(".state")).to_have_text("We are working on it")
        assert Message.objects.filter(body="Still failing after clearing cookies.",
                                      channel="portal").exists()

        workflow.change_status(bobs_ticket, lena, "resolved")
        page.reload()
        page.click("text=Yes, this is solved")
        expect(page.locator(".state")).to_have_text("Closed")
        bobs_ticket.refresh_from_db()
        assert bobs_ticket.status == Status.CLOSED

        page.goto(live_server.url + path[:-4] + "AAAA")
        expect(page.locator("h1")).to_have_text("This link does not open a request")
        page.fill("#email", "bob@standard.example")
        page.click("text=Send me a new link")
        expect(page.locator("h1")).to_have_text("Check your email")
