"""The developer brief's similar tickets in a real browser (issue 11): loaded by htmx
just after the page; without JavaScript, a link to them on a page of their own."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.routing.escalation import escalate
from tests.conftest import PASSWORD
from tests.e2e.browser import ARGS, CHROMIUM, requires_chromium, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_the_brief_fills_in_its_similar_tickets_with_or_without_javascript(
        live_server, lena, dana, alice, bob, premium_plan, standard_plan, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Rapport mensuel vide après la migration",
                                  body="Depuis la migration, le rapport mensuel est vide.")
    other = workflow.open_ticket(requester_email="bob@standard.example",
                                 subject="Le rapport mensuel sort vide",
                                 body="Notre rapport mensuel ne contient aucune ligne.")
    escalate(other, lena, 3, reason="Report query", tried="")
    escalate(ticket, lena, 3, reason="Report query again", tried="Ran it twice.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text)
                    if message.type == "error" else None)
            sign_in(page, live_server.url, "dana", PASSWORD, f"/t/{ticket.reference}")
            similar = page.locator("#developer-brief #brief-similar")
            expect(similar.locator(f'a[href="/t/{other.reference}"]')).to_have_text(
                other.reference)
            expect(similar).not_to_contain_text("Find similar tickets")
            assert errors == []

            # Without JavaScript: the link, and the list on a page of its own.
            plain = browser.new_context(java_script_enabled=False).new_page()
            sign_in(plain, live_server.url, "dana", PASSWORD, f"/t/{ticket.reference}")
            plain.click("#developer-brief #brief-similar a")
            plain.wait_for_url(f"**/t/{ticket.reference}/brief/similar")
            expect(plain.locator("h1")).to_contain_text(f"Similar to {ticket.reference}")
            expect(plain.locator(f'#brief-similar a[href="/t/{other.reference}"]')).to_be_visible()
        finally:
            browser.close()
