"""The escalation dialog in the desk, the developers' desk at /dev and the
developer brief on a tier-3 ticket."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.core.models import User
from frontline.costs.models import TimeEntry
from frontline.customers.models import Contact, Plan
from frontline.intake import facts as intake_facts
from frontline.intake import questions
from frontline.intake.models import TicketFact
from frontline.routing.escalation import escalate
from frontline.routing.models import EscalationDecision
from frontline.tickets.models import Event, Ticket
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category
from tests.desk.conftest import HTMX
from tests.factories import OrganizationFactory, set_clock

SignIn = Callable[[User], Client]


def _text(response: object) -> str:
    """The page's visible text, tags stripped and spaces collapsed."""
    return _visible(response.content.decode())  # type: ignore[attr-defined]


def _visible(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"</?(?:time|b|a|span|code)\b[^>]*>", "", html)  # inline: no space
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_an_escalation_to_tier_3_shows_its_weighing_and_the_developer_sees_the_promises(
        signed_in: SignIn, lena: User, dana: User, alices_ticket: Ticket) -> None:
    """Lena opens the dialog on Alice's ticket and escalates; Dana finds it on /dev
    with the customer's worth and the promise, and the brief on its page."""
    OrganizationFactory(name="Umbrella", domains=["umbrella.example"])
    other = workflow.open_ticket(requester_email="kim@umbrella.example",
                                 subject="Export job fails with timeout", body="Same here.")
    workflow.add_note(alices_ticket, lena, "Raised the export timeout to 600 s; no change.")
    due = timezone.now() + timedelta(hours=3)
    set_clock(alices_ticket, resolution_due=due, sla_due=due)
    ref = alices_ticket.reference
    agent = signed_in(lena)

    page = agent.get(f"/t/{ref}")
    assert 'id="escalate-box"' in page.content.decode()
    # The dialog proposes tier 2; Lena picks tier 3 (the select reloads the dialog).
    dialog = agent.get(f"/t/{ref}/escalation?tier=3", **HTMX)
    assert dialog.status_code == 200
    text = _text(dialog)
    assert "Cost 660 EUR 6 h \u00d7 110" in text
    assert "Value 250,000 EUR Premium" in text
    assert "Reach 1 other open ticket, 1 other organization" in text
    assert "Recommended: Escalate" in text
    assert "Escalate: the customer's value is over 10 times the estimated cost." in text
    assert "(note): Raised the export timeout to 600 s; no change." in text  # prefilled
    assert f'href="/t/{other.reference}"' in dialog.content.decode()

    done = agent.post(f"/t/{ref}/escalate", {
        "tier": "3", "reason": "Export service times out for everyone",
        "tried": "Raised the export timeout to 600 s.", "decision": "escalate"}, **HTMX)
    assert done.status_code == 200
    assert "Escalated to tier 3 (Engineering)." in _text(done)
    assert EscalationDecision.objects.get(ticket=alices_ticket).decision == "escalate"

    developer = signed_in(dana)
    desk = developer.get("/dev")
    assert desk.status_code == 200
    text = _text(desk)
    assert f"{ref} Nightly export job fails with timeout" in text
    assert "Export service times out for everyone" in text
    assert "Globex Premium 250,000 EUR" in text
    assert "resolution due in 3 h" in text
    assert other.reference not in text  # tier 1: not a developer's

    brief = developer.get(f"/t/{ref}")
    assert brief.status_code == 200
    text = _text(brief)
    assert "Developer brief" in text
    assert "by Lena Level-One: Export service times out for everyone" in text
    assert "Our nightly export has failed three nights in a row" in text  # the report
    assert "What was tried Raised the export timeout to 600 s." in text
    assert f"Resolution by {timezone.localtime(due):%a %d %b %H:%M} (in 3 h)" in text
    assert "Worth 250,000 EUR a year (contract)" in text
    # The similar tickets come after the page (brief_similar_panel). The similar
    # ticket is at tier 1: named as a count, not a link, for a developer.
    assert f'hx-get="/t/{ref}/brief/similar"' in brief.content.decode()
    similar = developer.get(f"/t/{ref}/brief/similar", **HTMX)
    assert similar.status_code == 200
    assert _text(similar) == "1 more at tiers 1\u20132 (ask support)"
    assert f'href="/t/{other.reference}"' not in similar.content.decode()


def test_developers_see_only_tier_3_and_the_weeks_budget(
        signed_in: SignIn, lena: User, dana: User, bobs_ticket: Ticket,
        alices_ticket: Ticket) -> None:
    escalate(alices_ticket, lena, 3, reason="Bug in the exporter", tried="")
    now = timezone.now()
    TimeEntry.objects.create(ticket=alices_ticket, user=dana, tier=3, started_at=now,
                             ended_at=now + timedelta(minutes=90), seconds=5400)
    developer = signed_in(dana)
    text = _text(developer.get("/dev"))
    assert "This week: 1.5 of 40 developer hours used (3%)" in text
    assert alices_ticket.reference in text and bobs_ticket.reference not in text
    assert developer.get(f"/t/{bobs_ticket.reference}").status_code == 403
    assert developer.get(f"/t/{bobs_ticket.reference}/escalation").status_code == 403
    # A ticket below tier 3 has no brief, for anyone.
    assert "Developer brief" not in _text(signed_in(lena).get(f"/t/{bobs_ticket.reference}"))


def test_viewers_cannot_open_the_dialog_or_escalate(
        signed_in: SignIn, vera: User, bobs_ticket: Ticket) -> None:
    viewer = signed_in(vera)
    ref = bobs_ticket.reference
    assert 'id="escalate-box"' not in viewer.get(f"/t/{ref}").content.decode()
    assert viewer.get(f"/t/{ref}/escalation", **HTMX).status_code == 403
    refused = viewer.post(f"/t/{ref}/escalate", {"tier": "2", "reason": "x"}, **HTMX)
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=bobs_ticket.pk).tier == 1


def test_a_missing_reason_shows_the_dialog_again_with_what_was_typed(
        signed_in: SignIn, lena: User, bobs_ticket: Ticket) -> None:
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/escalate", {
        "tier": "2", "reason": "", "tried": "Cleared the cache"}, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#escalation-dialog"
    text = _text(response)
    assert f"Say why {bobs_ticket.reference} needs tier 2." in text
    assert "Cleared the cache" in text
    assert 'aria-invalid="true"' in response.content.decode()
    assert not EscalationDecision.objects.exists()
    # Without JavaScript the dialog is a page of its own.
    page = signed_in(lena).get(f"/t/{bobs_ticket.reference}/escalation?tier=2")
    assert page.status_code == 200
    assert f"Escalate {bobs_ticket.reference} Cannot log in after upgrade to 4.2" in _text(page)


def test_decline_is_recorded_from_the_dialog(signed_in: SignIn, lena: User,
                                             bobs_ticket: Ticket) -> None:
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/escalate", {
        "tier": "3", "reason": "Wants a feature we will not build", "tried": "",
        "decision": "decline"}, **HTMX)
    assert response.status_code == 200
    assert "Decline with explanation recorded; the ticket stays at tier 1." in _text(response)
    assert Event.objects.filter(ticket=bobs_ticket, kind="escalation_assessed",
                                after="decline").exists()


def test_back_to_tier_1_from_the_desk(signed_in: SignIn, lena: User, dana: User,
                                      bobs_ticket: Ticket) -> None:
    escalate(bobs_ticket, lena, 3, reason="Token bug", tried="")
    developer = signed_in(dana)
    page = developer.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Back to tier 1" in page
    refused = developer.post(f"/t/{bobs_ticket.reference}/de-escalate", {"note": ""}, **HTMX)
    assert refused.status_code == 422
    assert "Say what tier 1 should tell the customer." in _text(refused)
    done = developer.post(f"/t/{bobs_ticket.reference}/de-escalate",
                          {"note": "Fixed in 4.2.1; ask Bob to upgrade."}, **HTMX)
    # The developer no longer sees the ticket: they are sent back to their desk.
    assert done.status_code == 204 and done["HX-Location"] == "/dev"
    assert Ticket.objects.get(pk=bobs_ticket.pk).tier == 1


# -- the facts and what is missing (issue 9, part 2) ------------------------------------


@pytest.fixture
def installer_questions(ada: User, installation: Category) -> Category:
    """Every request is asked for its version; installation requests for the
    database (read from "ora", "postgres" ...), the steps and, optionally, the log."""
    standard = Category.objects.get(slug=STANDARD_CATEGORY)
    questions.write_draft(ada, standard, [
        {"key": "version", "type": "version", "required": True,
         "text": "Which version do you run?", "why": "Fixes ship per version.",
         "agent_text": "Ask for Help > About: the full version, e.g. 5.1.2."}])
    questions.publish(ada, standard)
    questions.write_draft(ada, installation, [
        {"key": "database", "type": "choice", "required": True,
         "choices": ["Oracle", "PostgreSQL", "SQL Server"],
         "keywords": {"Oracle": ["ora"], "PostgreSQL": ["postgres", "pg"]},
         "text": "Which database does it install into?", "why": "Schemas differ."},
        {"key": "steps", "type": "long_text", "required": True,
         "text": "What did you do before it stopped?", "why": "So we can repeat it."},
        {"key": "installer-log", "type": "file", "text": "The installer's log",
         "why": "It says where it stopped."}])
    questions.publish(ada, installation)
    return installation


def _brief(response: object, *, quotes: bool = False) -> str:
    """The developer brief's own section, as text (the side panel repeats the facts);
    with `quotes`, a quote's marks (which CSS draws around <q>) put in."""
    html = response.content.decode()  # type: ignore[attr-defined]
    start = html.index('id="developer-brief"')
    html = html[start:html.index("</section>", start)]
    if quotes:
        html = html.replace('<q class="fact-quote">', " \u201c").replace("</q>", "\u201d")
    return _visible(html)


def test_the_brief_shows_the_facts_with_their_sources_and_what_is_still_missing(
        signed_in: SignIn, lena: User, dana: User, alice: Contact, premium_plan: Plan,
        installer_questions: Category) -> None:
    ticket = workflow.open_ticket(
        requester_email="alice@premium.example", category="installation",
        subject="Installer hangs at the schema upgrade",
        body="The installer hangs while it upgrades the schema. We run ora on the db host.")
    intake_facts.set_facts(lena, ticket, {"os": "Windows Server 2022"})
    escalate(ticket, lena, 3, reason="Schema upgrade deadlocks", tried="Restarted the service.")

    brief = _brief(signed_in(dana).get(f"/t/{ticket.reference}"))
    assert ("Still missing (required; ask the customer through support) "
            "version missing Ask for Help > About: the full version, e.g. 5.1.2. "
            "steps missing What did you do before it stopped?") in brief
    assert "installer-log" not in brief  # not required
    assert ("database Oracle The customer's message "
            "\u201cWe run ora on the db host.\u201d") in _brief(
                signed_in(dana).get(f"/t/{ticket.reference}"), quotes=True)
    assert "os Windows Server 2022 Agent" in brief

    # The customer answers; the brief no longer asks.
    workflow.add_customer_message(ticket, ticket.requester,
                                  "We are on 5.1.2. Steps: 1. Start setup.exe 2. Pick Upgrade")
    intake_facts.set_facts(lena, ticket, {"steps": "1. Start setup.exe\n2. Pick Upgrade"})
    brief = _brief(signed_in(dana).get(f"/t/{ticket.reference}"))
    assert "Still missing" not in brief
    assert "version 5.1.2 The customer's message" in brief


def test_a_brief_without_facts_or_questions_says_so(signed_in: SignIn, lena: User, dana: User,
                                                     bob: Contact, standard_plan: Plan) -> None:
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Call back",
                                  body="Please call me back about our account.")
    assert not TicketFact.objects.filter(ticket=ticket).exists()
    escalate(ticket, lena, 3, reason="Only engineering knows", tried="")
    brief = _brief(signed_in(dana).get(f"/t/{ticket.reference}"))
    assert "No facts recorded on the ticket yet." in brief and "Still missing" not in brief


def test_the_developers_desk_names_what_each_ticket_lacks(
        signed_in: SignIn, lena: User, dana: User, alice: Contact, bob: Contact,
        premium_plan: Plan, standard_plan: Plan, installer_questions: Category) -> None:
    lacking = workflow.open_ticket(requester_email="bob@standard.example",
                                   category="installation", subject="Setup stops",
                                   body="Setup stops at 80 % on Postgres.")
    complete = workflow.open_ticket(requester_email="alice@premium.example",
                                    category="installation", subject="Upgrade fails",
                                    body="The upgrade fails, database is pg.")
    intake_facts.set_facts(lena, complete, {"version": "5.0", "steps": "Ran the upgrade."})
    for ticket in (lacking, complete):
        escalate(ticket, lena, 3, reason="Installer bug", tried="")
    desk = signed_in(dana).get("/dev").content.decode()
    row = desk[desk.index(f'data-reference="{lacking.reference}"'):]
    row = row[:row.index("</tr>")]
    assert "Missing: version, steps" in row
    assert 'title="Ask for Help &gt; About: the full version, e.g. 5.1.2. · What did you do' in row
    other = desk[desk.index(f'data-reference="{complete.reference}"'):]
    assert "Missing:" not in other[:other.index("</tr>")]


def test_the_brief_costs_the_same_however_many_facts(
        signed_in: SignIn, lena: User, dana: User, alice: Contact, bob: Contact,
        premium_plan: Plan, standard_plan: Plan, installer_questions: Category) -> None:
    few = workflow.open_ticket(requester_email="bob@standard.example", category="installation",
                               subject="Setup stops", body="Setup stops.")
    many = workflow.open_ticket(requester_email="alice@premium.example",
                                category="installation", subject="Upgrade fails",
                                body="The upgrade fails on ora.")
    intake_facts.set_facts(lena, many, {f"detail-{n}": f"value {n}" for n in range(12)})
    for ticket in (few, many):
        escalate(ticket, lena, 3, reason="Installer bug", tried="")
    client = signed_in(dana)
    questions.questions_for(few.category)  # the process keeps the questions asked
    counts = []
    for ticket in (few, many):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/t/{ticket.reference}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# -- the brief's similar tickets, loaded after the page ---------------------------


def _searches(captured: CaptureQueriesContext) -> list[str]:
    """The statements that went to the search engine's tables (both engines name them search_*)."""
    return [query["sql"] for query in captured.captured_queries if "search_" in query["sql"]]


def test_the_brief_loads_its_similar_tickets_after_the_page(
        signed_in: SignIn, lena: User, dana: User, alice: Contact, bob: Contact,
        premium_plan: Plan, standard_plan: Plan) -> None:
    """Dana opens an escalated ticket: the page names the similar tickets' own URL (htmx
    loads it, a link without JavaScript) and runs no search; the fragment lists the
    tier-3 one she may open and counts the tier-1 one she may not."""
    ticket = workflow.open_ticket(
        requester_email="alice@premium.example",
        subject="Zahlungsimport bricht ab: Prüfsumme falsch",
        body="Der nächtliche Zahlungsimport bricht seit gestern ab.")
    escalated = workflow.open_ticket(
        requester_email="bob@standard.example",
        subject="Zahlungsimport stoppt, Prüfsumme passt nicht",
        body="Unser Zahlungsimport stoppt mit einer Prüfsummenmeldung.")
    at_tier_1 = workflow.open_ticket(
        requester_email="kim@umbrella.example",
        subject="Prüfsumme beim Zahlungsimport abgelehnt",
        body="Beim Import kommt die Meldung Prüfsumme abgelehnt.")
    unrelated = workflow.open_ticket(
        requester_email="rosa@umbrella.example", subject="La factura no se imprime",
        body="Al imprimir la factura sale una hoja en blanco.")
    escalate(escalated, lena, 3, reason="Checksum code", tried="")
    escalate(ticket, lena, 3, reason="Checksum code again", tried="Reimported the file.")
    developer = signed_in(dana)

    with CaptureQueriesContext(connection) as captured:
        page = developer.get(f"/t/{ticket.reference}")
    assert page.status_code == 200
    assert _searches(captured) == []
    html = page.content.decode()
    url = f"/t/{ticket.reference}/brief/similar"
    assert f'hx-get="{url}" hx-trigger="load"' in html
    assert f'<a href="{url}">Find similar tickets</a>' in html
    assert escalated.reference not in _brief(page)

    with CaptureQueriesContext(connection) as captured:
        fragment = developer.get(url, **HTMX)
    assert fragment.status_code == 200
    assert _searches(captured)  # the searches run here instead
    body = fragment.content.decode()
    assert "<html" not in body and 'id="brief-similar"' in body
    assert f'href="/t/{escalated.reference}"' in body
    assert f'href="/t/{at_tier_1.reference}"' not in body
    assert unrelated.reference not in body
    assert _text(fragment) == (f"{escalated.reference} New Zahlungsimport stoppt, "
                               "Prüfsumme passt nicht 1 more at tiers 1\u20132 (ask support)")

    # Without JavaScript the link opens the same list as a page of its own.
    own_page = developer.get(url)
    assert own_page.status_code == 200
    text = _text(own_page)
    assert f"Similar to {ticket.reference} Zahlungsimport bricht ab: Prüfsumme falsch" in text
    assert f"{escalated.reference} New Zahlungsimport stoppt" in text
    assert f'href="/t/{ticket.reference}"' in own_page.content.decode()

    # A tier-1 agent may open both: two links, nothing hidden.
    agent_view = signed_in(lena).get(url, **HTMX).content.decode()
    assert f'href="/t/{escalated.reference}"' in agent_view
    assert f'href="/t/{at_tier_1.reference}"' in agent_view
    assert "ask support" not in agent_view


def test_the_brief_says_when_no_ticket_is_similar(signed_in: SignIn, lena: User, dana: User,
                                                  bob: Contact, standard_plan: Plan) -> None:
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Kvittering mangler etter betaling",
                                  body="Vi fikk ingen kvittering etter betalingen i går.")
    escalate(ticket, lena, 3, reason="Receipts", tried="")
    fragment = signed_in(dana).get(f"/t/{ticket.reference}/brief/similar", **HTMX)
    assert fragment.status_code == 200
    assert _text(fragment) == "None found."


def test_the_brief_similar_tickets_are_refused_as_the_ticket_page_is(
        signed_in: SignIn, lena: User, dana: User, vera: User,
        bobs_ticket: Ticket) -> None:
    """Bob's ticket is at tier 1: a developer opens neither its page nor its list."""
    url = f"/t/{bobs_ticket.reference}/brief/similar"
    developer = signed_in(dana)
    assert developer.get(f"/t/{bobs_ticket.reference}").status_code == 403
    assert developer.get(url).status_code == 403
    assert developer.get(url, **HTMX).status_code == 403
    assert signed_in(vera).get(url, **HTMX).status_code == 200  # a viewer reads it
    assert Client().get(url).status_code == 302  # to the sign-in page
    agent = signed_in(lena)
    assert agent.get("/t/FL-99999999/brief/similar").status_code == 404
    assert agent.get("/t/FL-\u00b2/brief/similar").status_code == 404
    assert agent.get("/t/nonsense/brief/similar", **HTMX).status_code == 404
    assert agent.post(url).status_code == 405
