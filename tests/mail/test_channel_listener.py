"""A mail server delivers to `frontline mail listen` over SMTP and LMTP: 250 only
once the mail is stored, 550 for strangers, 552 for giants."""

from __future__ import annotations

import smtplib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from frontline.mail.listener import Listener, start_listener, store_delivery
from frontline.mail.models import InboundMail
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)

MAIL = (b"From: Bob Standard <bob@standard.example>\r\n"
        b"To: support@frontline.localhost\r\n"
        b"Subject: Printer on fire\r\n"
        b"Message-ID: <fire-1@standard.example>\r\n"
        b"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
        b"\r\n"
        b"The printer is on fire again.\r\n")



@pytest.fixture
def listen(settings) -> Iterator[callable]:
    settings.FRONTLINE_SUPPORT_ADDRESS = "support@frontline.localhost"
    started: list[Listener] = []

    def start(*, lmtp: bool = False, **options) -> Listener:
        listener = start_listener("127.0.0.1", free_port(), lmtp=lmtp, **options)
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.stop()


def test_a_mail_to_the_support_address_is_stored_before_the_250(listen):
    listener = listen()
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.ehlo()
        assert client.has_extn("size")
        refused = client.sendmail("bob@standard.example", ["support@frontline.localhost"], MAIL)
    assert refused == {}
    [stored] = InboundMail.objects.all()
    assert stored.source == "lmtp"
    assert stored.header_message_id == "fire-1@standard.example"
    assert stored.envelope_recipients == ["support@frontline.localhost"]
    assert bytes(stored.raw).startswith(b"Return-Path: <bob@standard.example>\r\n")
    assert b"The printer is on fire again." in bytes(stored.raw)


def test_the_250_waits_for_the_database(listen):
    """The answer comes only after the store returned: a slow commit delays the 250."""
    stored = threading.Event()

    def slow_store(raw, **kwargs):
        time.sleep(0.5)
        result = store_delivery(raw, **kwargs)
        stored.set()
        return result

    listener = listen(store=slow_store)
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.ehlo()
        client.mail("bob@standard.example")
        client.rcpt("support@frontline.localhost")
        code, reply = client.data(MAIL)
        assert stored.is_set()
    assert code == 250 and b"Stored as inbound" in reply
    assert InboundMail.objects.count() == 1


def test_a_database_failure_is_a_temporary_451_so_the_server_retries(listen):
    def broken_store(raw, **kwargs):
        from django.db import OperationalError
        raise OperationalError("database is locked")

    listener = listen(store=broken_store)
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.ehlo()
        client.mail("bob@standard.example")
        client.rcpt("support@frontline.localhost")
        code, reply = client.data(MAIL)
    assert code == 451, reply
    assert InboundMail.objects.count() == 0


def test_unknown_recipients_get_550_and_tagged_and_reply_addresses_are_taken(listen, settings):
    settings.FRONTLINE_RECIPIENT_DOMAINS = ["help.example"]
    listener = listen()
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.ehlo()
        client.mail("bob@standard.example")
        assert client.rcpt("someone@elsewhere.example")[0] == 550
        assert client.rcpt("sales@frontline.localhost")[0] == 550
        assert client.rcpt("Support+FL-10427-abcdefghij@frontline.localhost")[0] == 250
        assert client.rcpt("anyone@help.example")[0] == 250
        code, _ = client.data(MAIL)
    assert code == 250
    [stored] = InboundMail.objects.all()
    assert stored.envelope_recipients == ["Support+FL-10427-abcdefghij@frontline.localhost",
                                          "anyone@help.example"]


def test_over_size_mail_gets_552_declared_or_not(listen, settings):
    settings.FRONTLINE_MAX_MESSAGE_MB = 0.01  # about 10 kB
    listener = listen()
    big = MAIL + b"x" * 78 + b"\r\n"
    big = big * 200
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.ehlo()
        assert int(client.esmtp_features["size"]) == int(0.01 * 1024 * 1024)
        # Declared in MAIL FROM (smtplib adds SIZE= itself when the server offers SIZE).
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("bob@standard.example", ["support@frontline.localhost"], big)
        assert refused.value.smtp_code == 552
        client.rset()
        # Not declared: the server counts while reading the data.
        client.mail("bob@standard.example")
        client.rcpt("support@frontline.localhost")
        code, _ = client.data(big)
    assert code == 552
    assert InboundMail.objects.count() == 0


def test_the_same_mail_delivered_twice_is_stored_once(listen):
    listener = listen()
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
            client.sendmail("bob@standard.example", ["support@frontline.localhost"], MAIL)
    assert InboundMail.objects.count() == 1


def test_a_bounce_keeps_its_null_sender_in_return_path(listen):
    listener = listen()
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.sendmail("", ["support@frontline.localhost"], MAIL)
    assert bytes(InboundMail.objects.get().raw).startswith(b"Return-Path: <>\r\n")


def test_lmtp_delivers_and_answers_once_per_recipient(listen):
    listener = listen(lmtp=True)
    with smtplib.LMTP("127.0.0.1", listener.port, timeout=10) as client:
        assert client.sendmail("bob@standard.example", ["support@frontline.localhost"],
                               MAIL) == {}
    assert InboundMail.objects.get().source == "lmtp"

    # Two recipients: RFC 2033 wants one reply per recipient after the data
    # (smtplib's LMTP reads only one, so this speaks the protocol by hand).
    other = MAIL.replace(b"fire-1@", b"fire-2@")
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        reader = sock.makefile("rb")

        def reply() -> bytes:
            while True:
                line = reader.readline()
                if line[3:4] != b"-":
                    return line

        assert reply().startswith(b"220")
        for command in (b"LHLO test", b"MAIL FROM:<bob@standard.example>",
                        b"RCPT TO:<support@frontline.localhost>",
                        b"RCPT TO:<stranger@nowhere.example>",
                        b"RCPT TO:<support+billing@frontline.localhost>"):
            sock.sendall(command + b"\r\n")
            answer = reply()
            assert answer.startswith(b"550" if b"stranger" in command else b"250"), answer
        sock.sendall(b"DATA\r\n")
        assert reply().startswith(b"354")
        sock.sendall(other + b".\r\n")
        assert reply().startswith(b"250 2.0.0")
        assert reply().startswith(b"250 2.0.0")
        sock.sendall(b"QUIT\r\n")
        assert reply().startswith(b"221")
    assert InboundMail.objects.get(header_message_id="fire-2@standard.example"
                                   ).envelope_recipients == [
        "support@frontline.localhost", "support+billing@frontline.localhost"]
