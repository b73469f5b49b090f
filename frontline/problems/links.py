"""Links to developers' trackers: which URLs a problem takes, and what each is.

Any https URL is taken (a self-hosted tracker has any name). Plain http is taken
only for a host that reads as a tracker (GitHub, GitLab, Jira, Atlassian): an
internal Jira often has no certificate, but a random http page is more likely a
mistake than an issue.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from frontline.core.errors import InvalidInput

MAX_LINKS = 20
MAX_URL = 500
_TRACKER_HOST = re.compile(r"(^|[.-])(github|gitlab|jira|atlassian)([.-]|$)", re.IGNORECASE)


def tracker_kind(url: str) -> str:
    """"GitHub", "GitLab", "Jira" or "Tracker", for the label next to a link."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if "github" in host:
        return "GitHub"
    if "gitlab" in host or "/-/issues/" in parts.path:
        return "GitLab"
    if "jira" in host or "atlassian" in host or "/browse/" in parts.path:
        return "Jira"
    return "Tracker"


def clean_links(value: Any, *, field: str = "tracker_links") -> list[str]:
    """The links as a list of URLs (a list, or one per line), duplicates dropped."""
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise InvalidInput("Give the tracker links as a list of URLs.", field=field)
    links: list[str] = []
    for item in items:
        url = str(item or "").strip()
        if not url:
            continue
        if len(url) > MAX_URL or any(ch.isspace() for ch in url):
            raise InvalidInput(f"'{url[:80]}' is not a link (one URL each, at most "
                               f"{MAX_URL} characters).", field=field)
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            raise InvalidInput(f"'{url[:80]}' is not a link.", field=field) from None
        if parts.scheme not in ("http", "https") or not host:
            raise InvalidInput(f"'{url[:80]}' is not an http(s) link to an issue.",
                               field=field)
        if parts.scheme == "http" and not _TRACKER_HOST.search(host):
            raise InvalidInput(f"'{url[:80]}': use https, or a GitHub, GitLab or Jira "
                               "address.", field=field)
        if url not in links:
            links.append(url)
    if len(links) > MAX_LINKS:
        raise InvalidInput(f"At most {MAX_LINKS} tracker links.", field=field)
    return links
