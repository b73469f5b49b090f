"""To, Cc and undo send in a real browser (issue 12): the agent adds a Cc, sends, sees
"Sending in Ns — Undo", undoes (the text and the recipients come back, the reply
leaves the timeline), sends again, lets the window pass, and the mail reaches the
SMTP server once, with the Cc she chose."""

from __future__ import annotations

import pytest

from frontline.core.worker import FrontlineWorker
from frontline.mail.models import OutboundMail
from frontline.tickets.models import Message
from tests.e2e.browser import browser_page, requires_chromium


def run_worker() -> None:
    FrontlineWorker(batch=True, schedule=False, interval=0).run()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_send_undo_send_again_and_the_mail_goes_out_once(
        live_server, lena, bobs_ticket, smtputf8_sink, settings):
    from playwright.sync_api import expect

    settings.FRONTLINE_UNDO_SEND_SECONDS = 4
    text = "Hallo Bob,\n\nbitte installieren Sie 4.2.2 und melden Sie sich neu an."
    with browser_page(live_server.url, "lena", f"/t/{bobs_ticket.reference}") as (page, errors):
        expect(page.locator("#composer-to")).to_have_value("bob@standard.example")
        expect(page.locator("#composer-cc")).to_have_value("")
        page.fill("#composer-cc", "Ines Duarte <inês.duarte@standard.example>")
        page.fill("#composer-body", text)
        page.click("#composer button.primary")

        bar = page.locator("#undo-send")
        expect(bar).to_contain_text("Sending in")
        expect(page.locator("#timeline .entry.kind-outbound")).to_have_count(1)
        page.click("#undo-send button.undo")

        expect(page.locator("#composer-body")).to_have_value(text)
        expect(page.locator("#composer-cc")).to_have_value("inês.duarte@standard.example")
        expect(page.locator("#composer .undo-done")).to_contain_text("Reply withdrawn")
        expect(page.locator("#timeline .entry.kind-outbound")).to_have_count(0)
        expect(page.locator("#timeline")).to_contain_text("withdrew a reply")
        expect(page.locator("#timeline")).not_to_contain_text("sent the first response")
        assert not Message.objects.filter(ticket=bobs_ticket, kind="outbound").exists()

        # Send again and let the window pass: the countdown ends by itself.
        page.click("#composer button.primary")
        expect(page.locator("#undo-send")).to_contain_text("Sending in")
        expect(page.locator("#undo-send")).to_contain_text("Sent", timeout=8000)
        expect(page.locator("#undo-send button.undo")).to_have_count(0)
        assert errors == []
    run_worker()
    run_worker()  # a second pass finds nothing left to send
    [delivered] = smtputf8_sink.delivered
    assert delivered.rcpt_tos == ["bob@standard.example", "inês.duarte@standard.example"]
    mails = OutboundMail.objects.filter(ticket=bobs_ticket, automatic=False).order_by("pk")
    assert [m.state for m in mails] == ["withdrawn", "sent"]
