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
