"""Recognising automatic mail, so that we never answer a machine (RFC 3834)."""

from __future__ import annotations

import pytest

from frontline.mail.parse import parse_message

HUMAN = b"""From: Bob Stone <bob@standard.example>
To: support@frontline.example
Subject: Question
Message-ID: <q1@standard.example>

Hello?
"""


def with_header(header: str, raw: bytes = HUMAN) -> bytes:
    return header.encode() + b"\n" + raw


def kind(raw: bytes, **options) -> str:
    return parse_message(raw, **options).auto.kind


def test_a_person_writing_is_not_automatic(mail):
    assert mail("gmail_reply_en.eml").to_json_dict()["auto"] == {"kind": "none", "reason": None}


def test_auto_submitted_no_is_a_person(mail):
    assert mail("auto_submitted_no.eml").auto.kind == "none"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Auto-Submitted: auto-replied", "autoreply"),
        ("Auto-Submitted: auto-generated", "bulk"),
        ("Auto-Submitted: auto-notified", "bulk"),
        ("Precedence: bulk", "bulk"),
        ("Precedence: junk", "bulk"),
        ("Precedence: list", "list"),
        ("Precedence: auto_reply", "autoreply"),
        ("X-Autoreply: yes", "autoreply"),
        ("X-Autorespond: Thank you", "autoreply"),
        ("List-Id: <dev.lists.example.org>", "list"),
        ("List-Unsubscribe: <mailto:leave@lists.example.org>", "list"),
        ("Return-Path: <>", "autoreply"),
    ],
)
def test_each_automatic_header_is_recognised(header, expected):
    parsed = parse_message(with_header(header))
    assert parsed.auto.kind == expected
    assert parsed.auto.reason and header.split(":")[0] in parsed.auto.reason


def test_exchange_out_of_office_is_an_autoreply(mail):
    auto = mail("ooo_exchange.eml").auto
    assert auto.kind == "autoreply"


def test_x_auto_response_suppress_alone_does_not_silence_a_person():
    # Exchange adds it to people's mail sent through distribution lists.
    assert kind(with_header("X-Auto-Response-Suppress: All")) == "none"


def test_x_auto_response_suppress_backs_up_an_out_of_office_subject():
    raw = with_header("X-Auto-Response-Suppress: All").replace(
        b"Subject: Question", b"Subject: Automatic reply: Question")
    auto = parse_message(raw).auto
    assert auto.kind == "autoreply" and "X-Auto-Response-Suppress: All" in (auto.reason or "")


def test_german_exchange_out_of_office_is_recognised_by_its_subject(mail):
    auto = mail("ooo_exchange_de.eml").auto
    assert auto.kind == "autoreply" and "Automatische Antwort" in (auto.reason or "")


def test_gmail_vacation_responder_is_an_autoreply(mail):
    assert mail("ooo_gmail_vacation.eml").auto.kind == "autoreply"


def test_zimbra_out_of_office_is_an_autoreply(mail):
    assert mail("ooo_zimbra.eml").auto.kind == "autoreply"


def test_list_mail_is_list(mail):
    assert mail("list_mail.eml").auto.kind == "list"


def test_newsletter_is_bulk(mail):
    assert mail("bulk_newsletter.eml").auto.kind == "bulk"


def test_noreply_sender_is_bulk(mail):
    auto = mail("noreply_sender.eml").auto
    assert auto.kind == "bulk" and "noreply@githost.example" in (auto.reason or "")


def test_x_autoreply_robot_is_an_autoreply(mail):
    assert mail("x_autoreply.eml").auto.kind == "autoreply"


def test_null_return_path_without_a_bounce_is_an_autoreply(mail):
    assert mail("null_return_path.eml").auto.kind == "autoreply"


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example", "postmaster@example.org"])
def test_mail_daemon_senders_are_bounces(sender):
    raw = HUMAN.replace(b"Bob Stone <bob@standard.example>", sender.encode())
    assert kind(raw) == "bounce"


def test_our_loop_header_means_a_loop(mail):
    auto = mail("loop_header.eml").auto
    assert auto.kind == "loop" and "X-Frontline-Loop" in (auto.reason or "")


def test_the_loop_header_name_is_a_parameter(mail):
    assert mail("loop_header.eml", loop_header="X-Other-Desk").auto.kind == "none"
    assert kind(with_header("X-Other-Desk: 1"), loop_header="X-Other-Desk") == "loop"


def test_our_own_message_id_domain_coming_back_is_a_loop(mail):
    auto = mail("own_message_id.eml").auto
    assert auto.kind == "loop" and "frontline.example" in (auto.reason or "")


def test_without_own_domains_the_same_mail_is_not_a_loop(mail):
    assert mail("own_message_id.eml", own_domains=()).auto.kind == "none"


def test_own_domain_defaults_to_the_setting(settings):
    settings.FRONTLINE_MESSAGE_ID_DOMAIN = "standard.example"
    assert kind(HUMAN) == "loop"
    settings.FRONTLINE_MESSAGE_ID_DOMAIN = None
    assert kind(HUMAN) == "none"


def test_a_loop_outranks_other_signs():
    raw = with_header("Precedence: bulk", with_header("X-Frontline-Loop: yes"))
    assert kind(raw) == "loop"


def test_a_bounce_outranks_its_auto_submitted_header(mail):
    assert mail("bounce_postfix_dsn.eml").auto.kind == "bounce"
