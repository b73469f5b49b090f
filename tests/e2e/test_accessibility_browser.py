"""Issue 12: the desk and the portal for everyone, and on a phone.

Every desk and portal page, in Chromium: axe-core finds no serious or critical
WCAG 2 A/AA violation at desk width (1440 px) nor at phone width (390 px), and at
390 px nothing scrolls sideways; the sidebar folds into a menu button that opens
it by keyboard and says so (aria-expanded).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from frontline.demo.people import DEMO_PASSWORD
from tests.e2e.axe import (
    desk_pages,
    grave_violations,
    load_demo_desk,
    portal_pages,
    request_form_steps,
    sideways_overflow,
)
from tests.e2e.browser import DESKTOP, PHONE, browser_page, requires_chromium, sign_in

# FRONTLINE_SCREENSHOTS=<folder> keeps a screenshot of the first screen of every page,
# to look at the layout by eye (the tests cannot judge it).
SCREENSHOTS = os.environ.get("FRONTLINE_SCREENSHOTS", "")


def keep_screenshot(page, path: str, width: int) -> None:
    if SCREENSHOTS:
        name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")[:60] or "home"
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{width}-{name}.png"))


@pytest.fixture
def demo_desk(db):
    load_demo_desk()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@requires_chromium
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440px", "390px"])
def test_no_serious_or_critical_axe_findings_on_any_desk_or_portal_page(
        live_server, demo_desk, viewport):
    desk, portal = desk_pages(), portal_pages()
    findings: dict[str, list[str]] = {}
    with browser_page(live_server.url, viewport=viewport) as (page, _errors):
        for path in portal:
            page.goto(live_server.url + path)
            keep_screenshot(page, path, viewport[0])
            findings[path] = grave_violations(page)
        for step in request_form_steps(page, live_server.url):
            keep_screenshot(page, step, viewport[0])
            findings[step] = grave_violations(page)
        page.goto(f"{live_server.url}/login")
        findings["/login"] = grave_violations(page)
        sign_in(page, live_server.url, "ada", DEMO_PASSWORD)
        for path in desk:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (path, response)
            keep_screenshot(page, path, viewport[0])
            findings[path] = grave_violations(page)
    failing = {path: lines for path, lines in findings.items() if lines}
    assert failing == {}, "\n".join(
        f"{path}:\n  " + "\n  ".join(lines) for path, lines in failing.items())
    assert len(findings) == len(desk) + len(portal) + 3


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_at_phone_width_no_page_scrolls_sideways(live_server, demo_desk):
    desk, portal = desk_pages(), portal_pages()
    overflow: dict[str, int] = {}
    with browser_page(live_server.url, viewport=PHONE) as (page, _errors):
        for path in portal:
            page.goto(live_server.url + path)
            overflow[path] = sideways_overflow(page)
        for step in request_form_steps(page, live_server.url):
            overflow[step] = sideways_overflow(page)
        sign_in(page, live_server.url, "lena", DEMO_PASSWORD)
        for path in desk:
            page.goto(live_server.url + path)
            overflow[path] = sideways_overflow(page)
    wider = {path: pixels for path, pixels in overflow.items() if pixels}
    assert wider == {}, f"pages wider than the 390 px viewport (extra px): {wider}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_on_a_phone_the_sidebar_is_a_menu_opened_by_keyboard(live_server, demo_desk):
    from playwright.sync_api import expect

    with browser_page(live_server.url, "lena", password=DEMO_PASSWORD,
                      viewport=PHONE) as (page, _errors):
        page.goto(f"{live_server.url}/q/open")
        page.wait_for_load_state("load")
        toggle = page.locator("#nav-toggle")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#nav-queues")).to_be_hidden()
        # The subject of each row shows, even at 390 px.
        expect(page.locator("#queue-list .ticket-row .title").first).to_be_visible()

        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#nav-queues")).to_be_visible()
        expect(page.locator("#nav-queues a").first).to_be_focused()
        keep_screenshot(page, "menu-open", PHONE[0])
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#nav-queues")).to_be_hidden()
        expect(toggle).to_be_focused()

    with browser_page(live_server.url, "lena", password=DEMO_PASSWORD,
                      viewport=DESKTOP) as (page, _errors):
        page.goto(f"{live_server.url}/q/open")
        expect(page.locator("#nav-toggle")).to_be_hidden()
        expect(page.locator("#nav-queues")).to_be_visible()
