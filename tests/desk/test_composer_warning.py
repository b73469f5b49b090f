"""The composer warns before a reply asks the customer for what the ticket already
knows (issue 9, part 4), and every reply records what it asked (`facts_asked`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from frontline import workflow
from frontline.customers import services as customers
from frontline.intake import facts as intake_facts
from frontline.intake import questions
from frontline.intake.models import FactSource
from frontline.tickets.models import Event, Message, MessageKind, Ticket
from frontline.tickets.taxonomy import Category
from tests.desk.conftest import HTMX


@pytest.fixture
def export_ticket(bob, standard_plan, ledger) -> Ticket:
    """Bob's export fails; his mail says product, version, database and the error."""
    return workflow.open_ticket(
        requester_email="bob@standard.example", subject="Export fails",
        body="Since Monday the export in Ledger 5.1 fails on our Oracle 19c database "
             "with ORA-01722.")


def replies(ticket: Ticket) -> list[Message]:
    return list(ticket.messages.filter(kind=MessageKind.OUTBOUND))


def asked_events(ticket: Ticket) -> list[Event]:
    return list(Event.objects.filter(ticket=ticket, kind="facts_asked").order_by("pk"))


def send(client, ticket: Ticket, body: str, htmx: bool = True, **fields: str):
    return client.post(f"/t/{ticket.reference}/messages",
                       {"kind": "reply", "body": body, **fields}, **(HTMX if htmx else {}))


def test_a_reply_asking_for_a_known_fact_is_held_back_with_the_fact_and_its_quote(
        signed_in, lena, export_ticket):
    client = signed_in(lena)
    response = send(client, export_ticket, "Hi Bob, which database are you on?",
                    status="pending_customer")
    assert response.status_code == 409
    html = response.content.decode()
    assert "You are asking for something we know" in html
    assert "Oracle 19c" in html
    assert "from the customer's message" in html
    assert "ORA-01722" in html  # the quote it came from
    assert "Hi Bob, which database are you on?</textarea>" in html  # nothing typed is lost
    assert '<option value="pending_customer" selected>' in html
    assert 'name="send_anyway" value="1"' in html
    assert 'for="composer-body"' in html  # Edit goes back to the text
    assert replies(export_ticket) == []
    assert asked_events(export_ticket) == []


def test_send_anyway_sends_it_and_records_what_it_asked(signed_in, lena, export_ticket):
    client = signed_in(lena)
    response = send(client, export_ticket, "Can you confirm the database and the version?",
                    send_anyway="1")
    assert response.status_code == 200
    [reply] = replies(export_ticket)
    [event] = asked_events(export_ticket)
    assert event.detail == {"keys": ["database", "version"], "message": reply.pk}
    assert event.actor == lena


def test_each_known_fact_is_listed_with_where_it_came_from(signed_in, lena, otto, bob, initech,
                                                          standard_plan, ledger):
    customers.set_environment(initech, {"os": "Windows Server 2022"})
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Printing is slow", body="Printing takes minutes.")
    intake_facts.set_facts(otto, ticket, {"steps": "Open a report, press Print"})
    with transaction.atomic():
        intake_facts.do_record(ticket, [intake_facts.FactInput("impact", "Only me")],
                               source=FactSource.FORM, at=timezone.now())
    html = send(signed_in(lena), ticket,
                "Which operating system is it? Could you describe the steps? "
                "How many users are affected?").content.decode()
    assert html.index("Windows Server 2022") < html.index("Open a report") < html.index(
        "Only me")  # in the order the reply asks
    assert "from the organization's environment" in html
    assert "set by Otto Level-Two" in html
    assert "from the request form" in html


def test_a_german_reply_is_checked_too(signed_in, lena, export_ticket):
    response = send(signed_in(lena), export_ticket,
                    "Guten Tag, welche Version von Ledger setzen Sie ein?")
    assert response.status_code == 409
    assert "5.1" in response.content.decode()


def test_a_reply_asking_for_what_is_unknown_goes_out_and_is_recorded(signed_in, lena,
                                                                     export_ticket):
    response = send(signed_in(lena), export_ticket,
                    "Thanks. Which browser do you use, Chrome or Firefox?")
    assert response.status_code == 200
    [reply] = replies(export_ticket)
    [event] = asked_events(export_ticket)
    assert event.detail == {"keys": ["browser"], "message": reply.pk}


def test_a_reply_that_asks_nothing_goes_out_without_an_event(signed_in, lena, export_ticket):
    response = send(signed_in(lena), export_ticket,
                    "Oracle 19c with version 5.1 is affected; 5.2 fixes it. Please upgrade.")
    assert response.status_code == 200
    assert len(replies(export_ticket)) == 1
    assert asked_events(export_ticket) == []


def test_an_internal_note_is_never_held_back(signed_in, lena, export_ticket):
    response = signed_in(lena).post(f"/t/{export_ticket.reference}/messages",
                                    {"kind": "note", "body": "Which database do they use?"},
                                    **HTMX)
    assert response.status_code == 200
    assert export_ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
    assert asked_events(export_ticket) == []


def test_without_javascript_the_page_comes_back_with_the_warning(signed_in, lena,
                                                                 export_ticket):
    client = signed_in(lena)
    response = send(client, export_ticket, "What is the exact error message?", htmx=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "<h1" in html and export_ticket.subject in html  # the whole ticket page
    assert "You are asking for something we know" in html and "ORA-01722" in html
    assert "What is the exact error message?</textarea>" in html
    confirmed = send(client, export_ticket, "What is the exact error message?", htmx=False,
                     send_anyway="1")
    assert confirmed.status_code == 302
    assert len(replies(export_ticket)) == 1


def test_quoted_customer_text_in_the_reply_is_not_the_agent_asking(signed_in, lena,
                                                                  export_ticket):
    body = ("We are looking into it and will write again today.\n\n"
            "On Mon, 2 Mar 2026 at 09:00, Bob <bob@standard.example> wrote:\n"
            "> Which database versions do you support?")
    assert send(signed_in(lena), export_ticket, body).status_code == 200


def test_a_categorys_own_question_counts(signed_in, ada, lena, bob, standard_plan):
    billing = Category.objects.create(name="Billing", slug="billing")
    questions.write_draft(ada, billing, [{
        "key": "invoice-number", "text": "Which invoice is it about?",
        "why": "The number finds your contract at once.", "required": True}])
    questions.publish(ada, billing)
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Wrong amount", body="The amount is wrong.",
                                  category="billing")
    intake_facts.set_facts(lena, ticket, {"invoice-number": "INV-2041"})
    response = send(signed_in(lena), ticket, "Which invoice do you mean exactly?")
    assert response.status_code == 409
    assert "INV-2041" in response.content.decode()


def test_the_warning_shows_nothing_to_someone_who_may_not_write(signed_in, vera, export_ticket):
    response = send(signed_in(vera), export_ticket, "Which database are you on?")
    assert response.status_code == 403
    assert "Oracle 19c" not in response.content.decode()


def test_the_hint_while_typing(signed_in, lena, export_ticket):
    client = signed_in(lena)
    url = f"/t/{export_ticket.reference}/messages/check"
    hint = client.post(url, {"kind": "reply", "body": "Which version are you on"}, **HTMX)
    assert hint.status_code == 200
    assert "Already known" not in hint.content.decode()  # not a question yet
    hint = client.post(url, {"kind": "reply", "body": "Which version are you on?"}, **HTMX)
    assert "Already known" in hint.content.decode() and "5.1" in hint.content.decode()
    note = client.post(url, {"kind": "note", "body": "Which version are you on?"}, **HTMX)
    assert note.content.decode().strip() == ""


def test_a_reply_from_the_api_records_what_it_asked(lena, export_ticket):
    """Every face replies through workflow.add_reply: the API is never held back, but
    what it asked is recorded the same."""
    message = workflow.add_reply(export_ticket, lena, "Bitte senden Sie uns die genaue "
                                 "Fehlermeldung und beschreiben Sie die Schritte.",
                                 at=export_ticket.created_at + timedelta(hours=2))
    [event] = asked_events(export_ticket)
    assert event.detail == {"keys": ["error", "steps"], "message": message.pk}
    assert event.at == export_ticket.created_at + timedelta(hours=2)
