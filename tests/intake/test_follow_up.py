"""The one follow-up (issue 9, section 4): a new request by mail is asked, in its
acknowledgement, for exactly the required facts it did not give, each with why;
the customer answers on a no-login page; nothing is asked twice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from frontline import workflow
from frontline.core.errors import InvalidTransition
from frontline.customers.models import Product
from frontline.intake import follow_up, questions
from frontline.intake.models import FactSource, TicketFact
from frontline.mail import outbound, services
from frontline.mail.store import accept_raw
from frontline.tickets import access
from frontline.tickets.models import Event, Message, Status, Ticket
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category, FollowUp
from tests.desk.conftest import HTMX

STANDARD_SET = [
    {"key": "product", "text": "Which product is it about?", "type": "choice",
     "choices": ["Ledger", "Payroll"], "required": True,
     "why": "Each product has its own specialists."},
    {"key": "version", "text": "Which version are you running?", "type": "version",
     "required": True, "why": "Many problems are fixed in a later version."},
    {"key": "database", "text": "Which database do you use?", "type": "choice",
     "choices": ["PostgreSQL", "Oracle", "SQL Server"], "required": True,
     "why": "Errors often depend on the database."},
    {"key": "oracle_patch", "text": "Which Oracle patch level?", "type": "text",
     "required": True, "when": {"database": "Oracle"},
     "why": "Some Oracle patches change how numbers are converted."},
    {"key": "steps", "text": "What exactly did you do before it failed?", "type": "long_text",
     "required": True, "why": "We repeat your steps to see the failure ourselves."},
    {"key": "impact", "text": "How many of your users are affected?", "type": "choice",
     "choices": ["Just me", "Some users", "Everyone"], "required": True,
     "why": "It decides how urgent this is.",
     "keywords": {"Everyone": ["all users", "alle Benutzer"], "Just me": ["nur bei mir"]}},
    {"key": "screenshot", "text": "A screenshot, if you have one", "type": "file",
     "why": "A picture shows what words miss."},
]


@pytest.fixture
def asked(ada: Any, ledger: Product) -> Category:
    standard = Category.objects.get(slug=STANDARD_CATEGORY)
    questions.write_draft(ada, standard, STANDARD_SET)
    questions.publish(ada, standard)
    return standard


def mail(subject: str, body: str, sender: str = "bob@standard.example",
         message_id: str = "req-1@mail.standard.example") -> Ticket:
    raw = (f"From: Bob Example <{sender}>\r\nTo: support@frontline.localhost\r\n"
           f"Subject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()
    inbound = accept_raw(raw, source="lmtp", process=False).inbound
    processed = services.process_inbound(inbound.pk)
    assert processed.ticket is not None, processed.error
    return processed.ticket


def acknowledgement(smtp_sink: Any) -> str:
    assert outbound.deliver_due() == {"sent": 1}
    [sent] = smtp_sink.messages()
    return str(sent.get_body(("plain",)).get_content())


def asked_keys(ticket: Ticket) -> list[str]:
    return [key for event in Event.objects.filter(ticket=ticket, kind="facts_requested")
            for key in event.detail["keys"]]


def test_the_issues_example_is_asked_only_what_it_did_not_say(asked, bob, smtp_sink):
    ticket = mail("Export fails",
                  "Ledger 5.1 on Oracle 19c: export fails with ORA-01722.\n\nBob")
    text = acknowledgement(smtp_sink)
    # Said: product, version, database. Not said: the patch level Oracle needs,
    # the steps and the impact, each asked as written with its reason.
    assert asked_keys(ticket) == ["oracle_patch", "steps", "impact"]
    for key in ("oracle_patch", "steps", "impact"):
        spec = next(row for row in STANDARD_SET if row["key"] == key)
        assert spec["text"] in text and f"Why we ask: {spec['why']}" in text
    for never in ("Which product", "Which version", "Which database", "screenshot"):
        assert never not in text
    assert "Just me / Some users / Everyone" in text
    # The acknowledgement and the follow-up are one mail, and it says so on the timeline.
    assert ticket.messages.filter(kind="outbound").count() == 1
    assert "/request" in text  # the public form, for a new request


def test_a_complete_request_gets_no_questions(asked, bob, smtp_sink):
    ticket = mail("Invoice export",
                  "We use Ledger 5.1.2 with PostgreSQL 15. Everyone here is affected.\n\n"
                  "Steps:\n1. Open Reports\n2. Click Export\n3. Pick CSV\n")
    text = acknowledgement(smtp_sink)
    assert "please tell us" not in text and "Why we ask" not in text
    assert not Event.objects.filter(ticket=ticket, kind="facts_requested").exists()
    assert follow_up.plan(ticket).questions == []


def test_german_mail_is_read_too(asked, bob, smtp_sink):
    ticket = mail("Export bricht ab",
                  "Hallo,\n\nseit dem Update auf Ledger 5.1.2 bricht der Export ab. "
                  "Wir nutzen SQL Server 2019, alle Benutzer sind betroffen.\n\n"
                  "Mit freundlichen Grüßen\nBob", message_id="de-1@mail.standard.example")
    acknowledgement(smtp_sink)
    assert asked_keys(ticket) == ["steps"]


@pytest.mark.parametrize("setting", [FollowUp.OFF, FollowUp.SUGGEST])
def test_off_and_suggest_send_nothing_by_themselves(asked, bob, smtp_sink, setting):
    Category.objects.filter(slug=STANDARD_CATEGORY).update(follow_up=setting)
    ticket = mail("Export fails", "Export fails with ORA-01722.")
    assert "Why we ask" not in acknowledgement(smtp_sink)
    assert asked_keys(ticket) == []
    plan = follow_up.plan(ticket)
    assert plan.suggested is (setting == FollowUp.SUGGEST)


def test_the_category_decides_not_the_standard_one(asked, bob, smtp_sink, ada):
    quiet = Category.objects.create(name="Billing", slug="billing", follow_up=FollowUp.OFF)
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Invoice",
                                  body="Wrong VAT on invoice 2231.", category=quiet.slug,
                                  channel="email")
    assert follow_up.policy(ticket) == FollowUp.OFF
    assert follow_up.plan(ticket).suggested is False


def test_the_agent_sends_the_suggested_follow_up_once(asked, bob, lena, smtp_sink, signed_in):
    Category.objects.filter(slug=STANDARD_CATEGORY).update(follow_up=FollowUp.SUGGEST)
    ticket = mail("Export fails", "Export fails with ORA-01722 since this morning.")
    acknowledgement(smtp_sink)
    desk = signed_in(lena)
    page = desk.get(f"/t/{ticket.reference}")
    assert b"Ask the customer for" in page.content
    answer = desk.post(f"/t/{ticket.reference}/follow-up", **HTMX)
    assert answer.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER
    reply = ticket.messages.filter(kind="outbound", author_user=lena).get()
    assert "Why we ask: We repeat your steps" in reply.body
    assert "/answers" in reply.body
    event = Event.objects.get(ticket=ticket, kind="facts_requested")
    assert event.actor == lena and event.detail["automatic"] is False
    # At most one: the button is gone and a second request is refused.
    assert b"Ask the customer for" not in desk.get(f"/t/{ticket.reference}").content
    with pytest.raises(InvalidTransition):
        workflow.requests.send_follow_up(ticket, lena)


def test_nothing_missing_nothing_to_send(asked, bob, lena):
    ticket = workflow.open_ticket(
        requester_email="bob@standard.example", subject="Crash", channel="email",
        body="Ledger 5.1 on PostgreSQL 15, everyone is affected.\n1. Open\n2. Save\n3. Crash")
    with pytest.raises(InvalidTransition):
        workflow.requests.send_follow_up(ticket, lena)


def answer_link(text: str) -> str:
    found = re.search(r"https?://[^/\s]+(/my/\S+/answers)", text)
    assert found, text
    return found.group(1)


def test_the_customer_answers_on_the_linked_page_without_a_login(asked, bob, smtp_sink):
    ticket = mail("Export fails", "Ledger 5.1 on Oracle 19c: export fails with ORA-01722.")
    path = answer_link(acknowledgement(smtp_sink))
    browser = Client()
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    # What is known is filled in, with where it came from; the missing are marked.
    assert 'value="5.1"' in html and "We have this from your message" in html
    assert "Which Oracle patch level?" in html and "needed" in html
    assert "<span>Why we ask:</span> It decides how urgent this is." in html
    # A wrong choice is refused and everything typed comes back.
    bad = browser.post(path, {"q-oracle_patch": "19.21",
                              "q-steps": "1. Reports\n2. Export", "q-impact": "All"})
    assert bad.status_code == 422
    assert "19.21" in bad.content.decode() and "not one of the choices" in bad.content.decode()
    done = browser.post(path, {"q-oracle_patch": "19.21", "q-version": "5.1",
                               "q-steps": "1. Reports\n2. Export", "q-impact": "Everyone",
                               "q-product": "Ledger", "q-database": "Oracle"})
    assert done.status_code == 302 and "done=answered" in done["Location"]
    known = {row.key: row for row in TicketFact.objects.filter(ticket=ticket)}
    assert known["oracle_patch"].value == "19.21"
    assert known["oracle_patch"].source == FactSource.FORM
    assert known["oracle_patch"].question_set is not None
    assert known["impact"].value == "Everyone"
    assert known["version"].source == FactSource.MESSAGE  # unchanged: not written again
    assert follow_up.plan(ticket).questions == []
    # The answers are the customer's message on the timeline.
    said = Message.objects.filter(ticket=ticket, kind="inbound").order_by("-pk").first()
    assert said is not None and "Everyone" in said.body and said.channel == "portal"


def test_a_forged_link_opens_no_answer_page(asked, bobs_ticket):
    page = Client().get(f"/my/{bobs_ticket.reference}/forged-token/answers")
    assert page.status_code == 403


def test_the_ticket_page_leads_to_the_open_questions_and_a_file_answers_one(asked, bob,
                                                                            smtp_sink):
    ticket = mail("Export fails", "Ledger 5.1 on Oracle 19c: export fails with ORA-01722.")
    acknowledgement(smtp_sink)
    browser = Client()
    page = browser.get(access.ticket_path(ticket, ticket.requester)).content.decode()
    assert "3 questions we still need answered" in page
    # The link is followed as the customer would: its signed token carries the
    # second it was made, so it is read off the page, not rebuilt here.
    links = re.findall(rf'href="(/my/{re.escape(ticket.reference)}/([^"/]+)/answers)"', page)
    assert links, "the ticket page links to the open questions"
    path, token = links[0]
    assert access.open_link(ticket.pk, token).ticket == ticket
    shot = SimpleUploadedFile("fehler.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")
    done = browser.post(path, {"q-oracle_patch": "19.22", "q-screenshot": shot,
                               "q-steps": "Berichte > Export > CSV", "q-impact": "Just me"})
    assert done.status_code == 302
    assert TicketFact.objects.get(ticket=ticket, key="screenshot").value == "fehler.png"
    said = Message.objects.filter(ticket=ticket, kind="inbound").order_by("-pk").first()
    assert said is not None and [a.filename for a in said.attachments.all()] == ["fehler.png"]
    page = browser.get(access.ticket_path(ticket, ticket.requester)).content.decode()
    assert "we still need answered" not in page
