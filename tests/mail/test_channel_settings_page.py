"""The desk's mail settings page: admins manage the IMAP mailboxes there."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from frontline.mail import imap
from frontline.mail.models import Mailbox

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_adds_a_mailbox_and_never_sees_its_password_again(ada):
    client = signed_in(ada)
    response = client.post("/settings/mail/mailboxes",
                           {"url": "imaps://help:Pa55word@imap.acme.example/INBOX",
                            "name": "Acme help"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Mailbox &#x27;Acme help&#x27; added" in page
    assert "imaps://help@imap.acme.example:993/INBOX" in page
    assert "Pa55word" not in page
    assert Mailbox.objects.get().url == "imaps://help:Pa55word@imap.acme.example/INBOX"


def test_a_bad_url_is_shown_on_the_form_and_its_password_not_echoed(ada):
    response = signed_in(ada).post("/settings/mail/mailboxes",
                                   {"url": "pop3://help:Pa55word@mail.acme.example",
                                    "name": "Acme"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "A mailbox URL starts with imaps://" in page
    assert 'aria-invalid="true"' in page
    assert "Pa55word" not in page
    assert Mailbox.objects.count() == 0


def test_agents_and_viewers_may_not_see_or_change_mail_settings(lena, vera):
    box = imap.add_mailbox("imaps://u:p@imap.acme.example/INBOX", name="acme")
    for user in (lena, vera):
        client = signed_in(user)
        assert client.get("/settings/mail").status_code == 403
        assert client.post("/settings/mail/mailboxes",
                           {"url": "imaps://u:p@x.example/INBOX"}).status_code == 403
        assert client.post(f"/settings/mail/mailboxes/{box.pk}/remove").status_code == 403
        assert client.post(f"/settings/mail/mailboxes/{box.pk}/poll").status_code == 403
    assert list(Mailbox.objects.values_list("name", flat=True)) == ["acme"]
    assert Client().get("/settings/mail").status_code == 302  # to the sign-in page


def test_remove_and_poll_now(ada):
    box = imap.add_mailbox("imaps://u:p@imap.acme.example/INBOX", name="acme")
    client = signed_in(ada)
    assert client.post(f"/settings/mail/mailboxes/{box.pk}/poll").status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="poll_mailbox_task").count() == 1
    assert client.post(f"/settings/mail/mailboxes/{box.pk}/remove").status_code == 302
    assert Mailbox.objects.count() == 0
    assert client.post(f"/settings/mail/mailboxes/{box.pk}/remove").status_code == 404
    assert client.get(f"/settings/mail/mailboxes/{box.pk}/remove").status_code == 405


def test_skipped_messages_are_listed(ada):
    Mailbox.objects.create(name="acme", url="imaps://u:p@imap.acme.example/INBOX",
                           skipped_uids=[{"uid": 17, "error": "The mail is empty.", "at": ""}])
    page = signed_in(ada).get("/settings/mail").content.decode()
    assert "UID 17 (The mail is empty.)" in page


def test_admins_find_the_page_in_the_navigation(ada, lena):
    assert 'data-admin="mail-settings"' in signed_in(ada).get("/settings/mail").content.decode()
    assert "/settings/mail" not in signed_in(lena).get("/q/mine").content.decode()
