"""Two agents on one ticket in a real browser (issue 12): each sees the other
viewing and typing; Otto answers first, so Lena's reply is held and shows his
before she sends hers; Otto's page then shows Lena's without a reload.

Screenshots (1440 and 390 px wide) go to FRONTLINE_SCREENSHOTS, or the test's
temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontline.tickets.models import Message
from tests.e2e.browser import DESKTOP, chromium, requires_chromium

# A beat every 5 s: what another page shows may take one beat and a little more.
BEAT_WAIT = 12_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_otto_answers_first_and_lena_sees_it_before_hers_goes_out(
        live_server, lena, otto, bobs_ticket, tmp_path):
    from playwright.sync_api import expect

    shots = Path(os.environ.get("FRONTLINE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    ticket_url = f"{live_server.url}/t/{bobs_ticket.reference}"
    with chromium(live_server.url) as session:
        lena_page = session.page("lena", viewport=DESKTOP)
        otto_page = session.page("otto", viewport=DESKTOP)
        for page in (lena_page, otto_page):
            page.goto(ticket_url)
            page.wait_for_load_state("load")

        # Each sees the other; Otto starts typing and Lena sees that too.
        expect(lena_page.locator("#presence")).to_contain_text(
            "Otto Level-Two is viewing", timeout=BEAT_WAIT)
        expect(otto_page.locator("#presence")).to_contain_text(
            "Lena Level-One is viewing", timeout=BEAT_WAIT)
        otto_page.click("#composer-body")
        otto_page.keyboard.type("Hi Bob, please clear the token cache and sign in again.")
        expect(lena_page.locator("#presence .typing")).to_contain_text(
            "Otto Level-Two is viewing · typing", timeout=BEAT_WAIT)
        lena_page.screenshot(path=str(shots / "presence-1440.png"), full_page=True)

        # Lena writes hers; her tab stops beating, as a hidden tab does, so that
        # only her Send can learn of Otto's reply.
        lena_page.click("#composer-body")
        lena_page.keyboard.type("Hello Bob, could you send us a screenshot of the error?")
        lena_page.evaluate("Object.defineProperty(document, 'visibilityState', "
                           "{value: 'hidden', configurable: true})")
        otto_page.click("#composer button.primary")
        expect(otto_page.locator("#timeline .entry.kind-outbound")).to_contain_text(
            "please clear the token cache")

        lena_page.click("#composer button.primary")
        warning = lena_page.locator("#composer-newer")
        expect(warning).to_contain_text("Not sent yet. Otto Level-Two replied")
        expect(lena_page.locator("#timeline .entry.kind-outbound")).to_contain_text(
            "please clear the token cache")
        expect(lena_page.locator("#composer-body")).to_have_value(
            "Hello Bob, could you send us a screenshot of the error?")
        assert not Message.objects.filter(ticket=bobs_ticket, author_user=lena).exists()
        lena_page.screenshot(path=str(shots / "held-1440.png"), full_page=True)
        lena_page.set_viewport_size({"width": 390, "height": 844})
        lena_page.locator("#presence").scroll_into_view_if_needed()
        lena_page.screenshot(path=str(shots / "held-390.png"))
        warning.screenshot(path=str(shots / "held-warning-390.png"))
        lena_page.set_viewport_size({"width": 1440, "height": 900})

        # She edits hers after reading his, and sends it.
        lena_page.click("#composer-newer [data-known-edit]")
        expect(warning).to_have_count(0)
        lena_page.keyboard.type(" If that does not help, of course.")
        lena_page.click("#composer button.primary")
        expect(lena_page.locator("#timeline .entry.kind-outbound")).to_have_count(2)
        expect(lena_page.locator("#composer-body")).to_have_value("")

        # Otto's page shows Lena's reply without a reload.
        expect(otto_page.locator("#timeline .entry.kind-outbound")).to_have_count(
            2, timeout=BEAT_WAIT)
        expect(otto_page.locator("#timeline")).to_contain_text(
            "If that does not help, of course.")
        otto_page.screenshot(path=str(shots / "otto-after-1440.png"), full_page=True)
        otto_page.set_viewport_size({"width": 390, "height": 844})
        otto_page.locator("#timeline > li.kind-outbound").last.scroll_into_view_if_needed()
        otto_page.screenshot(path=str(shots / "otto-after-390.png"))
        for page in (lena_page, otto_page):
            assert page.locator("#timeline > li[id]").evaluate_all(
                "entries => entries.length === new Set(entries.map(e => e.id)).size")

        # Lena's tab is visible again; Otto closes his: he is gone at her next beat,
        # not 30 seconds later.
        lena_page.evaluate("delete document.visibilityState")
        expect(lena_page.locator("#presence")).to_contain_text(
            "Otto Level-Two is viewing", timeout=BEAT_WAIT)
        otto_page.close()
        expect(lena_page.locator("#presence")).not_to_contain_text(
            "Otto Level-Two", timeout=BEAT_WAIT)
    replies = list(Message.objects.filter(ticket=bobs_ticket, kind="outbound")
                   .order_by("pk").values_list("author_user__username", "body"))
    assert replies == [
        ("otto", "Hi Bob, please clear the token cache and sign in again."),
        ("lena", "Hello Bob, could you send us a screenshot of the error? "
                 "If that does not help, of course.")]
