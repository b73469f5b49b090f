"""Robots: out-of-office replies are kept but never answered and never reopen a
ticket; bounces land on the ticket of the mail that failed and mark the address."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.customers.models import Contact, ContactEmail
from frontline.mail import addresses
from frontline.mail.models import InboundState, OutboundMail
from frontline.tickets.models import MessageKind, Status, Ticket
from tests.mail.inbound_mails import compose, deliver


def bounce(recipient: str, original_message_id: str, *, status: str = "5.1.1") -> bytes:
    """A Postfix delivery status notification for a mail of ours."""
    return f"""Return-Path: <>
Date: Thu, 26 Nov 2026 14:00:02 +0000
From: MAILER-DAEMON@mx.relay.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@frontline.localhost
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"
Message-Id: <bounce.{abs(hash(original_message_id))}@mx.relay.example>

--BOUNDARY
Content-Type: text/plain; charset=utf-8

I'm sorry to have to inform you that your message could not be delivered.

<{recipient}>: host mx.standard.example said: 550 {status} User unknown

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.relay.example

Final-Recipient: rfc822; {recipient}
Action: failed
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

From: Frontline Support <support@frontline.localhost>
To: {recipient}
Subject: We received your request
Message-ID: <{original_message_id}>

--BOUNDARY--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def bobs_mail_ticket(bob: Contact) -> Ticket:
    inbound = deliver(compose(message_id="first.bob@standard.example"))
    assert inbound.ticket is not None
    return inbound.ticket


def out_of_office(ticket: Ticket) -> bytes:
    return compose(subject=f"Automatic reply: [{ticket.reference}] Cannot log in",
                   body="I am out of the office until Monday.",
                   in_reply_to=addresses.new_message_id(ticket.pk),
                   headers={"Auto-Submitted": "auto-replied"})


def test_an_out_of_office_reply_is_stored_on_its_ticket_and_never_answered(bobs_mail_ticket):
    sent_before = OutboundMail.objects.count()
    inbound = deliver(out_of_office(bobs_mail_ticket))

    assert inbound.state == InboundState.PROCESSED
    assert inbound.ticket == bobs_mail_ticket
    assert inbound.message.kind == MessageKind.INBOUND
    assert "out of the office" in inbound.message.body
    assert OutboundMail.objects.count() == sent_before
    event = bobs_mail_ticket.events.get(kind="automatic_mail")
    assert event.detail["auto_kind"] == "autoreply"


def test_an_out_of_office_reply_does_not_reopen_a_resolved_ticket(bobs_mail_ticket, lena):
    workflow.change_status(bobs_mail_ticket, lena, "resolved")
    bobs_mail_ticket.refresh_from_db()
    last_customer = bobs_mail_ticket.last_customer_message_at

    deliver(out_of_office(bobs_mail_ticket))

    bobs_mail_ticket.refresh_from_db()
    assert bobs_mail_ticket.status == Status.RESOLVED
    assert bobs_mail_ticket.last_customer_message_at == last_customer


def test_an_out_of_office_reply_for_no_ticket_is_kept_as_ignored(bob):
    inbound = deliver(compose(subject="Out of office", body="Away.",
                              headers={"Auto-Submitted": "auto-replied"}))
    assert inbound.state == InboundState.IGNORED
    assert inbound.ticket is None
    assert "autoreply" in inbound.error
    assert not Ticket.objects.exists()
    assert not OutboundMail.objects.exists()


def test_our_own_mail_coming_back_is_not_stored_on_the_ticket(bobs_mail_ticket):
    messages_before = bobs_mail_ticket.messages.count()
    inbound = deliver(compose(sender="support@frontline.localhost", subject="loop",
                              headers={"X-Frontline-Loop": "1"},
                              in_reply_to=addresses.new_message_id(bobs_mail_ticket.pk)))
    assert inbound.state == InboundState.IGNORED
    assert bobs_mail_ticket.messages.count() == messages_before


def test_a_bounce_lands_on_the_ticket_of_the_failed_mail_and_marks_the_address(
        bobs_mail_ticket):
    acknowledgement = OutboundMail.objects.get(ticket=bobs_mail_ticket, automatic=True)
    original = acknowledgement.header_message_id.strip("<>")

    inbound = deliver(bounce("bob@standard.example", original))

    assert inbound.state == InboundState.PROCESSED
    assert inbound.ticket == bobs_mail_ticket
    event = bobs_mail_ticket.events.get(kind="bounce")
    assert event.detail["recipients"] == ["bob@standard.example"]
    assert event.detail["permanent"] is True
    assert "User unknown" in event.detail["diagnostic"]
    address = ContactEmail.objects.get(address="bob@standard.example")
    assert address.bouncing_since is not None
    assert "User unknown" in address.bounce_reason
    # A bounce is never answered, and it does not count as Bob writing.
    assert OutboundMail.objects.filter(ticket=bobs_mail_ticket).count() == 1
    bobs_mail_ticket.refresh_from_db()
    assert bobs_mail_ticket.status == Status.NEW


def test_a_bounce_of_a_signed_message_id_finds_the_ticket_too(bobs_mail_ticket):
    inbound = deliver(bounce("bob@standard.example",
                             addresses.new_message_id(bobs_mail_ticket.pk)))
    assert inbound.ticket == bobs_mail_ticket


def test_a_temporary_failure_is_shown_but_does_not_mark_the_address(bobs_mail_ticket):
    inbound = deliver(bounce("bob@standard.example",
                             addresses.new_message_id(bobs_mail_ticket.pk), status="4.2.2"))
    assert inbound.ticket == bobs_mail_ticket
    assert bobs_mail_ticket.events.get(kind="bounce").detail["permanent"] is False
    assert ContactEmail.objects.get(address="bob@standard.example").bouncing_since is None


def test_a_bounce_for_a_mail_we_never_sent_marks_nothing(bob):
    inbound = deliver(bounce("bob@standard.example", "someone-else@elsewhere.example"))
    assert inbound.state == InboundState.IGNORED
    assert ContactEmail.objects.get(address="bob@standard.example").bouncing_since is None


def test_writing_to_us_again_clears_the_bouncing_mark(bobs_mail_ticket):
    deliver(bounce("bob@standard.example", addresses.new_message_id(bobs_mail_ticket.pk)))
    deliver(compose(subject="New mailbox works again", body="Hello again."))
    assert ContactEmail.objects.get(address="bob@standard.example").bouncing_since is None
