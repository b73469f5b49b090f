"""An agent answers with a canned reply in a real browser: m opens the picker, a
search narrows it, Enter inserts the filled-in text into the composer and applies
the macro's changes, and the reply goes out with the text as edited."""

from __future__ import annotations

import pytest

from frontline.kb import macros
from frontline.tickets.models import Message, Ticket
from tests.e2e.browser import browser_page, requires_chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_an_agent_answers_with_a_macro(live_server, lena, ada, bobs_ticket):
    from playwright.sync_api import expect

    macros.create_macro(ada, title="Passwort zurücksetzen", shared=True,
                        body="Hallo {{ customer.first_name }}, bitte nutzen Sie den Link.")
    macros.create_macro(lena, title="Token cache cleared", tags="login, cache",
                        status="pending_customer",
                        body="Hi {{ customer.first_name }},\nwe cleared the token cache for "
                             "{{ ticket.reference }}. Your version: {{ fact.version }}")
    # Script errors, and htmx's complaints about the picker's attributes (a request
    # another panel's timer loses to a busy test database is not ours).
    with browser_page(live_server.url, "lena", f"/t/{bobs_ticket.reference}",
                      console_errors=lambda text: "selector" in text) as (page, errors):
        expect(page.locator("h1")).to_have_text(bobs_ticket.subject)
        page.wait_for_load_state("load")

        page.keyboard.press("m")
        search = page.locator("#macro-search")
        expect(search).to_be_focused()
        expect(page.locator("#macro-results .macro-result")).to_have_count(2)
        search.type("token")
        expect(page.locator("#macro-results .macro-result")).to_have_count(1)
        expect(page.locator("#macro-results")).to_contain_text(
            f"we cleared the token cache for {bobs_ticket.reference}")
        expect(page.locator("#macro-results")).to_contain_text("status: pending customer")
        search.press("Enter")

        body = page.locator("#composer-body")
        expect(body).to_have_value(
            f"Hi Bob,\nwe cleared the token cache for {bobs_ticket.reference}. "
            "Your version: [version unknown]")
        expect(body).to_be_focused()
        expect(page.locator("#macro-picker")).to_be_hidden()
        expect(page.locator("#flash")).to_contain_text("Macro “Token cache cleared” inserted")
        expect(page.locator("select[name=status]")).to_have_value("pending_customer")
        expect(page.locator("#ticket-header .badge")).to_have_text("Pending customer")

        body.fill(body.input_value().replace("[version unknown]", "4.2.1"))
        page.click("#composer button.primary")
        expect(page.locator("#timeline .entry.kind-outbound")).to_contain_text(
            "Your version: 4.2.1")
        assert errors == []
    ticket = Ticket.objects.get(pk=bobs_ticket.pk)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["cache", "login"]
    assert ticket.status == "pending_customer"
    reply = Message.objects.get(ticket=ticket, kind="outbound")
    assert reply.body.endswith("Your version: 4.2.1")
