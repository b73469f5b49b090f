"""POST /api/v1/tickets/{ref}/messages with files (base64 in the JSON) and Markdown."""

from __future__ import annotations

import base64

import pytest

from frontline.tickets.models import Attachment, Message
from tests.api.conftest import field_errors


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode()


def test_a_reply_with_files_and_markdown(api, lena, bobs_ticket):
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages", {
        "kind": "reply", "format": "markdown",
        "body": "Hello Bob,\n\n- *first* restart\n- then `clear-cache --all`",
        "attachments": [
            {"filename": "runbook.md", "content_type": "text/markdown",
             "content_base64": encoded("# Schritte\nneu starten — für 4.2\n".encode())},
            {"filename": "trace.txt", "content_base64": encoded(b"at Foo.bar(Foo.java:42)\n")},
        ]})
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert [a["filename"] for a in answer["attachments"]] == ["runbook.md", "trace.txt"]
    assert answer["attachments"][0]["content_type"] == "text/markdown"
    reply = Message.objects.get(pk=answer["id"])
    assert reply.body == "Hello Bob,\n\n- *first* restart\n- then `clear-cache --all`"
    assert "<em>first</em>" in reply.body_html and "<code>clear-cache --all</code>" in \
        reply.body_html


def test_text_is_the_default_and_gets_no_html(api, lena, bobs_ticket):
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages",
                              {"kind": "note", "body": "**not** formatted"})
    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["id"]).body_html is None


def test_content_that_is_not_base64_is_refused_by_position(api, lena, bobs_ticket):
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages", {
        "kind": "note", "body": "two files",
        "attachments": [{"filename": "ok.txt", "content_base64": encoded(b"ok")},
                        {"filename": "bad.txt", "content_base64": "not base64!"}]})
    assert response.status_code == 422
    assert "attachments.1.content_base64" in field_errors(response)
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused_naming_it(api, lena, bobs_ticket, settings):
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.001
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages", {
        "kind": "reply", "body": "dump attached",
        "attachments": [{"filename": "dump.bin", "content_base64": encoded(bytes(1500))}]})
    assert response.status_code == 422
    assert field_errors(response) == {
        "attachments": "dump.bin is larger than 0.001 MB; nothing was sent."}
    assert Message.objects.filter(ticket=bobs_ticket).count() == 1


def test_more_than_ten_files_are_refused(api, lena, bobs_ticket):
    files = [{"filename": f"f{n}.txt", "content_base64": encoded(b"x")} for n in range(11)]
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages",
                              {"kind": "note", "body": "many", "attachments": files})
    assert response.status_code == 422
    assert not Attachment.objects.exists()


def test_an_unknown_format_is_refused(api, lena, bobs_ticket):
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages",
                              {"kind": "note", "body": "x", "format": "html"})
    assert response.status_code == 422
    assert "format" in field_errors(response)
