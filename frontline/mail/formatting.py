"""What staff write, formatted; and every message's plain text with its links clickable.

Agents write replies and notes in a Markdown subset (issue 12): **bold**, *italic*,
lists, [links](https://...), `inline code` and fenced code blocks; nothing else
(no headings, tables, images or raw HTML: what a support answer needs, and what
every mail client shows alike). `markdown_html` renders that with markdown-it-py,
whose "zero" preset starts with every rule off, so only the rules named in
MARKDOWN_RULES run, and raw HTML typed is shown as text. The result then passes
through the sanitiser customer HTML passes through (frontline.mail.html.
sanitise_html), so a rule we enable later cannot open a hole either. The message
keeps the Markdown as typed in `Message.body`: it is the mail's text part, which
reads well as it is; `Message.body_html` holds the HTML, the mail's HTML part and
what the desk shows.

`linked_text` is for plain text shown as HTML (a customer's mail, a reply from the
API without formatting): escaped first, every character of it, then http(s) URLs
and email addresses become links that open in a new tab and tell the other site
nothing (rel="noopener noreferrer nofollow"). Rendering-time only; the stored text
is never changed. One linear pass: each pattern is anchored so that a long run of
letters without a link costs one scan, not one per position.

Both live here, beside the sanitiser, because the mail layer is the lowest one the
faces that need them (desk, portal, API) may all import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from frontline.mail.html import sanitise_html
from frontline.mail.html_bounds import MAX_HTML_CHARS

MARKDOWN_RULES = ["emphasis", "list", "link", "autolink", "backticks", "fence", "newline",
                  "escape"]

LINK_REL = "noopener noreferrer nofollow"

# Longer text is sent and shown as plain text (links still clickable). markdown-it is
# near linear, but hostile input ("[[[[...", "**a**a...") costs it about 20 µs a
# character: 50,000 bound a reply's rendering to about a second, and no reply an agent
# formats is that long (a pasted log is; it reads as well as text).
MAX_MARKDOWN_CHARS = 50_000

# An http(s) URL up to whitespace or a character that cannot be in one unescaped;
# an email address starting where no address character precedes it (so a long word
# is tried once, not at each of its letters).
_LINKS = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"'`\x00-\x1f\x7f]+)"
    r"|(?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
    re.IGNORECASE,
)
# Punctuation that ends the sentence rather than the URL.
_TRAILING = ".,;:!?*_~"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    """`url` without the sentence's closing punctuation: "(see https://x.org/a)."
    links https://x.org/a, while https://en.wikipedia.org/wiki/Foo_(bar) keeps its
    own closing parenthesis."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(last) > url.count(_PAIRS[last])):
            url = url[:-1]
        else:
            break
    return url


def _link(href: str, label: str) -> str:
    return (f'<a href="{escape(href)}" target="_blank" rel="{LINK_REL}">'
            f"{escape(label)}</a>")


def link_html(text: str) -> str:
    """`text` escaped, with its http(s) URLs and email addresses as links."""
    parts: list[str] = []
    position = 0
    for match in _LINKS.finditer(text):
        found = match.group(0)
        if match.group("url"):
            found = _trim_url(found)
            if len(found) <= len(match.group(0).split("://", 1)[0]) + 3:
                continue  # "http://" and nothing after it
            href = found
        else:
            href = f"mailto:{found}"
        start = match.start()
        parts.append(escape(text[position:start]))
        parts.append(_link(href, found))
        position = start + len(found)
    parts.append(escape(text[position:]))
    return "".join(parts)


def linked_text(text: str | None) -> SafeString:
    """Plain text ready for HTML: escaped, links clickable (see the module's text)."""
    return mark_safe(link_html(text or ""))  # every piece escaped in link_html


def _mark_bare_links(state: StateCore) -> None:
    """Text outside a link is linkified when rendered: a URL pasted into a reply is
    clickable as the customer's would be, without the linkify-it dependency."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth = max(0, depth - 1)
            elif token.type == "text" and depth == 0:
                token.meta["bare_links"] = True


def _render_text(renderer: Any, tokens: Sequence[Token], index: int, options: Any,
                 env: Any) -> str:
    token = tokens[index]
    if token.meta.get("bare_links"):
        return link_html(token.content)
    return escape(token.content)


def _markdown() -> MarkdownIt:
    # breaks: a single line break stays one, as in the mail the agent thinks they write.
    md = MarkdownIt("zero", {"breaks": True, "html": False}).enable(MARKDOWN_RULES)
    md.core.ruler.push("bare_links", _mark_bare_links)
    md.add_render_rule("text", _render_text)
    return md


_MARKDOWN = _markdown()


def markdown_html(text: str) -> str | None:
    """The agent's Markdown as safe HTML for `Message.body_html`; None when there is
    nothing to show, the text is longer than MAX_MARKDOWN_CHARS, or the HTML would be
    larger than the sanitiser keeps whole (frontline.mail.html_bounds): then the text
    alone is shown and sent, rather than a shortened HTML part beside a complete text
    part."""
    if not (text or "").strip() or len(text) > MAX_MARKDOWN_CHARS:
        return None
    rendered = _MARKDOWN.render(text)
    if len(rendered) > MAX_HTML_CHARS:
        return None
    return sanitise_html(rendered) or None
