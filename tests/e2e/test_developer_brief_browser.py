"""The developer brief's similar tickets in a real browser (issue 11): loaded by htmx
just after the page; without JavaScript, a link to them on a page of their own."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.routing.escalation import escalate
from tests.e2e.browser import chromium, requires_chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_the_brief_fills_in_its_similar_tickets_with_or_without_javascript(
        live_server, lena, dana, alice, bob, premium_plan, standard_plan):
    from playwright.sync_api import expect

    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Rapport mensuel vide après la migration",
                                  body="Depuis la migration, le rapport mensuel est vide.")
    other = workflow.open_ticket(requester_email="bob@standard.example",
                                 subject="Le rapport mensuel sort vide",
                                 body="Notre rapport mensuel ne contient aucune ligne.")
    escalate(other, lena, 3, reason="Report query", tried="")
    escalate(ticket, lena, 3, reason="Report query again", tried="Ran it twice.")
    with chromium(live_server.url) as session:
        page = session.page("dana", f"/t/{ticket.reference}", console_errors=True)
        errors = session.errors
        similar = page.locator("#developer-brief #brief-similar")
        expect(similar.locator(f'a[href="/t/{other.reference}"]')).to_have_text(
            other.reference)
        expect(similar).not_to_contain_text("Find similar tickets")
        assert errors == []

        # Without JavaScript: the link, and the list on a page of its own.
        plain = session.page("dana", f"/t/{ticket.reference}", javascript=False)
        plain.click("#developer-brief #brief-similar a")
        plain.wait_for_url(f"**/t/{ticket.reference}/brief/similar")
        expect(plain.locator("h1")).to_contain_text(f"Similar to {ticket.reference}")
        expect(plain.locator(f'#brief-similar a[href="/t/{other.reference}"]')).to_be_visible()
