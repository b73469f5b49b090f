"""Reading the hard mails of issue 11 without a database: the bounded MIME tree,
ISO-2022-JP as Windows writes it, the date guard, and reports classified."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta

import pytest

from frontline.mail import structure
from frontline.mail.charsets import decode_bytes
from frontline.mail.headers import EARLIEST_DATE, FUTURE_TOLERANCE, plausible_date
from frontline.mail.parse import parse_message
from tests.mail.conftest import CORPUS, corpus_files


def test_the_bounded_tree_reads_every_corpus_mail_as_the_stdlib_does(monkeypatch):
    """The work-list builder is used only for deep mail; on ordinary mail it must give
    exactly what the stdlib parser gives, so forcing it changes no result."""
    files = [path for path in corpus_files() if not path.name.startswith("nested_")]
    expected = {path.name: parse_message(path.read_bytes()).to_json_dict() for path in files}
    monkeypatch.setattr(structure, "_containers_at_most", lambda raw, limit: False)
    for path in files:
        assert parse_message(path.read_bytes()).to_json_dict() == expected[path.name], path.name


@pytest.mark.parametrize("depth", [31, 400, 5000])
def test_no_depth_of_nesting_raises_or_loses_the_innermost_words(depth):
    words = f"innermost words at depth {depth}"
    inner = f"Content-Type: text/plain\n\n{words}\n"
    for level in range(depth):
        inner = (f"Content-Type: multipart/alternative; boundary=\"q{level}\"\n\n"
                 f"--q{level}\n{inner}\n--q{level}--\n")
    parsed = parse_message(f"From: deep@nest.example\nSubject: deep\n{inner}".encode())
    assert parsed.parse_error is None
    assert parsed.sender is not None and parsed.sender.email == "deep@nest.example"
    kept = parsed.text.encode() + b"".join(a.payload for a in parsed.attachments)
    assert words.encode() in kept


def test_iso_2022_jp_as_windows_writes_it_reads_all_of_jis_x_0208():
    """Every JIS X 0208 character, plus a NEC row-13 one the strict codec refuses, so
    the Windows reading (cp932's table, as Outlook meant it) must read them all."""
    characters = []
    for row in range(0x21, 0x7F):
        for cell in range(0x21, 0x7F):
            try:
                characters.append(bytes((row | 0x80, cell | 0x80)).decode("euc_jp"))
            except UnicodeDecodeError:
                continue
    text = "".join(characters)
    encoded = text.encode("iso2022_jp")
    assert encoded.endswith(b"\x1b(B")

    windows = decode_bytes(encoded[:-3] + b"-!\x1b(B", "iso-2022-jp")

    # Microsoft's table differs from the standard's in a few symbols (U+301C is U+FF5E).
    assert windows == text.encode("shift_jis").decode("cp932") + "①"
    assert len(characters) > 6800


def test_half_width_katakana_in_iso_2022_jp_are_read():
    assert decode_bytes(b"\x1b(I6@6E\x1b(B OK", "ISO-2022-JP") == "ｶﾀｶﾅ OK"


def test_an_unknown_escape_is_not_guessed_at():
    chinese = "你好".encode("iso2022_jp_2")
    assert decode_bytes(chinese, "iso-2022-jp") == decode_bytes(chinese, None)


@pytest.mark.parametrize(("moment", "kept"), [
    (datetime(2026, 3, 1, 12, tzinfo=UTC), True),
    (datetime(2026, 3, 2, 11, tzinfo=UTC), True),  # within the tolerance
    (datetime(2026, 3, 3, 12, 1, tzinfo=UTC), False),
    (datetime(9999, 12, 31, tzinfo=UTC), False),
    (EARLIEST_DATE, True),
    (EARLIEST_DATE - timedelta(seconds=1), False),
    (datetime(1970, 1, 1, tzinfo=UTC), False),
])
def test_the_date_guard(moment, kept):
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert timedelta(days=1) == FUTURE_TOLERANCE
    assert plausible_date(moment, now=now) == (moment if kept else None)


def test_a_refused_date_reads_as_null_in_the_json_contract(mail):
    parsed = mail("date_year_9999.eml")
    assert parsed.to_json_dict()["date"] is None
    assert parsed.refused_date == "Fri, 31 Dec 9999 23:59:59 +0100"
    assert any("cannot be true" in problem for problem in parsed.problems)


@pytest.mark.parametrize(("name", "reason"), [
    ("report_arf_abuse.eml", "reported as spam (abuse)"),
    ("report_arf_fraud_headers_only.eml", "reported as fraud"),
    ("report_dsn_delivered.eml", "our mail reached kenji.watanabe@initech.example"),
    ("report_dsn_relayed_exchange.eml", "reached b.schaefer@globex.example, licences@"),
])
def test_reports_are_their_own_kind_of_automatic_mail(mail, name, reason):
    parsed = mail(name)
    assert parsed.auto.kind == "report"
    assert reason in (parsed.auto.reason or "")
    assert parsed.bounce is None


def test_a_feedback_report_keeps_its_machine_part_as_an_attachment(mail):
    parsed = mail("report_arf_abuse.eml")
    report = next(a for a in parsed.attachments if a.filename == "feedback-report.txt")
    assert b"Feedback-Type: abuse" in report.payload
    assert b"Source-IP: 203.0.113.25" in report.payload


def test_a_byte_order_mark_does_not_hide_the_first_header():
    raw = (CORPUS / "bom_utf8_reply.eml").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    with_mark, without = parse_message(raw), parse_message(raw[3:])
    assert with_mark.to_json_dict() == without.to_json_dict()
    assert with_mark.sender is not None


@pytest.mark.parametrize("encoded", ["=?utf-8?q?Rechnung=00_fehlt?=",
                                     "=?iso-8859-1?b?UmVjaG51bmcAIGZlaGx0?="])
def test_a_nul_in_an_encoded_subject_is_dropped_not_a_failed_mail(encoded):
    # A ticket's subject refuses NUL (PostgreSQL cannot store it): a mail's is cleaned.
    raw = (f"From: Kai <kai@example.org>\r\nTo: help@support.example\r\n"
           f"Subject: {encoded}\r\nMessage-ID: <nul-{len(encoded)}@example.org>\r\n"
           f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nDie Rechnung fehlt.\r\n").encode()
    assert parse_message(raw).subject == "Rechnung fehlt"
