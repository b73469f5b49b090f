"""Attachments are stored once, named safely and read back intact."""

from __future__ import annotations

import pytest

from frontline.core.errors import InvalidInput
from frontline.tickets.models import Blob
from frontline.tickets.services import attachments


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_same_file_attached_twice_is_stored_once(bobs_ticket):
    message = bobs_ticket.messages.get()
    first = attachments.attach(message, "screenshot.png", b"\x89PNG fake image")
    second = attachments.attach(message, "copy of screenshot.png", b"\x89PNG fake image")
    assert first.blob_id == second.blob_id
    assert Blob.objects.count() == 1
    assert first.content_type == "image/png"
    assert attachments.read_attachment(second) == b"\x89PNG fake image"


def test_filenames_lose_paths_and_control_characters(bobs_ticket):
    message = bobs_ticket.messages.get()
    attachment = attachments.attach(message, "../../etc/passwd\x00.txt", b"x")
    assert "/" not in attachment.filename and "\x00" not in attachment.filename
    assert attachments.attach(message, "", b"y").filename == "attachment"


def test_oversized_attachment_is_refused(bobs_ticket, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(InvalidInput) as caught:
        attachments.attach(bobs_ticket.messages.get(), "big.bin", b"x" * 11)
    assert caught.value.field == "attachments"
