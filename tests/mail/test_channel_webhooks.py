"""Providers post inbound mail to /mail/inbound/<provider>/...: stored only when the
post proves it comes from the provider."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from frontline.mail.models import InboundMail
from frontline.mail.parse import parse_message

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-mailgun-signing-secret"
MAIL = ("From: Alice Premium <alice@premium.example>\r\n"
        "To: support@frontline.localhost\r\n"
        "Subject: Export fails at 2 a.m.\r\n"
        "Message-ID: <export-1@premium.example>\r\n"
        "Date: Tue, 24 Nov 2026 02:05:00 +0000\r\n"
        "\r\n"
        "The nightly export failed again, with a timeout.\r\n")


def mailgun_post(*, key: str = SIGNING_KEY, **extra: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    token = "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(),
                         hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature,
            "recipient": "support@frontline.localhost", "sender": "alice@premium.example",
            "body-mime": MAIL, **extra}


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def test_a_signed_mailgun_post_stores_the_raw_mail(mailgun):
    response = Client().post("/mail/inbound/mailgun/inbound_mime/", mailgun_post())
    assert response.status_code == 200
    [stored] = InboundMail.objects.all()
    assert stored.source == "webhook"
    assert stored.source_detail == "Mailgun webhook"
    assert stored.header_message_id == "export-1@premium.example"
    assert bytes(stored.raw) == MAIL.encode()


def test_a_forged_mailgun_signature_is_refused_and_nothing_is_stored(mailgun):
    response = Client().post("/mail/inbound/mailgun/inbound_mime/",
                             mailgun_post(key="key-of-an-attacker"))
    assert response.status_code == 400
    unsigned = mailgun_post()
    del unsigned["signature"]
    assert Client().post("/mail/inbound/mailgun/inbound_mime/", unsigned).status_code == 400
    assert InboundMail.objects.count() == 0


def test_the_same_post_twice_stores_one_mail(mailgun):
    for _ in range(2):
        assert Client().post("/mail/inbound/mailgun/inbound_mime/",
                             mailgun_post()).status_code == 200
    assert InboundMail.objects.count() == 1


def test_mailgun_without_a_signing_key_is_not_open(settings):
    settings.ANYMAIL = {}
    response = Client().post("/mail/inbound/mailgun/inbound_mime/", mailgun_post())
    assert response.status_code == 404
    assert b"not configured" in response.content
    assert InboundMail.objects.count() == 0


def postmark_payload() -> str:
    return json.dumps({
        "FromFull": {"Email": "alice@premium.example", "Name": "Alice Premium"},
        "ToFull": [{"Email": "support@frontline.localhost", "Name": ""}],
        "Subject": "Export fails at 2 a.m.",
        "MessageID": "22c74902-a0c1-4511-804f2-341342852c90",
        "Date": "Tue, 24 Nov 2026 02:05:00 +0000",
        "Headers": [{"Name": "Message-ID", "Value": "<export-1@premium.example>"}],
        "TextBody": "The nightly export failed again, with a timeout.",
        "RawEmail": MAIL,
    })


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def test_postmark_with_the_right_basic_auth_stores_the_raw_mail(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret"}
    response = Client().post("/mail/inbound/postmark/inbound/", postmark_payload(),
                             content_type="application/json",
                             HTTP_AUTHORIZATION=basic("postmark:s3cret"))
    assert response.status_code == 200
    assert bytes(InboundMail.objects.get().raw) == MAIL.encode()


def test_postmark_with_wrong_or_no_credentials_stores_nothing(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret"}
    wrong = Client().post("/mail/inbound/postmark/inbound/", postmark_payload(),
                          content_type="application/json",
                          HTTP_AUTHORIZATION=basic("postmark:guess"))
    missing = Client().post("/mail/inbound/postmark/inbound/", postmark_payload(),
                            content_type="application/json")
    assert wrong.status_code == 400 and missing.status_code == 400
    assert InboundMail.objects.count() == 0


def test_basic_auth_providers_are_closed_until_a_secret_is_set(settings):
    """Anymail itself would accept an unauthenticated post with a warning; we do not."""
    settings.ANYMAIL = {}
    response = Client().post("/mail/inbound/postmark/inbound/", postmark_payload(),
                             content_type="application/json")
    assert response.status_code == 404
    assert b"FRONTLINE_ANYMAIL_WEBHOOK_SECRET" in response.content
    assert InboundMail.objects.count() == 0


def test_a_provider_mail_without_raw_mime_is_rebuilt_and_stored(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret"}
    payload = json.loads(postmark_payload())
    del payload["RawEmail"]
    response = Client().post("/mail/inbound/postmark/inbound/", json.dumps(payload),
                             content_type="application/json",
                             HTTP_AUTHORIZATION=basic("postmark:s3cret"))
    assert response.status_code == 200
    parsed = parse_message(bytes(InboundMail.objects.get().raw))
    assert parsed.sender is not None and parsed.sender.email == "alice@premium.example"
    assert "nightly export failed" in parsed.text
