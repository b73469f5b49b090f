"""Files on replies, notes and portal messages: the inbound mail's limits, one check,
and a reply's files and formatting leave with its mail."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.mail.formatting import markdown_html
from frontline.mail.models import OutboundMail
from frontline.mail.services import within_limits
from frontline.tickets.models import Attachment, Blob, Message
from frontline.tickets.services.attachments import MAX_FILES, UploadedFile


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def small_limits(settings):
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.001   # 1048 bytes a file
    settings.FRONTLINE_MAX_MESSAGE_MB = 0.002      # 2097 bytes in all


def test_a_reply_with_files_and_markdown_is_mailed_as_html_text_and_files(
        smtp_sink, alices_ticket, lena, django_capture_on_commit_callbacks):
    from frontline.core.worker import FrontlineWorker

    text = ("Hi Alice,\n\n**Workaround:**\n\n- stop the job\n- run `export --resume`\n\n"
            "Details: https://status.example.com/incidents/17")
    with django_capture_on_commit_callbacks(execute=True):
        reply = workflow.add_reply(
            alices_ticket, lena, text, body_html=markdown_html(text),
            files=[UploadedFile("resume-steps.txt", b"1. stop\n2. resume\n", "text/plain"),
                   UploadedFile("Bildschirmfoto 2025-03-01 um 10.12.png", b"\x89PNG\r\n\x1a\n0")])
    FrontlineWorker(batch=True, schedule=False, interval=0).run()
    assert OutboundMail.objects.get(message=reply).state == "sent"
    [delivered] = smtp_sink.delivered
    mail = delivered.message
    plain = mail.get_body(("plain",)).get_content()
    formatted = mail.get_body(("html",)).get_content()
    assert "**Workaround:**" in plain and "- run `export --resume`" in plain
    assert "<strong>Workaround:</strong>" in formatted
    assert "<code>export --resume</code>" in formatted
    assert 'href="https://status.example.com/incidents/17"' in formatted
    names = sorted(part.get_filename() for part in mail.iter_attachments())
    assert names == ["Bildschirmfoto 2025-03-01 um 10.12.png", "resume-steps.txt"]


def test_a_note_keeps_its_files_and_is_never_mailed(smtp_sink, alices_ticket, otto):
    note = workflow.add_note(alices_ticket, otto, "Core dump attached.",
                             files=[UploadedFile("core.gz", b"\x1f\x8b" + bytes(300))])
    assert [a.filename for a in note.attachments.all()] == ["core.gz"]
    assert not OutboundMail.objects.filter(message=note).exists()


def test_one_file_over_the_limit_refuses_the_whole_reply(small_limits, alices_ticket, lena):
    before = Message.objects.count()
    with pytest.raises(InvalidInput) as refused:
        workflow.add_reply(alices_ticket, lena, "Here are the logs.",
                           files=[UploadedFile("small.log", b"ok\n" * 10),
                                  UploadedFile("huge.log", b"E" * 1100)])
    assert refused.value.field == "attachments"
    assert "huge.log is larger than 0.001 MB" in refused.value.message
    assert Message.objects.count() == before and not Attachment.objects.exists()
    assert not Blob.objects.exists()


def test_files_together_over_the_message_limit_are_refused(small_limits, alices_ticket, lena):
    files = [UploadedFile(f"part-{n}.csv", b"a;b\n" * 250) for n in range(3)]  # 1000 each
    with pytest.raises(InvalidInput) as refused:
        workflow.add_note(alices_ticket, lena, "Drei Teile", files=files)
    assert "part-2.csv would take the files over 0.002 MB in all" in refused.value.message


def test_more_files_than_allowed_are_refused(alices_ticket, lena):
    files = [UploadedFile(f"shot{n}.png", bytes([n])) for n in range(MAX_FILES + 1)]
    with pytest.raises(InvalidInput) as refused:
        workflow.add_reply(alices_ticket, lena, "Screens", files=files)
    assert f"at most {MAX_FILES} files" in refused.value.message


def test_the_portal_message_takes_files_within_the_same_limits(small_limits, alices_ticket,
                                                               alice):
    message = workflow.add_customer_message(alices_ticket, alice, "Anbei das Protokoll",
                                            channel="portal",
                                            files=[UploadedFile("protokoll.txt", b"x" * 900)])
    assert message.attachments.get().blob.size == 900
    with pytest.raises(InvalidInput):
        workflow.add_customer_message(alices_ticket, alice, "Noch eins", channel="portal",
                                      files=[UploadedFile("riesig.txt", b"x" * 5000)])


def test_mail_keeps_and_skips_by_the_same_numbers(small_limits):
    import base64

    from frontline.mail.parse import parse_message

    fits, big = base64.encodebytes(b"A" * 400), base64.encodebytes(b"B" * 1200)
    raw = (b"From: a@example.org\r\nTo: s@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
           b"Content-Type: text/plain\r\n\r\nhi\r\n--XX\r\n"
           b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
           b"filename=fits.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + fits + b"\r\n--XX\r\n"
           b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
           b"filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + big + b"\r\n--XX--\r\n")
    kept, skipped = within_limits(parse_message(raw))
    assert [a.filename for a in kept] == ["fits.bin"]
    assert skipped == ["big.bin (1200 bytes)"]
