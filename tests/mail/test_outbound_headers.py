"""No field can add a header to a mail we send: names, subjects, file names and stored
Message-IDs with CR/LF arrive as one clean header; unicode names are encoded."""

from __future__ import annotations

import re

from frontline import workflow
from frontline.mail import outbound, transport
from frontline.mail.models import OutboundMail
from frontline.tickets.models import Attachment, Message, Ticket
from frontline.tickets.services.attachments import attach

INJECTION = "\r\nBcc: victim@attacker.example\r\nX-Injected: yes"


def header_lines(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [line for line in head.split("\r\n") if line and not line[0].isspace()]


def test_crlf_in_subject_name_filename_and_message_id_makes_no_header(
        smtp_sink, alices_ticket, lena, settings):
    settings.FRONTLINE_SUPPORT_NAME = "Support\r\nX-Injected: support"
    Ticket.objects.filter(pk=alices_ticket.pk).update(subject="Export fails" + INJECTION)
    alices_ticket.refresh_from_db()
    lena.first_name = "Lena" + INJECTION
    lena.save()
    Message.objects.filter(ticket=alices_ticket).update(
        email_message_id="abc@mail.example>\r\nBcc: victim@attacker.example")
    reply = workflow.add_reply(alices_ticket, lena, "Body line\r\nBcc: not a header")
    attach(reply, "report.txt", b"data")
    Attachment.objects.filter(message=reply).update(filename="report" + INJECTION + ".txt")

    assert outbound.deliver_due() == {"sent": 1}

    [delivered] = smtp_sink.delivered
    assert delivered.rcpt_tos == ["alice@premium.example"]  # no Bcc reached the envelope
    names = [line.split(":", 1)[0].lower() for line in header_lines(delivered.raw)]
    assert "bcc" not in names and "x-injected" not in names
    for once in ("subject", "from", "to", "message-id", "date"):
        assert names.count(once) == 1, once
    assert "in-reply-to" not in names  # the only stored id was not a Message-ID
    mail = delivered.message
    assert mail["Subject"].startswith(f"Re: [{alices_ticket.reference}] Export fails Bcc: ")
    assert "\n" not in mail["From"].addresses[0].display_name
    [part] = list(mail.iter_attachments())
    assert "\n" not in part.get_filename() and part.get_filename().startswith("report")
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Body line\nBcc: not a header" in text


def test_unicode_names_and_subjects_are_encoded_not_broken(smtp_sink, lena, bob):
    lena.first_name, lena.last_name = "Łucja", "Müller-李"
    lena.save()
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Ärger mit der Anmeldung — 登录失败", body="x",
                                  channel="email")
    workflow.add_reply(ticket, lena, "Grüße, 你好")
    outbound.deliver_due()
    [delivered] = smtp_sink.delivered
    assert all(line.isascii() for line in header_lines(delivered.raw))
    mail = delivered.message
    # (Django folds the encoded subject onto a continuation line; the stdlib parser
    # keeps that fold's leading space, mail clients drop it.)
    assert mail["Subject"].strip() == f"Re: [{ticket.reference}] Ärger mit der Anmeldung — 登录失败"
    assert mail["From"].addresses[0].display_name == "Łucja Müller-李 via Support"
    assert "Grüße, 你好" in mail.get_body(("plain",)).get_content()


def test_an_address_that_is_not_one_mailbox_is_never_mailed(smtp_sink, bob, lena):
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Hi",
                                  body="x", channel="email")
    bob.emails.update(address="bob@standard.example\r\nBcc: victim@attacker.example")
    workflow.add_reply(ticket, lena, "Hello")
    assert not OutboundMail.objects.exists()
    assert smtp_sink.delivered == []


def test_html_in_a_reply_is_shown_as_text_in_the_html_part(smtp_sink, alices_ticket, lena):
    workflow.add_reply(alices_ticket, lena, '<script>alert(1)</script> see <a href="x">y</a>\n'
                       "https://status.example.com/incident?id=1&x=2")
    outbound.deliver_due()
    html = smtp_sink.messages()[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="x">' not in html
    assert re.search(r'<a href="https://status\.example\.com/incident\?id=1&amp;x=2"', html)


def test_smtp_urls_name_host_port_security_and_credentials():
    assert transport.smtp_options("smtp://127.0.0.1:1025") == {
        "host": "127.0.0.1", "port": 1025, "username": "", "password": "",
        "use_tls": False, "use_ssl": False, "timeout": 30}
    starttls = transport.smtp_options("smtp+starttls://me%40corp.example:p%3Ass@mx.example:587")
    assert (starttls["username"], starttls["password"], starttls["use_tls"]) == (
        "me@corp.example", "p:ss", True)
    smtps = transport.smtp_options("smtps://u:p@mx.example?timeout=5")
    assert (smtps["port"], smtps["use_ssl"], smtps["timeout"]) == (465, True, 5.0)


def test_a_wrong_smtp_url_says_what_is_wrong():
    import pytest
    from django.core.exceptions import ImproperlyConfigured
    with pytest.raises(ImproperlyConfigured, match="must start with one of smtp://"):
        transport.smtp_options("http://mx.example")
    with pytest.raises(ImproperlyConfigured, match="names no host"):
        transport.smtp_options("smtp://")
