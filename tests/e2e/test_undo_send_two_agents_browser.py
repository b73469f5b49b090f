"""Undo send with two agents in a real browser (issue 12): Otto's open page shows Lena's
reply, then drops it for the "withdrew a reply" line at its next beat once she undoes
it; Lena's reload brings back the text with the To and Cc she chose; and when her
next reply's window ends, the timeline's "(undo until then)" line turns to "queued"
on both pages without a reload.

Screenshots go to FRONTLINE_SCREENSHOTS, or the test's temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontline.tickets.models import Message
from tests.e2e.browser import chromium, requires_chromium

# A beat every 5 s: what another page shows may take one beat and a little more.
BEAT_WAIT = 12_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_a_withdrawn_reply_leaves_the_colleagues_page_and_comes_back_whole_on_reload(
        live_server, lena, otto, bobs_ticket, settings, tmp_path):
    from playwright.sync_api import expect

    settings.FRONTLINE_UNDO_SEND_SECONDS = 25
    shots = Path(os.environ.get("FRONTLINE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    ticket_url = f"{live_server.url}/t/{bobs_ticket.reference}"
    text = "Bonjour Bob,\n\nla mise à jour 4.2.2 corrige la connexion ; merci de la tester."
    # Leaving with unsent text asks first (composer_drafts.js): the reload says yes.
    with chromium(live_server.url) as session:
        lena_page = session.page("lena", viewport=(1280, 900), label=True, accept_dialogs=True)
        otto_page = session.page("otto", viewport=(1280, 900), label=True, accept_dialogs=True)
        errors = session.errors
        for page in (lena_page, otto_page):
            page.goto(ticket_url)
            page.wait_for_load_state("load")
        ottos_replies = otto_page.locator("#timeline .entry.kind-outbound")
        expect(ottos_replies).to_have_count(0)

        lena_page.fill("#composer-to", "bob@standard.example, Zoë <zoë.it@standard.example>")
        lena_page.fill("#composer-cc", "security@standard.example")
        lena_page.fill("#composer-body", text)
        lena_page.click("#composer button.primary")
        expect(lena_page.locator("#undo-send")).to_contain_text("Sending in")

        # Otto's page picks the reply up at a beat, with its countdown line.
        expect(ottos_replies).to_have_count(1, timeout=BEAT_WAIT)
        expect(ottos_replies).to_contain_text("undo until then")
        expect(otto_page.locator("#timeline")).to_contain_text("sent the first response")

        lena_page.click("#undo-send button.undo")
        expect(lena_page.locator(".undo-done")).to_contain_text("Reply withdrawn")
        # At his next beat the reply (and its first-response line) leave his page,
        # replaced by the withdrawal; no reload.
        expect(ottos_replies).to_have_count(0, timeout=BEAT_WAIT)
        expect(otto_page.locator("#timeline")).to_contain_text(
            "Lena Level-One withdrew a reply to bob@standard.example, "
            "zoë.it@standard.example, cc security@standard.example")
        expect(otto_page.locator("#timeline")).not_to_contain_text("sent the first response")
        otto_page.screenshot(path=str(shots / "undo-seen-by-otto.png"), full_page=True)

        # Lena reloads: the draft brings back the text and where it was going.
        lena_page.reload()
        lena_page.wait_for_load_state("load")
        expect(lena_page.locator("#composer-body")).to_have_value(text)
        expect(lena_page.locator("#composer-to")).to_have_value(
            "bob@standard.example, zoë.it@standard.example")
        expect(lena_page.locator("#composer-cc")).to_have_value("security@standard.example")

        # Sent again with a short window, left to run out.
        settings.FRONTLINE_UNDO_SEND_SECONDS = 12
        lena_page.click("#composer button.primary")
        lenas_line = lena_page.locator("#timeline .entry.kind-outbound .delivery")
        expect(lenas_line).to_contain_text("(undo until then)")
        expect(ottos_replies).to_have_count(1, timeout=BEAT_WAIT)
        ottos_line = ottos_replies.locator(".delivery")
        expect(ottos_line).to_contain_text("(undo until then)")
        expect(lena_page.locator("#undo-send")).to_contain_text("Sent", timeout=16_000)
        # The bar and the line change together on Lena's page...
        expect(lenas_line).to_have_text(
            "Mail to bob@standard.example, zoë.it@standard.example, "
            "cc security@standard.example queued", timeout=1_000)
        # ...and Otto's line ran out on its own count.
        expect(ottos_line).to_contain_text("queued", timeout=3_000)
        expect(ottos_line).not_to_contain_text("undo")
        lena_page.screenshot(path=str(shots / "undo-window-over.png"), full_page=True)
        assert errors == []
    assert Message.objects.filter(ticket=bobs_ticket, kind="outbound").count() == 1
