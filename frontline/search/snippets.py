"""Snippets: a short, safe piece of HTML showing where a hit matched.

Built in Python for both engines from the stored text, so the two engines
highlight alike and the only markup that can ever come out is our <mark>:
every character of the text goes through html.escape. (FTS5's snippet() and
PostgreSQL's ts_headline() would splice markers into raw text, which we would
then have to escape around; ts_headline also re-parses the whole document.)
"""

from __future__ import annotations

import html
import re

from frontline.search.query import TOKEN_RE, Highlighter

SNIPPET_LENGTH = 200
# How much text before the first match a snippet shows, for context.
LEAD = 60
_SPACE_RE = re.compile(r"\s+")
# A message can be a megabyte; a match past this point is shown from the start.
SCAN_LIMIT = 100_000


def make_snippet(text: str, highlighter: Highlighter, length: int = SNIPPET_LENGTH) -> str:
    """About `length` characters of `text` around its first match, HTML-escaped,
    with each matched word wrapped in <mark>…</mark>."""
    text = _SPACE_RE.sub(" ", text[:SCAN_LIMIT]).strip()
    first = next((m for m in TOKEN_RE.finditer(text) if highlighter.is_match(m.group())), None)
    start = 0
    if first is not None and first.start() > LEAD:
        start = first.start() - LEAD
        # Start at a word boundary rather than in the middle of a word.
        space = text.find(" ", start)
        if space != -1 and space < first.start():
            start = space + 1
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start + length // 2, end)
        if space != -1:
            end = space
    window = text[start:end]
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = 0
    for match in TOKEN_RE.finditer(window):
        if highlighter.is_match(match.group()):
            parts.append(html.escape(window[cursor:match.start()]))
            parts.append(f"<mark>{html.escape(match.group())}</mark>")
            cursor = match.end()
    parts.append(html.escape(window[cursor:]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
