"""The desk's composer (issue 12): drafts kept on the server, files on replies and
notes, the Markdown subset shown formatted, and links clickable in every message."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontline import workflow
from frontline.intake import facts as intake_facts
from frontline.tickets.models import ComposerDraft, Message
from frontline.tickets.services import drafts
from tests.desk.conftest import HTMX


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def composer_text(html: str) -> str:
    return re.search(r'<textarea id="composer-body"[^>]*>(.*?)</textarea>', html, re.S).group(1)


def test_the_composer_saves_a_draft_and_the_page_opens_with_it(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    saved = client.post(f"/t/{bobs_ticket.reference}/draft",
                        {"body": "Hi Bob,\n**first** try <the> cache", "kind": "note"})
    assert saved.status_code == 204
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert composer_text(page) == "Hi Bob,\n**first** try &lt;the&gt; cache"
    assert 'class="composer kind-note"' in page and "Draft restored" in page
    assert 'data-draft-url="/t/' in page and "desk/composer_drafts" in page


def test_a_colleague_does_not_see_my_draft(signed_in, lena, otto, bobs_ticket):
    signed_in(lena).post(f"/t/{bobs_ticket.reference}/draft", {"body": "Lenas Entwurf"})
    page = signed_in(otto).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Lenas Entwurf" not in page and composer_text(page) == ""


def test_a_viewer_cannot_keep_a_draft(signed_in, vera, bobs_ticket):
    response = signed_in(vera).post(f"/t/{bobs_ticket.reference}/draft", {"body": "x"})
    assert response.status_code == 403 and not ComposerDraft.objects.exists()


def test_an_overlong_draft_is_refused_with_a_reason(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/draft",
                                    {"body": "y" * 1_000_001}, **HTMX)
    assert response.status_code == 422
    assert "longer than 1,000,000 characters" in response.content.decode()


def test_sending_from_the_composer_ends_the_draft(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    client.post(f"/t/{bobs_ticket.reference}/draft", {"body": "Please update to 4.2.2"})
    client.post(f"/t/{bobs_ticket.reference}/messages",
                {"kind": "reply", "body": "Please update to 4.2.2"}, **HTMX)
    assert drafts.draft_for(bobs_ticket, lena) is None
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert composer_text(page) == "" and "Draft restored" not in page


def test_a_reply_with_files_and_markdown(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages", {
        "kind": "reply",
        "body": "Bonjour,\n\n1. **Arrêtez** le service\n2. voir https://docs.example.fr/fr/cache",
        "attachments": [SimpleUploadedFile("procédure.pdf", b"%PDF-1.4 fake", "application/pdf"),
                        SimpleUploadedFile("cache.sh", b"#!/bin/sh\nrm -rf cache\n")],
    }, **HTMX)
    assert response.status_code == 200
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    assert reply.body.startswith("Bonjour,\n\n1. **Arrêtez**")
    assert "<ol>" in reply.body_html and "<strong>Arrêtez</strong>" in reply.body_html
    assert sorted(a.filename for a in reply.attachments.all()) == ["cache.sh", "procédure.pdf"]
    html = response.content.decode()
    assert '<div class="body formatted"><p>Bonjour,</p>' in html
    assert "procédure.pdf" in html and "dangerous type" in html  # a shell script


def test_an_oversized_file_comes_back_with_the_text(signed_in, lena, bobs_ticket, settings):
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.001
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages", {
        "kind": "note", "body": "Heap dump for L2",
        "attachments": [SimpleUploadedFile("heap.hprof", b"\0" * 2000)],
    }, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "heap.hprof is larger than 0.001 MB; nothing was sent." in html
    assert composer_text(html) == "Heap dump for L2"
    assert "these files were not kept: heap.hprof" in html
    assert not Message.objects.filter(ticket=bobs_ticket, kind="note").exists()


def test_a_held_reply_says_its_files_must_be_chosen_again(signed_in, lena, bobs_ticket):
    intake_facts.set_facts(lena, bobs_ticket, {"version": "4.2.1"})
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages", {
        "kind": "reply", "body": "Which version are you running?",
        "attachments": [SimpleUploadedFile("matrix.xlsx", b"PK\x03\x04")],
    }, **HTMX)
    assert response.status_code == 409
    assert "these files were not kept: matrix.xlsx" in response.content.decode()


def test_links_in_customer_text_are_clickable_and_markup_is_not(signed_in, lena, bob,
                                                                 bobs_ticket):
    workflow.add_customer_message(
        bobs_ticket, bob, 'Screenshot: https://share.example.net/s/Ab3?x=1&y=2 <img src=x '
                          'onerror="alert(1)"> or write ops@initech.example')
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert ('<a href="https://share.example.net/s/Ab3?x=1&amp;y=2" target="_blank" '
            'rel="noopener noreferrer nofollow">') in html
    assert 'href="mailto:ops@initech.example"' in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<img src=x onerror' not in html
