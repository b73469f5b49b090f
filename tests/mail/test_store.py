"""A mail is stored before anything reads it, once however often it is delivered."""

from __future__ import annotations

import pytest

from frontline.core.errors import InvalidInput
from frontline.mail.models import InboundMail, InboundState
from frontline.mail.store import accept_raw

MAIL = (
    b"Received: from mx1.example by frontline; Tue, 24 Nov 2026 09:00:00 +0000\r\n"
    b"From: Bob <bob@standard.example>\r\nTo: support@frontline.test\r\n"
    b"Subject: Login broken\r\nMessage-ID: <abc123@standard.example>\r\n"
    b"Date: Tue, 24 Nov 2026 08:59:00 +0000\r\n\r\nIt says invalid token.\r\n"
)


def test_a_mail_is_stored_raw_and_waits_for_processing(db):
    accepted = accept_raw(MAIL, source="lmtp", envelope_recipients=["support@frontline.test"],
                          process=False)
    assert accepted.created
    stored = InboundMail.objects.get()
    assert bytes(stored.raw) == MAIL
    assert stored.header_message_id == "abc123@standard.example"
    assert stored.state == InboundState.STORED
    assert stored.envelope_recipients == ["support@frontline.test"]


def test_the_same_mail_delivered_twice_by_two_paths_is_stored_once(db):
    first = accept_raw(MAIL, source="lmtp", process=False)
    other_path = MAIL.replace(b"mx1.example", b"mx2.example").replace(b"\r\n", b"\n")
    second = accept_raw(b"Delivered-To: support@frontline.test\n" + other_path, source="imap",
                        process=False)
    assert not second.created
    assert second.inbound.pk == first.inbound.pk
    assert InboundMail.objects.count() == 1


def test_a_different_mail_reusing_a_message_id_is_kept(db):
    accept_raw(MAIL, source="lmtp", process=False)
    changed = MAIL.replace(b"It says invalid token.", b"Now it works, thanks!")
    assert accept_raw(changed, source="lmtp", process=False).created
    assert InboundMail.objects.count() == 2


@pytest.mark.parametrize("raw", [b"", b"   \r\n"])
def test_an_empty_mail_is_refused(db, raw):
    with pytest.raises(InvalidInput):
        accept_raw(raw, source="lmtp", process=False)
    assert InboundMail.objects.count() == 0
