"""The desk's escalation dialog proposes the next tier up, and an escalation from
it hands the ticket over by the target team's assignment mode."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client

from frontline import workflow
from frontline.core.models import User
from frontline.customers.models import Contact, Plan
from frontline.intake import facts as intake_facts
from frontline.intake import questions
from frontline.routing.escalation import escalate
from frontline.routing.models import Team
from frontline.tickets.models import Ticket
from frontline.tickets.taxonomy import Category
from tests.desk.conftest import HTMX

SignIn = Callable[[User], Client]


def test_a_tier_1_tickets_escalation_dialog_proposes_tier_2(
        signed_in: SignIn, lena: User, otto: User, dana: User, bobs_ticket: Ticket) -> None:
    """Tier 2 (Specialists) first, not the developers."""
    dialog = signed_in(lena).get(f"/t/{bobs_ticket.reference}/escalation", **HTMX)
    assert dialog.status_code == 200
    html = dialog.content.decode()
    assert '<option value="2" selected>Tier 2</option>' in html
    assert '<option value="3">Tier 3 (developers)</option>' in html
    specialists = Team.objects.get(name="Specialists")
    assert f'<option value="{specialists.pk}" selected>Specialists</option>' in html
    assert "Why it needs tier 2" in html


def test_a_tier_2_tickets_escalation_dialog_proposes_tier_3(
        signed_in: SignIn, lena: User, otto: User, dana: User, bobs_ticket: Ticket) -> None:
    escalate(bobs_ticket, lena, 2, reason="Needs a specialist", tried="")
    dialog = signed_in(otto).get(f"/t/{bobs_ticket.reference}/escalation", **HTMX)
    assert dialog.status_code == 200
    html = dialog.content.decode()
    assert '<option value="3" selected>Tier 3 (developers)</option>' in html
    assert '<option value="2"' not in html


def test_escalating_from_the_dialog_hands_the_ticket_to_a_tier_2_agent(
        signed_in: SignIn, lena: User, otto: User, lenas_ticket: Ticket,
        specialists_round_robin: Team) -> None:
    done = signed_in(lena).post(f"/t/{lenas_ticket.reference}/escalate", {
        "tier": "2", "team": str(specialists_round_robin.pk), "reason": "Needs a specialist",
        "tried": "Cleared cookies", "decision": "escalate"}, **HTMX)
    assert done.status_code == 200
    ticket = Ticket.objects.get(pk=lenas_ticket.pk)
    assert (ticket.tier, ticket.team, ticket.assignee) == (2, specialists_round_robin, otto)


# -- the facts the next tier gets (issue 9, part 2) ---------------------------------------


@pytest.fixture
def import_questions(ada: User) -> Category:
    """Import requests must say which file format and how many rows; the encoding is
    optional. The format is read from "csv", "Excel" ... in the customer's text."""
    imports = Category.objects.create(name="Import", slug="import")
    questions.write_draft(ada, imports, [
        {"key": "format", "type": "choice", "required": True, "choices": ["CSV", "XLSX"],
         "keywords": {"CSV": ["csv", "comma-separated"], "XLSX": ["excel", "xlsx"]},
         "text": "Which file format?", "why": "Each format has its own reader."},
        {"key": "rows", "type": "text", "required": True, "text": "How many rows?",
         "agent_text": "Roughly how many rows does the file have?",
         "why": "Large files are imported in batches."},
        {"key": "encoding", "type": "text", "text": "Which encoding?", "why": "Umlauts."}])
    questions.publish(ada, imports)
    return imports


def _dialog_text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_dialog_lists_the_facts_and_warns_what_the_next_tier_will_have_to_ask(
        signed_in: SignIn, lena: User, otto: User, bob: Contact, standard_plan: Plan,
        import_questions: Category) -> None:
    ticket = workflow.open_ticket(
        requester_email="bob@standard.example", category="import",
        subject="Import drops umlauts",
        body="Beim Import aus Excel fehlen alle Umlaute. Seit Montag betrifft das alle Benutzer.")
    intake_facts.set_facts(lena, ticket, {"encoding": "UTF-8 with BOM"})
    client = signed_in(lena)
    assert "1 required fact missing" in _dialog_text(client.get(f"/t/{ticket.reference}"))

    dialog = client.get(f"/t/{ticket.reference}/escalation", **HTMX)
    html, text = dialog.content.decode(), _dialog_text(dialog)
    assert "Escalating without: rows \u2014 the next tier will have to ask." in text
    assert "rows Roughly how many rows does the file have?" in text
    assert "format XLSX message" in text
    assert ('title="The customer&#x27;s message: \u201cBeim Import aus Excel fehlen alle '
            'Umlaute.\u201d"') in html
    assert "encoding UTF-8 with BOM agent" in text
    # The facts come before the reason, where the agent decides.
    assert html.index("Escalating without") < html.index('id="f-esc-reason"')

    # Refused for a missing reason: the dialog comes back with the same warning.
    refused = client.post(f"/t/{ticket.reference}/escalate",
                          {"tier": "2", "reason": "", "tried": ""}, **HTMX)
    assert refused.status_code == 422
    assert "Escalating without: rows" in _dialog_text(refused)


def test_a_complete_ticket_escalates_without_a_warning(
        signed_in: SignIn, lena: User, otto: User, bob: Contact, standard_plan: Plan,
        import_questions: Category) -> None:
    ticket = workflow.open_ticket(
        requester_email="bob@standard.example", category="import",
        subject="CSV import slow", body="Our comma-separated import of 2 million rows is slow.")
    intake_facts.set_facts(lena, ticket, {"rows": "2,000,000"})
    client = signed_in(lena)
    text = _dialog_text(client.get(f"/t/{ticket.reference}/escalation", **HTMX))
    assert "Escalating without" not in text
    assert "format CSV message" in text and "rows 2,000,000 agent" in text
    assert "required fact" not in _dialog_text(client.get(f"/t/{ticket.reference}"))


def test_a_ticket_without_facts_says_so_in_the_dialog(signed_in: SignIn, lena: User,
                                                      bob: Contact, standard_plan: Plan) -> None:
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Call back",
                                  body="Please call me back about our account.")
    text = _dialog_text(signed_in(lena).get(f"/t/{ticket.reference}/escalation", **HTMX))
    assert "Facts No facts recorded yet." in text and "Escalating without" not in text
