"""Automatic mail: the one acknowledgement of a new ticket, the resolution reminder and
fresh links, all marked as automatic and rate-limited so that loops die."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.mail import outbound
from frontline.mail.models import InboundMail, OutboundMail
from frontline.mail.parse import parse_message
from frontline.mail.store import accept_raw
from frontline.tickets.models import Message, Ticket


def mail_in(ticket: Ticket, sender: str = "bob@standard.example",
            message_id: str | None = None) -> InboundMail:
    """The stored mail a ticket was opened from (as the inbound side leaves it)."""
    message_id = message_id or f"req-{ticket.pk}@mail.standard.example"
    raw = (f"From: Bob <{sender}>\r\nTo: support@frontline.localhost\r\n"
           f"Subject: {ticket.subject}\r\nMessage-ID: <{message_id}>\r\n\r\nHello\r\n").encode()
    inbound = accept_raw(raw, source="lmtp", process=False).inbound
    inbound.ticket = ticket
    inbound.message = ticket.messages.get()
    inbound.from_address = sender
    inbound.save()
    return inbound


def email_ticket(subject: str = "Cannot log in after upgrade to 4.2",
                 body: str = "Since the upgrade this morning the login page says "
                             "'invalid token'.") -> Ticket:
    return workflow.open_ticket(requester_email="bob@standard.example", requester_name="Bob",
                                subject=subject, body=body, channel="email")


def test_a_new_ticket_by_email_gets_one_acknowledgement_with_promise_and_link(
        smtp_sink, bob, settings):
    settings.FRONTLINE_ACK_PROMISE = "We answer Standard customers within 8 business hours."
    ticket = email_ticket()
    inbound = mail_in(ticket)

    sent = outbound.send_acknowledgement(ticket, inbound)
    assert sent is not None and sent.automatic
    assert outbound.send_acknowledgement(ticket, inbound) is None  # only one, ever
    assert outbound.deliver_due() == {"sent": 1}

    [mail] = smtp_sink.messages()
    assert mail["To"] == "bob@standard.example"
    assert mail["Subject"] == f"Re: [{ticket.reference}] Cannot log in after upgrade to 4.2"
    assert mail["In-Reply-To"] == f"<req-{ticket.pk}@mail.standard.example>"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert mail["X-Frontline-Loop"]
    text = mail.get_body(("plain",)).get_content()
    assert ticket.reference in text
    assert "invalid token" in text  # a short summary of what we received
    assert "We answer Standard customers within 8 business hours." in text
    link = next(line for line in text.splitlines() if "/my/" in line).strip()
    # The link opens the conversation without an account.
    path = link.split("127.0.0.1:8000", 1)[1]
    from django.test import Client
    page = Client().get(path)
    assert page.status_code == 200 and b"invalid token" in page.content
    # On the timeline as an outbound message from the system.
    ack = ticket.messages.get(kind="outbound")
    assert ack.author_user is None and ack.email_message_id == mail["Message-ID"].strip("<>")


def test_our_own_acknowledgement_coming_back_is_recognised_as_a_loop(smtp_sink, bob):
    ticket = email_ticket()
    outbound.send_acknowledgement(ticket, mail_in(ticket))
    outbound.deliver_due()
    parsed = parse_message(smtp_sink.delivered[0].raw)
    assert parsed.auto.kind == "loop"


def test_the_eleventh_acknowledgement_in_ten_minutes_to_one_person_is_suppressed(smtp_sink, bob):
    """An autoresponder opening ticket after ticket gets ten answers, then silence."""
    results = []
    for i in range(11):
        ticket = email_ticket(subject=f"Out of office {i}")
        results.append(outbound.send_acknowledgement(ticket, mail_in(ticket)))
    assert all(r is not None for r in results[:10])
    assert results[10] is None
    suppressed = OutboundMail.objects.get(state="suppressed")
    assert suppressed.to == ["bob@standard.example"]
    assert "rate limit: 10 automatic mails to bob@standard.example in the last 10 minutes" in (
        suppressed.last_error)
    last = Ticket.objects.get(subject="Out of office 10")
    event = last.events.get(kind="delivery")
    assert event.after == "suppressed" and "rate limit" in event.detail["reason"]
    assert not last.messages.filter(kind="outbound").exists()  # nothing pretends it went out
    assert outbound.deliver_due() == {"sent": 10}


def _acknowledge(*subjects: str) -> list[OutboundMail | None]:
    """Bob's new requests, each acknowledged (None: the acknowledgement held back)."""
    acknowledged = []
    for subject in subjects:
        ticket = email_ticket(subject=subject)
        acknowledged.append(outbound.send_acknowledgement(ticket, mail_in(ticket)))
    return acknowledged


def _eleven_minutes_ago() -> None:
    OutboundMail.objects.update(created_at=timezone.now() - timedelta(minutes=11))


def test_the_recipient_limit_counts_the_last_ten_minutes_only(bob, settings):
    settings.FRONTLINE_AUTO_MAIL_LIMITS = "2/10m"
    _acknowledge("Request 0", "Request 1")
    _eleven_minutes_ago()
    assert _acknowledge("Later") != [None]


def test_each_period_of_the_recipient_limit_counts_its_own_mail(bob, settings):
    """Limits over several periods, counted together: mail older than the short
    period still counts towards the long one."""
    settings.FRONTLINE_AUTO_MAIL_LIMITS = "2/10m,3/1d"
    _acknowledge("Anfrage 0", "Anfrage 1")
    _eleven_minutes_ago()
    assert _acknowledge("Troisième demande") != [None]
    assert _acknowledge("Четвёртый запрос") == [None]
    assert ("rate limit: 3 automatic mails to bob@standard.example in the last day"
            in OutboundMail.objects.get(state="suppressed").last_error)


def test_automatic_mail_on_one_ticket_is_capped(bob, settings):
    settings.FRONTLINE_AUTO_MAIL_TICKET_LIMITS = "3/1h"
    ticket = email_ticket()
    outbound.send_acknowledgement(ticket, mail_in(ticket))
    assert outbound.send_portal_link(ticket, "bob@standard.example") is not None
    assert outbound.send_portal_link(ticket, "bob@standard.example") is not None
    assert outbound.send_portal_link(ticket, "bob@standard.example") is None
    assert "automatic mails on " + ticket.reference in OutboundMail.objects.get(
        state="suppressed").last_error


def test_a_broken_limit_setting_says_which_and_how(bob, settings):
    from django.core.exceptions import ImproperlyConfigured
    with pytest.raises(ImproperlyConfigured, match="'ten' is not a limit like 10/10m"):
        outbound.parse_limits("ten")
    assert [str(limit) for limit in outbound.parse_limits("10/10m, 50/1d")] == [
        "10 per 10 minutes", "50 per day"]


def test_the_resolution_reminder_goes_out_as_an_automatic_mail(smtp_sink, bob, lena):
    ticket = email_ticket()
    workflow.change_status(ticket, lena, "resolved")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=6))
    assert workflow.close_quiet_resolved()["reminded"] == 1
    assert outbound.deliver_due() == {"sent": 1}
    [mail] = smtp_sink.messages()
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert "as resolved" in mail.get_body(("plain",)).get_content()
    reminder = Message.objects.get(ticket=ticket, kind="outbound")
    assert reminder.email_message_id == mail["Message-ID"].strip("<>")


def test_a_fresh_link_goes_only_to_an_address_of_the_requester(smtp_sink, bob, alice):
    ticket = email_ticket()
    assert outbound.send_portal_link(ticket, "alice@premium.example") is None
    assert outbound.send_portal_link(ticket, "not an address\r\nBcc: x@y.example") is None
    assert outbound.send_portal_link(ticket, "BOB@standard.example") is not None
    outbound.deliver_due()
    [mail] = smtp_sink.messages()
    assert mail["To"] == "bob@standard.example"
    assert f"/my/{ticket.reference}/" in mail.get_body(("plain",)).get_content()


def test_an_address_that_bounces_gets_no_automatic_mail(bob):
    bob.emails.update(bouncing_since=timezone.now() - timedelta(days=2),
                      bounce_reason="550 5.1.1 user unknown")
    ticket = email_ticket()
    assert outbound.send_acknowledgement(ticket, mail_in(ticket)) is None
    suppressed = OutboundMail.objects.get(state="suppressed")
    assert "bob@standard.example bounces since" in suppressed.last_error
    assert "550 5.1.1 user unknown" in suppressed.last_error


def acknowledged(address: str, subject: str) -> Ticket:
    ticket = workflow.open_ticket(requester_email=address, subject=subject, channel="email",
                                  body="Please help with this.")
    assert outbound.send_acknowledgement(ticket, mail_in(ticket, sender=address)) is not None
    return ticket


def test_the_recipient_limit_knows_one_person_by_any_spelling_and_reads_only_their_mail(
        bob, settings):
    """Counted through the recipient's own column and index (not by reading the `to`
    of every automatic mail of the day): `Bob@STANDARD.example` is bob, and the
    acknowledgements other people got meanwhile do not count for him."""
    settings.FRONTLINE_AUTO_MAIL_LIMITS = "2/10m"
    for number, other in enumerate(("ines@bucher.example", "Kenji@sato.example",
                                    "zoe@fresh.example")):
        acknowledged(other, f"Frage {number}")
    bobs = [acknowledged("bob@standard.example", subject) for subject in ("Login", "Export")]
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        reason = outbound.over_limit(bobs[0], "Bob@STANDARD.example", now)
    assert reason is not None and "rate limit: 2 automatic mails" in reason
    counted = [query["sql"] for query in queries.captured_queries if "COUNT" in query["sql"]]
    assert counted and any("recipient_key" in sql for sql in counted)
    assert all('"to"' not in sql for sql in counted)
    assert outbound.over_limit(bobs[0], "zoe@fresh.example", now) is None
    assert OutboundMail.objects.filter(recipient_key="kenji@sato.example").count() == 1


def test_automatic_mail_sent_before_the_column_gets_its_recipient(db):
    """Migration mail 0005 fills the column for the automatic mail already sent."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("frontline.mail.migrations.0005_outbound_recipient_key")
    acknowledged("Inês@Bücher.example", "Rechnung fehlt")
    acknowledged("KENJI@sato.example", "請求書")
    OutboundMail.objects.update(recipient_key="")
    migration.fill_recipient_keys(apps, None)
    assert sorted(OutboundMail.objects.values_list("recipient_key", flat=True)) == [
        "inês@bücher.example", "kenji@sato.example"]
