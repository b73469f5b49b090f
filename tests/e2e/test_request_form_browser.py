"""A customer opens a request in a real browser: the questions follow their
answers as they pick them (htmx, no "Update questions" button needed), what they
typed survives each redraw, and sending lands on the confirmation."""

from __future__ import annotations

import pytest

from frontline.intake import questions
from frontline.intake.models import FactSource, TicketFact
from frontline.tickets import access
from frontline.tickets.models import Category, Ticket
from tests.e2e.browser import PHONE, browser_page, requires_chromium
from tests.factories import CategoryFactory


def _question(key: str, text: str, why: str, type: str = "text", **more):
    return {"key": key, "text": text, "why": why, "type": type, "agent_text": "",
            "required": more.get("required", False), "choices": more.get("choices", []),
            "when": more.get("when", {})}


@pytest.fixture
def login_questions(ada) -> Category:
    standard = Category.objects.get(slug="standard")
    questions.write_draft(ada, standard, [
        _question("product", "Which product is it?", "Each product has its own specialists.",
                  "choice", required=True, choices=["Ledger", "Harbour"])])
    questions.publish(ada, standard)
    category = CategoryFactory(name="Anmeldung & Zugang", slug="anmeldung")
    questions.write_draft(ada, category, [
        _question("sign-in", "Wie melden Sie sich an?",
                  "SSO-Probleme liegen meist beim Identitätsanbieter.", "choice",
                  required=True, choices=["Passwort", "Single Sign-on (SAML)"]),
        _question("idp", "Welcher Identitätsanbieter?", "Jeder benennt seine Claims anders.",
                  required=True, when={"sign-in": "Single Sign-on (SAML)"}),
        _question("since", "Seit wann?", "Ein Datum passt oft zu einem Update."),
    ])
    questions.publish(ada, category)
    return category


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_a_customer_opens_a_request_whose_questions_follow_the_answers(
        live_server, login_questions):
    from playwright.sync_api import expect

    with browser_page(live_server.url, viewport=PHONE) as (page, _errors):
        page.goto(live_server.url + "/request")
        page.check("text=Anmeldung & Zugang")
        page.fill("#f-name", "Signe Nørgaard")
        page.fill("#f-email", "signe@fjord.example")
        page.click("button[value=next]")

        expect(page.locator("legend", has_text="Wie melden Sie sich an?")).to_be_visible()
        expect(page.get_by_text("Welcher Identitätsanbieter?")).to_have_count(0)
        expect(page.locator(".update-questions")).to_be_hidden()  # htmx redraws instead
        page.fill("#q-since", "Montag")
        page.fill("#f-subject", "Anmeldung über SSO schlägt fehl")
        page.fill("#f-description", "Seit Montag kommt nach dem Login eine leere Seite.")
        page.check("label:has-text('Ledger')")
        page.check("label:has-text('Single Sign-on (SAML)')")
        expect(page.locator("label[for=q-idp]")).to_have_text(
            "Welcher Identitätsanbieter? required")
        expect(page.locator("#q-since")).to_have_value("Montag")  # kept across the redraw
        page.check("label:has-text('Passwort')")
        expect(page.locator("#q-idp")).to_have_count(0)
        page.check("label:has-text('Single Sign-on (SAML)')")
        page.fill("#q-idp", "Keycloak")

        page.click("button.primary[value=send]")
        expect(page.locator("h1")).to_have_text("Thank you, we have your request")
        ticket = Ticket.objects.get()
        expect(page.locator(".sent-ref")).to_contain_text(ticket.reference)
        facts = {f.key: f for f in TicketFact.objects.filter(ticket=ticket)}
        assert facts["idp"].value == "Keycloak" and facts["idp"].source == FactSource.FORM
        assert facts["since"].value == "Montag"

        # The link to the request comes by mail (the acknowledgement), not on the page.
        expect(page.locator("a[href*='/my/']")).to_have_count(0)
        page.goto(live_server.url + access.ticket_path(ticket, ticket.requester))
        expect(page.locator("h1")).to_have_text("Anmeldung über SSO schlägt fehl")
        page.click("text=Open another request")
        expect(page.locator("legend", has_text="What is your request about?")).to_be_visible()
