# ruff: noqa: RUF001  (non-Latin punctuation and letters are what these tests check)
"""Mail that used to be misread, fail or lose content (issue 11), each a corpus file
taken through the real inbound path (stored raw, then processed as the worker does):
abuse reports and delivery notices, a byte-order mark, deep nesting, impossible
dates, file names that lie about their type, and charsets clients mislabel."""

from __future__ import annotations

import binascii
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from frontline.customers.models import Contact, ContactEmail
from frontline.mail import addresses
from frontline.mail.importer import import_mail
from frontline.mail.models import InboundMail, InboundState, OutboundMail
from frontline.mail.services import NO_TEXT
from frontline.tickets import event_kinds
from frontline.tickets.models import Attachment, Message, Status, Ticket
from frontline.tickets.services.attachments import is_dangerous
from tests.mail.conftest import CORPUS
from tests.mail.inbound_mails import compose, deliver


def corpus(name: str, **replace: str) -> bytes:
    """A corpus mail, with Message-IDs of its copy of "our" mail pointed at real ones."""
    raw = (CORPUS / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def only_ticket() -> Ticket:
    [ticket] = Ticket.objects.all()
    return ticket


@pytest.fixture
def bobs_mail_ticket(bob: Contact) -> Ticket:
    inbound = deliver(compose(message_id="hard-mail.first@standard.example",
                              subject="Reports are empty after the update"))
    assert inbound.ticket is not None
    return inbound.ticket


def acknowledgement_id(ticket: Ticket) -> str:
    return OutboundMail.objects.get(ticket=ticket, automatic=True).header_message_id.strip("<>")


def sentence(event: object) -> str:
    return str(event_kinds.get(event.kind).staff(event))  # type: ignore[attr-defined]


# -- abuse reports and delivery notices ----------------------------------------------


def test_an_abuse_report_about_our_acknowledgement_is_recorded_on_its_ticket(bobs_mail_ticket):
    """A provider's feedback loop is not a customer: no ticket, no message, no answer."""
    sent_before = OutboundMail.objects.count()
    messages_before = bobs_mail_ticket.messages.count()
    raw = corpus("report_arf_abuse.eml", **{
        "ticket-10502.1.c0ffee@frontline.example": acknowledgement_id(bobs_mail_ticket)})

    inbound = deliver(raw)

    assert inbound.state == InboundState.IGNORED
    assert inbound.ticket == bobs_mail_ticket
    assert inbound.message is None
    assert "reported as spam (abuse)" in inbound.error
    assert "maria.olsen@mailhost.example" in inbound.error
    assert Ticket.objects.count() == 1
    assert bobs_mail_ticket.messages.count() == messages_before
    assert OutboundMail.objects.count() == sent_before
    event = bobs_mail_ticket.events.get(kind="feedback_report")
    assert event.detail["feedback_type"] == "abuse"
    assert event.detail["recipients"] == ["maria.olsen@mailhost.example"]
    assert event.detail["reporter"] == "MailhostFBL/2.3"
    assert "reported as spam (abuse)" in sentence(event)
    assert not ContactEmail.objects.filter(address="maria.olsen@mailhost.example").exists()


def test_a_fraud_report_with_only_the_headers_finds_the_ticket_by_our_signed_id(
        bobs_mail_ticket, lena):
    """RFC 5965 allows only the headers of the reported mail; the German report's
    own text does not make it a customer's message."""
    bobs_mail_ticket_status = bobs_mail_ticket.status
    raw = corpus("report_arf_fraud_headers_only.eml", **{
        "ticket-10519.4.beef01@frontline.example":
            addresses.new_message_id(bobs_mail_ticket.pk)})

    inbound = deliver(raw)

    assert (inbound.state, inbound.ticket) == (InboundState.IGNORED, bobs_mail_ticket)
    event = bobs_mail_ticket.events.get(kind="feedback_report")
    assert event.detail["feedback_type"] == "fraud"
    assert event.detail["recipients"] == ["j.krueger@postkasten.example"]
    assert "fraud" in sentence(event)
    bobs_mail_ticket.refresh_from_db()
    assert bobs_mail_ticket.status == bobs_mail_ticket_status
    assert not Message.objects.filter(body__contains="Betrug").exists()


def test_an_abuse_report_about_no_mail_of_ours_opens_nothing(db):
    inbound = deliver(corpus("report_arf_abuse.eml"))

    assert inbound.state == InboundState.IGNORED
    assert inbound.ticket is None
    assert "feedback report" in inbound.error and "for no ticket of ours" in inbound.error
    assert not Ticket.objects.exists()
    assert not OutboundMail.objects.exists()


def test_the_admins_see_an_abuse_report_as_what_it_is(ada):
    deliver(corpus("report_arf_abuse.eml"))
    client = Client()
    client.force_login(ada)

    page = client.get("/mail/inbound?state=ignored")

    assert page.status_code == 200
    assert "reported as spam (abuse)" in page.content.decode()


def test_a_successful_delivery_notice_is_a_delivery_step_not_a_bounce(bobs_mail_ticket):
    messages_before = bobs_mail_ticket.messages.count()
    raw = corpus("report_dsn_delivered.eml", **{
        "ticket-10530.3.d00d42@frontline.example": acknowledgement_id(bobs_mail_ticket)})

    inbound = deliver(raw)

    assert (inbound.state, inbound.ticket, inbound.message) == (
        InboundState.IGNORED, bobs_mail_ticket, None)
    assert "our mail reached kenji.watanabe@initech.example" in inbound.error
    assert not bobs_mail_ticket.events.filter(kind="bounce").exists()
    event = bobs_mail_ticket.events.get(kind="delivery", after="delivered")
    assert event.detail["to"] == "kenji.watanabe@initech.example"
    assert event.detail["status"] == "2.0.0"
    assert sentence(event) == "Mail was delivered to kenji.watanabe@initech.example"
    assert bobs_mail_ticket.messages.count() == messages_before
    assert ContactEmail.objects.get(address="bob@standard.example").bouncing_since is None


def test_exchanges_relayed_notice_names_every_recipient_and_answers_nobody(bobs_mail_ticket):
    sent_before = OutboundMail.objects.count()
    raw = corpus("report_dsn_relayed_exchange.eml", **{
        "ticket-10533.2.aa77bb@frontline.example": acknowledgement_id(bobs_mail_ticket)})

    inbound = deliver(raw)

    assert inbound.ticket == bobs_mail_ticket
    event = bobs_mail_ticket.events.get(kind="delivery", after="delivered")
    assert event.detail["to"] == "b.schaefer@globex.example, licences@globex.example"
    assert OutboundMail.objects.count() == sent_before
    assert Ticket.objects.count() == 1


def test_a_notice_that_mixes_a_delivery_and_a_failure_is_a_bounce(bobs_mail_ticket):
    raw = corpus("report_dsn_delivered.eml", **{
        "ticket-10530.3.d00d42@frontline.example": acknowledgement_id(bobs_mail_ticket),
        "Action: delivered\nStatus: 2.0.0": "Action: failed\nStatus: 5.2.2",
        "Final-Recipient: rfc822; kenji": "Final-Recipient: rfc822; bob@standard.example\n"
                                          "Action: delivered\nStatus: 2.0.0\n\n"
                                          "Final-Recipient: rfc822; kenji"})

    inbound = deliver(raw)

    assert inbound.ticket == bobs_mail_ticket
    assert bobs_mail_ticket.events.get(kind="bounce").detail["status"] == "5.2.2"
    assert not bobs_mail_ticket.events.filter(kind="delivery", after="delivered").exists()


# -- a byte-order mark ----------------------------------------------------------------


def test_a_mail_starting_with_a_byte_order_mark_becomes_a_normal_ticket(db):
    inbound = deliver(corpus("bom_utf8_reply.eml"))

    assert inbound.state == InboundState.PROCESSED, inbound.error
    ticket = only_ticket()
    assert ticket.subject == "Export comptable vide depuis la mise à jour"
    assert ticket.requester.name == "Amélie Durand"
    message = ticket.messages.get(kind="inbound")
    assert message.body.startswith("Bonjour,\n\ndepuis la mise à jour 5.2")
    assert message.email_message_id == "5f0e.bom.7731@chocolaterie.example"
    assert OutboundMail.objects.filter(ticket=ticket, automatic=True).exists()


def test_the_same_mail_with_and_without_the_mark_is_stored_once_by_its_message_id(db):
    with_mark = corpus("bom_utf8_reply.eml")
    first = deliver(with_mark)
    second = deliver(with_mark[3:])
    assert first.header_message_id == "5f0e.bom.7731@chocolaterie.example"
    assert second.header_message_id == first.header_message_id


# -- deep nesting -------------------------------------------------------------------


def test_five_hundred_nested_forwards_keep_the_innermost_mail_whole(db):
    inbound = deliver(corpus("nested_forwards_500.eml"))

    assert inbound.state == InboundState.PROCESSED, inbound.error
    message = only_ticket().messages.get(kind="inbound")
    assert message.body == ("Our relay forwarded this mail to itself all night; "
                            "the original is inside.")
    [forwarded] = message.attachments.all()
    content = forwarded.blob.file.open("rb").read()
    assert forwarded.filename == "Fwd_ level 499.eml"
    assert content.count(b"Content-Type: message/rfc822") == 500  # the 500 levels inside
    assert b"Twee orders staan sinds vannacht vast in de pickfase." in content
    assert b"88122;stuck in picking" in content


def test_twelve_hundred_nested_parts_are_processed_and_nothing_is_dropped(db):
    """Deeper than the stdlib parser can recurse: once a failed mail, now a ticket whose
    attachment holds every level down to the report and its file."""
    inbound = deliver(corpus("nested_multipart_1200.eml"))

    assert inbound.state == InboundState.PROCESSED, inbound.error
    message = only_ticket().messages.get(kind="inbound")
    assert message.body == NO_TEXT
    [kept] = message.attachments.all()
    content = kept.blob.file.open("rb").read()
    assert b"Rapport: de koelcel meldt 9 graden sinds 03:10." in content
    assert b"88121;stuck in picking" in content
    assert b"--b0--" in content and b"--b1100" in content


# -- dates that cannot be true --------------------------------------------------------


def test_a_date_in_the_year_9999_dates_the_ticket_when_it_arrived_and_says_so(db):
    before = timezone.now()
    inbound = deliver(corpus("date_year_9999.eml"))

    ticket = only_ticket()
    assert inbound.state == InboundState.PROCESSED
    assert before <= ticket.created_at <= timezone.now()
    event = ticket.events.get(kind="mail_date_refused")
    assert event.detail["written"] == "Fri, 31 Dec 9999 23:59:59 +0100"
    assert event.detail["message"] == ticket.messages.get(kind="inbound").pk
    assert "9999" in sentence(event)


def test_an_imported_mail_from_1970_is_dated_when_it_was_imported(db, tmp_path: Path):
    """The import keeps history's own dates, but not a clock reset to zero; one guard
    for the stored time and the ticket's (they used to differ)."""
    shutil.copy(CORPUS / "date_epoch_zero.eml", tmp_path / "epoch.eml")
    before = timezone.now()

    summary = import_mail([tmp_path])

    assert summary.failed == 0
    ticket = only_ticket()
    message = ticket.messages.get(kind="inbound")
    assert message.created_at >= before and ticket.created_at >= before
    assert InboundMail.objects.get().received_at >= before
    assert ticket.events.get(kind="mail_date_refused").detail["written"] == (
        "Thu, 01 Jan 1970 00:00:00 +0000")


def test_an_imported_mail_from_9999_sorts_with_todays_mail_not_first(db, tmp_path: Path):
    (tmp_path / "old.eml").write_bytes(compose(
        subject="Licence expired", body="Our licence ran out last spring.",
        date="Tue, 14 Apr 2020 10:00:00 +0200"))
    shutil.copy(CORPUS / "date_year_9999.eml", tmp_path / "future.eml")

    import_mail([tmp_path], batch_mails=10)

    newest = Ticket.objects.order_by("-created_at").first()
    assert newest is not None and newest.created_at <= timezone.now()
    assert newest.created_at > timezone.now() - timedelta(hours=1)
    assert Ticket.objects.get(subject="Licence expired").created_at.year == 2020


# -- file names that lie about their type --------------------------------------------


def test_bidi_overrides_are_taken_out_of_file_names_so_the_real_type_shows(db):
    deliver(corpus("attachment_bidi_names.eml"))

    names = list(Attachment.objects.order_by("pk").values_list("filename", flat=True))
    assert names == ["invoicefdp.exe", "Payroll-Marchxslx.scr", "نامه\u200cی اداری.pdf",
                     "minutes[31m.txt"]
    assert [is_dangerous(name) for name in names] == [True, True, False, False]


def test_a_name_stored_before_the_cleaning_is_shown_cleaned(db, ada):
    deliver(corpus("attachment_bidi_names.eml"))
    ticket = only_ticket()
    stored = Attachment.objects.get(filename="invoicefdp.exe")
    Attachment.objects.filter(pk=stored.pk).update(filename="invoice\u202efdp.exe")
    client = Client()
    client.force_login(ada)

    page = client.get(f"/t/{ticket.reference}").content.decode()
    download = client.get(f"/t/{ticket.reference}/files/{stored.pk}")

    assert "\u202e" not in page and "invoicefdp.exe" in page
    assert "dangerous type" in page
    assert "invoicefdp.exe" in download["Content-Disposition"]
    assert "\u202e" not in download["Content-Disposition"]


# -- charsets ----------------------------------------------------------------------------


def test_gb2312_labelled_mail_with_gbk_and_gb18030_characters_reads_whole(db):
    deliver(corpus("charset_gb2312_gb18030.eml"))

    ticket = only_ticket()
    assert ticket.subject == "关于镕钢厂喆总的发票问题"
    assert ticket.requester.name == "王喆"
    body = ticket.messages.get(kind="inbound").body
    assert "我们公司（镕钢科技）的发票抬头里有生僻字“喆”和“𠮷”" in body
    assert "\ufffd" not in body


def test_iso_2022_jp_as_outlook_writes_it_keeps_circled_numbers_and_company_marks(db):
    deliver(corpus("charset_iso2022jp_windows.eml"))

    ticket = only_ticket()
    assert ticket.subject == "㈱山田製作所 請求書①の件"
    assert ticket.requester.name == "佐藤"
    assert "請求書①と②の金額がⅢ期分ずれています。" in ticket.messages.get(kind="inbound").body


def test_each_part_is_read_in_its_own_charset(db):
    deliver(corpus("charset_mixed_parts.eml"))

    ticket = only_ticket()
    assert ticket.subject == "Три языка в одном письме"
    assert ticket.requester.name == "Ondřej Novák"
    body = ticket.messages.get(kind="inbound").body
    assert "Отчёт за квартал не открывается: «ошибка 0x80070005»." in body
    assert "český překlad tlačítka 'Uložit' chybí v nastavení účtu." in body
    assert "追記：日本語のファイル名（報告書.xlsx）も文字化けします。" in body


def test_utf7_body_and_subject_are_decoded(db):
    deliver(corpus("charset_utf7.eml"))

    ticket = only_ticket()
    assert ticket.subject == "Verbindungsabbruch – Σύνδεση"
    body = ticket.messages.get(kind="inbound").body
    assert "Η σύνδεση με τον διακομιστή αποτυγχάνει μετά το 5ο λεπτό." in body
    assert "Fehlercode: E-4711 (Zeitüberschreitung)" in body


def test_uuencoded_files_in_a_mime_text_part_become_attachments_and_the_words_stay(db):
    log = b"".join(b"2026-03-22 07:%02d:00 sync job %d: connection reset by peer\n" % (i, i)
                   for i in range(12))
    script = (b"#!/bin/sh\n# workaround from the forum\n"
              b"sed -i 's/timeout=30/timeout=300/' /etc/sync.conf\n")

    deliver(corpus("uuencoded_in_multipart.eml"))

    message = only_ticket().messages.get(kind="inbound")
    assert message.body == ("Hi team,\n\nthe sync log from this morning:\n\n"
                            "and the script a colleague found (we have NOT run it):\n\n"
                            "Cheers,\nTomasz")
    files = {a.filename: a.blob.file.open("rb").read() for a in message.attachments.all()}
    assert files == {"sync-0322.log": log, "raise-timeout.sh": script}
    assert binascii.b2a_uu(log[:45]).rstrip(b"\n").decode() not in message.body


def test_the_hard_mails_are_never_answered_twice_nor_lost(db):
    """Every corpus file of this issue is stored once and finishes in a final state."""
    names = ["bom_utf8_reply.eml", "nested_forwards_500.eml", "nested_multipart_1200.eml",
             "date_year_9999.eml", "date_epoch_zero.eml", "attachment_bidi_names.eml",
             "charset_gb2312_gb18030.eml", "charset_iso2022jp_windows.eml",
             "charset_mixed_parts.eml", "charset_utf7.eml", "uuencoded_in_multipart.eml",
             "report_arf_abuse.eml", "report_arf_fraud_headers_only.eml",
             "report_dsn_delivered.eml", "report_dsn_relayed_exchange.eml"]
    states = {name: deliver(corpus(name)).state for name in names}
    assert {name for name, state in states.items() if state == InboundState.FAILED} == set()
    reports = {name for name in names if name.startswith("report_")}
    assert {name for name, state in states.items() if state == InboundState.IGNORED} == reports
    assert Ticket.objects.count() == len(names) - len(reports)
    assert not Ticket.objects.exclude(status=Status.NEW).exists()
