"""Lena mentions Otto in an internal note in a real browser: "@" and the start of a
name list the staff who may see the ticket, the arrow keys choose, Enter inserts
"@otto ", and the note goes out with Otto told and the mention marked."""

from __future__ import annotations

import pytest

from frontline.notifications.models import Mention, Notification
from tests.e2e.browser import browser_page, requires_chromium
from tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_lena_mentions_otto_with_the_keyboard(live_server, lena, otto, dana, lenas_ticket):
    from playwright.sync_api import expect

    UserFactory(username="oksana", first_name="Oksana", last_name="Petrenko")
    with browser_page(live_server.url, "lena", f"/t/{lenas_ticket.reference}") as (page, errors):
        expect(page.locator("h1")).to_have_text(lenas_ticket.subject)
        page.wait_for_load_state("load")

        page.click("#composer [role=tab][data-kind=note]")
        body = page.locator("#composer-body")
        body.click()
        body.type("Kannst du das prüfen @o")
        options = page.locator("#mention-menu [role=option]")
        expect(options).to_have_count(2)  # oksana and otto; dana may not see it
        expect(options.nth(0)).to_have_attribute("aria-selected", "true")
        expect(body).to_have_attribute("aria-expanded", "true")
        body.press("ArrowDown")
        expect(options.nth(1)).to_have_attribute("aria-selected", "true")
        expect(options.nth(1)).to_contain_text("@otto")
        body.press("Enter")
        expect(page.locator("#mention-menu")).to_have_count(0)
        expect(body).to_have_value("Kannst du das prüfen @otto ")
        body.type("und @dana?")
        # Nobody by that name may see the ticket: no list, the text stays as typed.
        page.wait_for_timeout(400)
        expect(page.locator("#mention-menu")).to_have_count(0)
        body.type(" @ok")
        expect(options).to_have_count(1)
        body.press("Escape")
        expect(page.locator("#mention-menu")).to_have_count(0)
        expect(body).to_be_focused()

        page.click("#composer button.note-btn")
        note = page.locator("#timeline .entry.kind-note").last
        expect(note.locator("mark.mention").first).to_have_text("@otto")
        expect(note.locator("mark.mention.unreachable")).to_have_text("@dana")
        assert errors == []
    assert list(Notification.objects.filter(kind="mention").values_list(
        "user__username", flat=True)) == ["otto"]
    assert Mention.objects.filter(user=dana, notified=False).count() == 1
