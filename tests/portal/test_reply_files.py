"""The customer's reply form takes files, within the inbound mail's limits, and shows
every message's links clickable."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontline import workflow
from frontline.tickets import access
from frontline.tickets.models import Message


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def link(ticket) -> str:
    return access.ticket_path(ticket, ticket.requester)


def test_a_reply_with_files_from_the_page(client, bobs_ticket):
    page = client.post(link(bobs_ticket) + "/reply", {
        "body": "Hier die Logdatei und ein Bildschirmfoto.",
        "attachments": [SimpleUploadedFile("server.log", b"ERROR 42\n" * 30, "text/plain"),
                        SimpleUploadedFile("Captura de pantalla año.png", b"\x89PNG\r\n\x1a\n1")],
    })
    assert page.status_code == 302
    message = Message.objects.get(body="Hier die Logdatei und ein Bildschirmfoto.")
    assert sorted(a.filename for a in message.attachments.all()) == [
        "Captura de pantalla año.png", "server.log"]
    shown = client.get(page["Location"]).content.decode()
    assert "server.log" in shown and "Captura de pantalla año.png" in shown


def test_a_file_over_the_limit_sends_nothing_and_keeps_the_text(client, bobs_ticket,
                                                                 settings):
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.001
    before = Message.objects.count()
    page = client.post(link(bobs_ticket) + "/reply", {
        "body": "Le fichier complet est joint.",
        "attachments": [SimpleUploadedFile("complet.zip", b"PK" + b"\0" * 3000)],
    })
    assert page.status_code == 422
    html = page.content.decode()
    assert "complet.zip is larger than 0.001 MB. Nothing was sent" in html
    assert "Le fichier complet est joint." in html
    assert Message.objects.count() == before


def test_too_many_files_are_refused_with_the_reason(client, bobs_ticket):
    files = [SimpleUploadedFile(f"s{n}.txt", b"%d" % n) for n in range(11)]
    page = client.post(link(bobs_ticket) + "/reply", {"body": "Alle Dateien", "attachments": files})
    assert page.status_code == 422
    assert "Send at most 10 files (there were 11)." in page.content.decode()


def test_links_in_our_answers_are_clickable_on_the_page(client, bobs_ticket, lena):
    workflow.add_reply(bobs_ticket, lena, "Die Anleitung: https://docs.example.com/de/cache "
                                          "<b>und</b> support@example.com")
    html = client.get(link(bobs_ticket)).content.decode()
    assert ('<a href="https://docs.example.com/de/cache" target="_blank" '
            'rel="noopener noreferrer nofollow">') in html
    assert 'href="mailto:support@example.com"' in html and "&lt;b&gt;und&lt;/b&gt;" in html


def test_the_limits_hold_with_the_csrf_check_on(bobs_ticket, settings):
    """The limits go in before anything reads the form, the CSRF check included."""
    import re

    from django.test import Client

    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.001
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link(bobs_ticket)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    refused = browser.post(link(bobs_ticket) + "/reply", {
        "csrfmiddlewaretoken": token, "body": "Mit Anhang",
        "attachments": [SimpleUploadedFile("gross.bin", bytes(4000))]})
    assert refused.status_code == 422
    assert "gross.bin is larger than 0.001 MB" in refused.content.decode()
    forged = browser.post(link(bobs_ticket) + "/reply", {"body": "no token"})
    assert forged.status_code == 403
    sent = browser.post(link(bobs_ticket) + "/reply", {
        "csrfmiddlewaretoken": token, "body": "Mit kleinem Anhang",
        "attachments": [SimpleUploadedFile("klein.txt", b"ok")]})
    assert sent.status_code == 302
    assert Message.objects.get(body="Mit kleinem Anhang").attachments.get().filename == \
        "klein.txt"
