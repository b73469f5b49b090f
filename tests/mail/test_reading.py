# ruff: noqa: RUF001  (non-Latin punctuation and letters are what these tests check)
"""Reading real mail: headers, charsets, structure and attachments."""

from __future__ import annotations

import hashlib
import json

from frontline.mail.parse import CONTRACT_KEYS, parse_message
from tests.mail.conftest import CORPUS, corpus_files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_corpus_mail_reads_into_exactly_the_contract_keys():
    for path in corpus_files():
        parsed = parse_message(path.read_bytes()).to_json_dict()
        assert tuple(parsed) == CONTRACT_KEYS, path.name
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")


def test_gmail_reply_gives_ids_without_brackets_and_an_aware_date(mail):
    parsed = mail("gmail_reply_en.eml")
    assert parsed.message_id == "CAF=k3v+Q8x2_ZpLm4vN7wq@mail.gmail.com"
    assert parsed.in_reply_to == "ticket-10427.1.a1b2@frontline.example"
    assert parsed.references == ["ticket-10427.1.a1b2@frontline.example"]
    assert parsed.to_json_dict()["date"] == "2026-03-03T11:30:02+01:00"
    assert parsed.to_json_dict()["from"] == {"name": "Jane Doe", "email": "jane.doe@gmail.com"}


def test_outlook_names_with_commas_stay_one_address(mail):
    parsed = mail("outlook_reply_en.eml")
    assert [a.to_json_dict() for a in parsed.cc] == [
        {"name": "Smith, Anna", "email": "anna.smith@globex.example"}
    ]


def test_rfc2047_encoded_words_are_decoded_in_names_and_subject(mail):
    parsed = mail("rfc2047_headers.eml")
    assert parsed.sender is not None and parsed.sender.name == "François Châtelet"
    assert [a.name for a in parsed.to] == ["Support équipe", "Иван"]
    assert parsed.reply_to[0].name == "Buchhaltung Österreich"


def test_a_character_split_across_two_encoded_words_survives(mail):
    assert mail("rfc2047_headers.eml").subject == "Überweisung für Rechnung №4711 – dringend"


def test_8bit_headers_without_encoded_words_are_read_as_utf8(mail):
    parsed = mail("charset_8bit_headers.eml")
    assert parsed.subject == "Ärger mit der Rechnung für März"
    assert parsed.sender is not None and parsed.sender.name == "Zoë Ångström"
    assert parsed.to[0].name == "Support Küche"


def test_8bit_header_in_the_bodys_single_byte_charset_uses_that_charset(mail):
    assert mail("reply_fr.eml").subject == "Re: Problème de connexion"


def test_gb2312_label_is_read_as_gb18030(mail):
    parsed = mail("reply_zh.eml")
    assert "王喆" in parsed.text and "朱镕" in parsed.text  # GBK-only characters
    assert parsed.sender is not None and parsed.sender.name == "李喆"
    assert parsed.subject == "回复: 登录问题"


def test_ks_c_5601_label_is_read_as_cp949(mail):
    parsed = mail("charset_ks_c_5601.eml")
    assert "똠방각하" in parsed.text
    assert parsed.subject == "로그인 오류"


def test_utf8_labelled_latin1_is_read_as_utf8(mail):
    assert mail("charset_utf8_labelled_latin1.eml").text == (
        "Grüße aus Köln, die Übersicht lädt nicht."
    )


def test_windows_1252_labelled_utf8_is_guessed(mail):
    text = mail("charset_cp1252_labelled_utf8.eml").text
    assert "février" in text and "Hélène Dupré" in text and "–" in text


def test_an_unusable_charset_label_is_ignored(mail):
    assert "Größe" in mail("charset_unknown_label.eml").text


def test_iso_2022_jp_is_decoded(mail):
    parsed = mail("charset_iso2022jp.eml")
    assert parsed.subject == "請求書について"
    assert "請求書が届いていません" in parsed.text


def test_koi8_r_and_iso_8859_2_bodies_are_decoded(mail):
    assert "отчёт по-прежнему не открывается" in mail("reply_ru.eml").text
    assert "błąd logowania nadal występuje" in mail("reply_pl.eml").text


def test_crlf_and_bare_lf_read_the_same(mail):
    assert mail("crlf_line_ends.eml").text == "Line one.\nLine two."
    bare = mail("bare_lf.eml")
    assert bare.text == "Written on a Unix box,\nwith a stray carriage return."
    assert bare.attachments[0].payload == bytes(range(10))  # base64 without padding


def test_missing_headers_give_nulls_not_errors(mail):
    parsed = mail("missing_headers.eml")
    data = parsed.to_json_dict()
    assert data["from"] is None and data["date"] is None and data["message_id"] is None
    assert data["subject"] == "help"
    assert "my printer is on fire" in data["text"]
    assert "error" not in data


def test_broken_headers_are_read_as_far_as_they_go(mail):
    parsed = mail("broken_headers.eml")
    assert parsed.sender is None and parsed.to == [] and parsed.date is None
    assert parsed.message_id == "bare-id-without-brackets@example.org"
    assert parsed.in_reply_to == "ok-ref@example.org"
    assert parsed.references == ["ok-ref@example.org", "also@example.org"]
    assert parsed.text == "This is not base64 and there is no boundary!!!"


def test_a_truncated_multipart_keeps_its_text_and_what_arrived_of_the_attachment(mail):
    parsed = mail("truncated_multipart.eml")
    assert parsed.text == "The attachment will be cut off."
    assert [a.filename for a in parsed.attachments] == ["cut.pdf"]
    assert parsed.attachments[0].payload.startswith(b"%PDF-1.4")
    assert "CloseBoundaryNotFoundDefect" in parsed.problems


def test_garbage_bytes_still_parse(mail):
    parsed = mail("garbage.eml")
    assert parsed.parse_error is None
    assert parsed.text  # kept as best-effort text, never dropped


def test_html_only_mail_gets_its_text_from_the_html(mail):
    parsed = mail("html_only.eml")
    assert "My order #4711 has not arrived." in parsed.text
    assert "Widget  3" in parsed.text  # the table is laid out
    assert "alert" not in parsed.text and "background" not in parsed.text
    assert parsed.html is not None and "<table" in parsed.html


def test_text_only_mail_has_null_html(mail):
    assert mail("iphone_reply.eml").to_json_dict()["html"] is None


def test_rfc2231_filename_with_charset_is_decoded(mail):
    names = [a.filename for a in mail("rfc2231_filenames.eml").attachments]
    assert names[0] == "€ Rechnung März 2026.pdf"


def test_rfc2231_continuations_are_joined(mail):
    names = [a.filename for a in mail("rfc2231_filenames.eml").attachments]
    assert names[1] == "Prüfbericht Teil 2.xlsx"


def test_rfc2047_filenames_and_raw_utf8_filenames_are_decoded(mail):
    names = [a.filename for a in mail("rfc2231_filenames.eml").attachments]
    assert names[2:] == ["Prüfprotokoll Übersicht.txt", "Foto März.png"]


def test_attachment_size_and_sha256_are_those_of_the_decoded_bytes(mail):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    xlsx = bytes(range(256)) * 4
    first, second, *_ = mail("rfc2231_filenames.eml").to_json_dict()["attachments"]
    assert (first["size"], first["sha256"]) == (len(pdf), sha256(pdf))
    assert (second["size"], second["sha256"]) == (1024, sha256(xlsx))
    assert first["content_type"] == "application/pdf"
    assert first["inline"] is False and first["content_id"] is None


def test_attachment_bytes_are_kept_for_storage_but_not_in_json(mail):
    parsed = mail("rfc2231_filenames.eml")
    assert parsed.attachments[1].payload == bytes(range(256)) * 4
    assert "payload" not in parsed.to_json_dict()["attachments"][1]


def test_inline_image_is_marked_inline_with_its_content_id(mail):
    parsed = mail("inline_image_cid.eml")
    [image] = parsed.to_json_dict()["attachments"]
    assert image["filename"] == "error.png"
    assert image["inline"] is True and image["content_id"] == "ii_m1a2b3c4"
    assert parsed.html is not None and 'src="cid:ii_m1a2b3c4"' in parsed.html
    assert parsed.text == "See the screenshot: [image: error.png]"


def test_forwarded_message_is_an_attachment_named_after_its_subject(mail):
    parsed = mail("forward_as_attachment.eml")
    [forwarded] = parsed.attachments
    assert forwarded.filename == "Invoice 4711 overdue.eml"
    assert forwarded.content_type == "message/rfc822"
    assert b"Your invoice 4711 is overdue." in forwarded.payload
    assert parse_message(forwarded.payload).subject == "Invoice 4711 overdue"
    assert parsed.text == "Is this invoice legitimate? We never ordered anything from them."


def test_calendar_invitation_is_kept_as_an_ics_attachment(mail):
    parsed = mail("calendar_invite.eml")
    [invite] = parsed.attachments
    assert (invite.filename, invite.content_type) == ("invite.ics", "text/calendar")
    assert b"SUMMARY;LANGUAGE=en-US:Escalation call FL-10431" in invite.payload
    assert parsed.text == "Let's discuss the licence issue on Tuesday."


def test_uuencoded_block_becomes_an_attachment_and_leaves_the_text(mail):
    parsed = mail("uuencoded.eml")
    [report] = parsed.attachments
    data = b"Backup report 2026-03-05\nstatus: FAILED\n" * 5
    assert report.filename == "backup-report.txt"
    assert (report.size, report.sha256) == (len(data), sha256(data))
    assert "begin 644" not in parsed.text
    assert parsed.text == "The nightly backup failed, report attached.\n\nRegards, Ops"


def test_winmail_dat_is_unpacked_into_its_files(mail):
    import sys

    sys.path.insert(0, str(CORPUS))
    try:
        from make_winmail import QUOTE_PDF
    finally:
        sys.path.remove(str(CORPUS))
    parsed = mail("tnef_winmail.eml")
    [quote] = parsed.attachments
    assert quote.filename == "Quote 2026-117.pdf"
    assert quote.content_type == "application/pdf"
    assert quote.payload == QUOTE_PDF and quote.sha256 == sha256(QUOTE_PDF)


def test_a_winmail_dat_that_cannot_be_read_is_kept_as_it_is(mail):
    parsed = mail("tnef_damaged.eml")
    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]
    assert "winmail.dat could not be read; kept as it is" in parsed.problems


def test_delivery_status_parts_are_kept_as_text_attachments(mail):
    names = [a.filename for a in mail("bounce_postfix_dsn.eml").attachments]
    assert names == ["delivery-status.txt", "original-headers.txt"]


def test_headers_are_kept_decoded_for_the_storage_layer(mail):
    parsed = mail("outlook_reply_en.eml")
    assert parsed.header("thread-topic") == "[FL-10431] Licence key rejected"
    assert parsed.header("X-No-Such-Header") is None


def test_thunderbird_format_flowed_is_unwrapped(mail):
    assert ("after the upgrade to 5.3 the scheduler runs every job twice. "
            "We did not change the configuration.") in mail("thunderbird_reply_flowed.eml").text


def test_a_mail_without_a_date_takes_the_time_it_was_received():
    raw = (b"Received: from mx.example by mx.frontline.example; Thu, 5 Mar 2026 10:00:00 +0000\n"
           b"From: a@example.org\nSubject: no date\n\nbody\n")
    assert parse_message(raw).to_json_dict()["date"] == "2026-03-05T10:00:00+00:00"


def test_a_mail_the_parser_chokes_on_is_kept_as_text_with_the_error(monkeypatch):
    # Simulates a parser bug; the mail must still come back, raw text and error shown.
    from frontline.mail import parse

    def broken(self, part, depth=0, *, related=False):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(parse._Reader, "walk", broken)
    parsed = parse_message(b"Subject: hi\n\nmy printer is on fire\n")
    data = parsed.to_json_dict()
    assert data["error"] == "RuntimeError: parser bug"
    assert "my printer is on fire" in data["text"]
    assert tuple(k for k in data if k != "error") == CONTRACT_KEYS
