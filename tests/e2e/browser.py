"""Debian's Chromium, driven by Playwright (no browser download), and the pages the
browser tests work in: signed in through the real login form, at a desk or phone
width, with the errors the page reports collected for the test to assert on.

    with browser_page(live_server.url, "lena", f"/t/{ticket.reference}") as (page, errors):
        ...
        assert errors == []

    with chromium(live_server.url) as session:     # several pages, one browser
        lena = session.page("lena", viewport=(1280, 900), label=True)
        otto = session.page("otto", viewport=(1280, 900), label=True)
        ...
        assert session.errors == []
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connections

from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts this
# closed network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# The widths the desk is checked at (issue 12): a laptop and a phone.
DESKTOP = (1440, 900)
PHONE = (390, 844)

requires_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")


def sign_in(page: Page, base_url: str, username: str, password: str,
            next_path: str = "") -> None:
    """Sign in through the real login form and wait until the page it leads to has
    loaded, so its deferred scripts (desk.js: the keys) have run."""
    page.goto(f"{base_url}/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("load")


class Chromium:
    """One running browser; its pages report their errors into `errors`."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.errors: list[str] = []

    def page(self, username: str | None = None, next_path: str = "", *,
             password: str = PASSWORD, viewport: tuple[int, int] | None = None,
             console_errors: bool | Callable[[str], bool] = False,
             accept_dialogs: bool = False, label: bool = False,
             javascript: bool = True) -> Page:
        """A page in a context of its own (its own cookies), signed in as `username`
        and left on `next_path` (None: a visitor, not signed in, on a blank page).

        Uncaught script errors are collected always; `console_errors` adds the
        console's errors too (True: all of them; a function: those whose text it
        accepts). `label` prefixes each with the username, for tests with two
        people. `accept_dialogs` says yes to "leave with unsent text?".
        `viewport` is (width, height); None keeps Playwright's 1280 x 720."""
        options: dict[str, Any] = {"java_script_enabled": javascript}
        if viewport is not None:
            options["viewport"] = {"width": viewport[0], "height": viewport[1]}
        page = self.browser.new_context(**options).new_page()
        prefix = f"{username}: " if label else ""
        page.on("pageerror", lambda error: self.errors.append(f"{prefix}{error}"))
        if console_errors:
            wanted = console_errors if callable(console_errors) else (lambda text: True)
            page.on("console", lambda message: self.errors.append(f"{prefix}{message.text}")
                    if message.type == "error" and wanted(message.text) else None)
        if accept_dialogs:
            page.on("dialog", lambda dialog: dialog.accept())
        if username is not None:
            sign_in(page, self.base_url, username, password, next_path)
        return page


@contextmanager
def chromium(base_url: str) -> Iterator[Chromium]:
    """Debian's Chromium for the length of the block, then closed.

    Playwright's sync API runs an event loop in this thread; the ORM calls a test
    makes around it are still plain synchronous calls, so Django's async guard is
    lifted meanwhile. Those calls run in Playwright's greenlet context, where
    Django opens connections of its own: they are closed at the end, or
    PostgreSQL cannot drop the test database at teardown."""
    from playwright.sync_api import sync_playwright

    guard = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=ARGS)
            try:
                yield Chromium(browser, base_url)
            finally:
                browser.close()
                connections.close_all()
    finally:
        if guard is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = guard


@contextmanager
def browser_page(base_url: str, username: str | None = None, next_path: str = "",
                 **options: Any) -> Iterator[tuple[Page, list[str]]]:
    """One page in its own browser (Chromium.page's options) and the errors it
    reports."""
    with chromium(base_url) as session:
        yield session.page(username, next_path, **options), session.errors
