"""The desk shows a message's formatted version as it was stored, sanitised once when the
mail was read (issue 11): a ticket page never runs the sanitiser again."""

from __future__ import annotations

import pytest

from frontline.mail.html_bounds import MAX_DEPTH, MAX_HTML_CHARS
from frontline.mail.stored_html import LEGACY_LIMIT
from frontline.tickets.models import Message
from tests.mail.inbound_mails import compose, deliver
from tests.mail.test_html_bounds import depth

pytestmark = pytest.mark.django_db


def _html_message(html: str, *, subject: str) -> Message:
    inbound = deliver(compose(subject=subject, body="Siehe HTML.", html=html))
    assert inbound.message is not None
    return inbound.message


def _store(message: Message, html: str) -> None:
    """What is in the column, whoever put it there: the page must show exactly this."""
    Message.objects.filter(pk=message.pk).update(body_html=html)


def test_the_ticket_page_shows_the_stored_html_without_cleaning_it_again(signed_in, lena, bob):
    message = _html_message("<p>Druckt <b>nicht</b></p>", subject="Drucker")
    # The sanitiser drops class attributes; seeing one proves the page did not run it.
    _store(message, '<p class="stored-once">Gespeichert, einmal bereinigt</p>')
    client = signed_in(lena)
    page = client.get(f"/t/{message.ticket.reference}").content.decode()
    assert '<p class="stored-once">Gespeichert, einmal bereinigt</p>' in page
    fragment = client.get(f"/t/{message.ticket.reference}/messages/{message.pk}/html")
    assert fragment.content.decode() == '<p class="stored-once">Gespeichert, einmal bereinigt</p>'


def test_a_deep_html_mail_is_stored_bounded_and_shown_with_the_note(signed_in, lena, bob):
    words = "La synchronisation s'arrête au niveau 3000"
    message = _html_message("<div><span>" * 1_500 + words + "</span></div>" * 1_500,
                            subject="Synchronisation")
    message.refresh_from_db()
    assert message.body_html is not None and depth(message.body_html) <= MAX_DEPTH + 1
    assert "La synchronisation s" in message.body_html and "niveau 3000" in message.body_html
    page = signed_in(lena).get(f"/t/{message.ticket.reference}").content.decode()
    assert "Frontline simplified this formatted version" in page
    assert "niveau 3000" in page


def test_an_oversized_row_from_before_the_bounds_is_cleaned_once_on_first_view(
        signed_in, lena, bob):
    message = _html_message("<p>Bericht</p>", subject="Bericht")
    legacy = "".join(f"<p>Zeile {number}: 請求 {number * 7}</p>" for number in range(120_000))
    assert len(legacy) > LEGACY_LIMIT
    _store(message, legacy)
    client = signed_in(lena)
    first = client.get(f"/t/{message.ticket.reference}")
    assert first.status_code == 200
    message.refresh_from_db()
    stored = message.body_html or ""
    assert len(stored) < 2 * MAX_HTML_CHARS and "Zeile 0: 請求 0" in stored
    assert "the formatted version stops there" in stored
    second = client.get(f"/t/{message.ticket.reference}")
    assert second.status_code == 200
    message.refresh_from_db()
    assert message.body_html == stored  # cleaned once; now served as stored
