"""Debian's Chromium, driven by Playwright (no browser download)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts this
# closed network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

requires_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")


def sign_in(page, base_url: str, username: str, password: str, next_path: str = "") -> None:
    """Sign in through the real login form and wait until the page it leads to has
    loaded, so its deferred scripts (desk.js: the keys) have run."""
    page.goto(f"{base_url}/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("load")
