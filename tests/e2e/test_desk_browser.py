"""One agent's morning in a real browser: sign in, open a queue, open a ticket,
reply, and see the reply appear in the timeline without a page reload."""

from __future__ import annotations

import pytest

from frontline.tickets.models import Message
from tests.conftest import PASSWORD
from tests.e2e.browser import browser_page, requires_chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_an_agent_answers_a_ticket_from_the_queue(live_server, lena, bobs_ticket):
    from playwright.sync_api import expect

    # Not signed in: the queue sends the agent to the login form, which brings her back.
    with browser_page(live_server.url) as (page, _errors):
        page.goto(f"{live_server.url}/q/open")
        expect(page).to_have_url(f"{live_server.url}/login?next=/q/open")
        page.fill("#id_username", "lena")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("All open")
        # The keys are desk.js's, a deferred script: the heading shows before it runs.
        page.wait_for_load_state("load")

        page.keyboard.press("j")
        expect(page.locator(".ticket-row.selected")).to_contain_text(bobs_ticket.reference)
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text(bobs_ticket.subject)
        # The heading shows while the page's stylesheets and scripts still load;
        # the keys work once desk.js has run (the load event), as for a person.
        page.wait_for_load_state("load")
        page.evaluate("window.__sameDocument = true")

        page.keyboard.press("r")
        expect(page.locator("#composer-body")).to_be_focused()
        page.keyboard.type("Please clear the token cache and try again.")
        # Writing starts the time panel's timer, without leaving the page.
        expect(page.locator("#ticket-time[data-running='1']")).to_have_count(1)
        expect(page.locator("#composer-body")).to_have_value(
            "Please clear the token cache and try again.")
        page.select_option("select[name=status]", "pending_customer")
        page.click("#composer button.primary")

        reply = page.locator("#timeline .entry.kind-outbound")
        expect(reply).to_contain_text("Please clear the token cache and try again.")
        expect(page.locator("#composer-body")).to_have_value("")
        expect(page.locator("#ticket-header .badge")).to_have_text("Pending customer")
        assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"

        page.click("#composer [data-kind=note]")
        page.fill("#composer-body", "")
        page.click("#composer .note-btn")
        expect(page.locator("#composer .field-error")).to_have_text("The message is empty.")
    reply_row = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    assert reply_row.body == "Please clear the token cache and try again."
