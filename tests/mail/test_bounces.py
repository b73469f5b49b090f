"""Bounces: the failed address, the status and the message that bounced."""

from __future__ import annotations


def test_postfix_dsn_names_the_failed_recipient_and_our_message(mail):
    assert mail("bounce_postfix_dsn.eml").to_json_dict()["bounce"] == {
        "original_message_id": "ticket-10427.5.a1b2c3@frontline.example",
        "recipients": ["nobody@standard.example"],
        "status": "5.1.1",
        "permanent": True,
    }


def test_postfix_dsn_keeps_the_servers_words(mail):
    bounce = mail("bounce_postfix_dsn.eml").bounce
    assert bounce is not None and "User unknown" in (bounce.diagnostic or "")


def test_exchange_ndr_reads_the_original_from_the_attached_message(mail):
    assert mail("bounce_exchange_ndr.eml").to_json_dict()["bounce"] == {
        "original_message_id": "ticket-10431.3.ffee@frontline.example",
        "recipients": ["p.brown@globex.example"],
        "status": "5.1.10",
        "permanent": True,
    }


def test_a_delayed_dsn_is_not_permanent(mail):
    parsed = mail("bounce_sendmail_delayed.eml")
    assert parsed.auto.kind == "bounce"
    assert parsed.to_json_dict()["bounce"] == {
        "original_message_id": "ticket-10440.2.0a0b@frontline.example",
        "recipients": ["slow@initech.example"],
        "status": "4.4.7",
        "permanent": False,
    }


def test_qmail_free_text_bounce_is_read(mail):
    parsed = mail("bounce_qmail.eml")
    assert parsed.auto.kind == "bounce"
    assert parsed.to_json_dict()["bounce"] == {
        "original_message_id": "ticket-10455.1.9999@frontline.example",
        "recipients": ["gone@oldhost.example"],
        "status": "5.1.1",
        "permanent": True,
    }


def test_old_exim_free_text_bounce_is_read(mail):
    assert mail("bounce_exim_text.eml").to_json_dict()["bounce"] == {
        "original_message_id": "ticket-10456.2.7777@frontline.example",
        "recipients": ["full@hoster.example"],
        "status": "5.2.2",
        "permanent": True,
    }


def test_a_mail_from_a_person_has_no_bounce(mail):
    assert mail("gmail_reply_en.eml").to_json_dict()["bounce"] is None


def test_an_out_of_office_reply_is_not_a_bounce(mail):
    assert mail("ooo_exchange.eml").bounce is None
