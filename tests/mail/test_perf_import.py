"""The import's shortcuts (contact handed down, staff addresses read once, the
stored row reused) change nothing a user sees."""

from __future__ import annotations

import pytest

from frontline.mail.importer import import_mail
from frontline.mail.models import InboundMail
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _mail(sender: str, number: int, *, subject: str, reply_to: str = "") -> bytes:
    headers = [f"From: {sender}", "To: help@oldesk.example", f"Subject: {subject}",
               f"Message-ID: <perf{number}@example.org>",
               "Date: Mon, 03 Mar 2025 09:00:00 +0100"]
    if reply_to:
        headers.append(f"In-Reply-To: <{reply_to}>")
    return ("\n".join(headers) + f"\n\nMail number {number}.\n").encode()


def test_a_known_customer_opens_their_own_ticket_and_a_nameless_one_gets_a_name(
        tmp_path, bob, alice):
    alice.name = ""
    alice.save(update_fields=["name"])
    (tmp_path / "a.eml").write_bytes(_mail("Bob <bob@standard.example>", 1, subject="Printer"))
    (tmp_path / "b.eml").write_bytes(_mail("Alice Liddell <alice@premium.example>", 2,
                                           subject="Login"))
    summary = import_mail([tmp_path / "a.eml", tmp_path / "b.eml"])
    assert (summary.stored, summary.tickets_opened, summary.failed) == (2, 2, 0)
    printer = Ticket.objects.get(subject="Printer")
    assert printer.requester_id == bob.pk and printer.organization_id == bob.organization_id
    login = Ticket.objects.get(subject="Login")
    assert login.requester_id == alice.pk
    alice.refresh_from_db()
    assert alice.name == "Alice Liddell"
    first = Message.objects.get(ticket=printer)
    assert first.author_contact_id == bob.pk
    assert InboundMail.objects.get(header_message_id="perf1@example.org").message_id == first.pk


def test_a_staff_mail_in_an_import_is_the_agents_reply_not_a_new_ticket(tmp_path, otto, bob):
    (tmp_path / "a.eml").write_bytes(_mail("Bob <bob@standard.example>", 1, subject="Printer"))
    (tmp_path / "b.eml").write_bytes(_mail(f"Otto <{otto.email.upper()}>", 2,
                                           subject="Re: Printer",
                                           reply_to="perf1@example.org"))
    summary = import_mail([tmp_path / "a.eml", tmp_path / "b.eml"])
    assert (summary.stored, summary.tickets_opened, summary.failed) == (2, 1, 0)
    ticket = Ticket.objects.get()
    authors = list(Message.objects.filter(ticket=ticket).order_by("pk")
                   .values_list("author_contact_id", "author_user_id"))
    assert authors == [(bob.pk, None), (None, otto.pk)]
