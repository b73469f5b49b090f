"""The composer in a real browser: the agent types formatted text, the draft is kept
on the server, leaving asks first, a reload brings the text back, and the reply goes
out with its file and shows formatted."""

from __future__ import annotations

import pytest

from frontline.tickets.models import ComposerDraft, Message
from tests.e2e.browser import browser_page, requires_chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_a_draft_survives_a_reload_and_goes_out_formatted_with_a_file(
        live_server, lena, bobs_ticket, settings, tmp_path):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    upload = tmp_path / "Fehlerprotokoll März.txt"
    upload.write_text("ERROR 0x80070005 Zugriff verweigert\n" * 20, encoding="utf-8")
    text = "Hallo Bob,\n\n**Bitte** zuerst:\n\n- Cache leeren\n- `app --repair` starten"
    with browser_page(live_server.url, "lena", f"/t/{bobs_ticket.reference}") as (page, errors):
        expect(page.locator("h1")).to_have_text(bobs_ticket.subject)
        page.wait_for_load_state("load")

        body = page.locator("#composer-body")
        body.click()
        body.press_sequentially(text, delay=5)
        expect(page.locator("#composer .draft-state")).to_contain_text("Draft saved")
        assert ComposerDraft.objects.get(user=lena).body == text

        # Leaving with unsent text asks first; accepting leaves, and the page
        # comes back with the text.
        asked: list[str] = []

        def answer(dialog):
            asked.append(dialog.type)
            dialog.accept()

        page.on("dialog", answer)
        # A new navigation, not reload(): a reload may refill the box from the
        # browser's own form memory; this text can only come from the server.
        page.goto(f"{live_server.url}/t/{bobs_ticket.reference}")
        page.wait_for_load_state("load")
        assert asked == ["beforeunload"]
        expect(page.locator("#composer-body")).to_have_value(text)
        expect(page.locator("#composer .draft-state")).to_contain_text("Draft restored")

        page.set_input_files("#composer input[name=attachments]", str(upload))
        page.click("#composer button.primary")
        reply = page.locator("#timeline .entry.kind-outbound")
        expect(reply.locator(".body.formatted strong")).to_have_text("Bitte")
        expect(reply.locator(".body.formatted code")).to_have_text("app --repair")
        expect(reply.locator(".files")).to_contain_text("Fehlerprotokoll März.txt")
        expect(page.locator("#composer-body")).to_have_value("")
        # Nothing unsent: leaving asks nothing now.
        page.goto(f"{live_server.url}/")
        assert asked == ["beforeunload"]
        assert errors == []
    assert not ComposerDraft.objects.exists()
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    assert reply.body == text and "<strong>Bitte</strong>" in reply.body_html
    assert [a.filename for a in reply.attachments.all()] == ["Fehlerprotokoll März.txt"]
