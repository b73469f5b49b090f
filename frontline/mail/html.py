"""Customer HTML: sanitised for display, turned into text, and cut down to the new reply.

Sanitising (nh3, the Rust ammonia library) keeps what mail needs to be readable —
basic formatting, tables (most HTML mail is laid out with them), lists, links —
and drops everything that can run code or escape its box: scripts, styles
blocks, event handlers, forms, iframes, javascript: and vbscript: urls, and
CSS positioning.

Images: only `cid:` sources (inline parts of the same mail, which the desk serves
from our own storage) and small `data:image/png|gif|jpeg|webp` sources are kept.
Remote http(s) images are dropped by default: they are how senders track that a
mail was opened (and leak the agent's IP address). The raw mail is always kept,
so a desk that offers "load remote images" re-sanitises with
`allow_remote_images=True` when an agent asks. SVG data images are refused because
SVG can carry script.

Bounded first (issue 11): building an HTML5 tree is not linear in the input, so every
sanitising starts with frontline.mail.html_bounds.bound_html, which caps depth and size
in one linear pass, and the text comes from a linear pass too when the HTML is deep or
large (frontline.mail.html_tokens.plain_text). Sanitised once, when the mail is read: the
desk shows the stored result (Message.body_html) without cleaning it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import nh3

from frontline.mail.charsets import clean_text
from frontline.mail.html_bounds import BoundedHtml, bound_html
from frontline.mail.html_tokens import plain_text

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite",
    "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "font",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
}

ALLOWED_ATTRIBUTES = {
    "*": {"title", "dir", "lang", "style", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "table": {"border", "cellpadding", "cellspacing", "width", "bgcolor"},
    "td": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "th": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "tr": {"valign", "bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
}

# Colours, fonts and spacing only: no position, display tricks, url() or expressions.
ALLOWED_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-decoration", "text-align", "vertical-align", "white-space", "margin", "margin-left",
    "margin-right", "margin-top", "margin-bottom", "padding", "padding-left", "padding-right",
    "padding-top", "padding-bottom", "border", "border-left", "border-right", "border-top",
    "border-bottom", "border-collapse", "width", "height", "line-height", "list-style-type",
}

CLEAN_CONTENT_TAGS = {"script", "style", "title", "head", "noscript", "template", "xml", "object",
                      "embed", "iframe", "frame", "frameset", "svg", "math", "form", "select",
                      "textarea", "button", "applet"}

_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpe?g|webp);base64,[A-Za-z0-9+/=\s]*$", re.I)


def _attribute_filter(allow_remote_images: bool) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        lowered = value.strip().lower()
        if tag == "img" and attribute == "src":
            if lowered.startswith("cid:"):
                return value
            if lowered.startswith("data:"):
                return value if _DATA_IMAGE.match(value.strip()) else None
            if allow_remote_images and lowered.startswith(("https:", "http:")):
                return value
            return None
        if attribute == "href" and lowered.startswith("data:"):
            return None
        if attribute == "style" and ("url(" in lowered or "expression" in lowered):
            return None
        return value

    return keep


def _cleaner(allow_remote_images: bool) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter(allow_remote_images),
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_CLEANERS: dict[bool, nh3.Cleaner] = {}


def bounded(html: str | BoundedHtml) -> BoundedHtml:
    """`html` bounded in depth and size (frontline.mail.html_bounds), once per mail."""
    return html if isinstance(html, BoundedHtml) else bound_html(clean_text(html))


def sanitise_html(html: str | BoundedHtml, *, allow_remote_images: bool = False) -> str:
    """Customer HTML made safe to show inside the desk, bounded in depth and size first.
    When it had to be simplified, a note at the top says how (the text has it all)."""
    shape = bounded(html)
    if not shape.html.strip():
        return ""
    cleaner = _CLEANERS.get(allow_remote_images)
    if cleaner is None:
        cleaner = _CLEANERS[allow_remote_images] = _cleaner(allow_remote_images)
    safe = clean_text(cleaner.clean(shape.html)).strip()
    return simplified_note(shape) + safe if shape.simplified else safe


def simplified_note(shape: BoundedHtml) -> str:
    """The line that tops a simplified formatted version. Our own markup, added after
    sanitising: its only variable parts are numbers."""
    return ('<p class="html-simplified"><em>Frontline simplified this formatted version: it '
            f"was {'; '.join(shape.notes)}. The plain text has all of it.</em></p>")


# inscriptis lays out tables and lists well but costs ~50 µs per element; beyond this
# size (huge generated reports, not letters), or when the HTML had to be simplified, the
# linear plain_text keeps ingest fast and keeps every word.
MAX_LAYOUT_HTML = 300_000


def html_to_text(html: str | BoundedHtml) -> str:
    """Readable plain text from HTML (tables and lists laid out), for mail with no text part.
    Linear in the input: deep or large HTML is read as a flat stream of tags, whole."""
    shape = bounded(html)
    if not shape.source.strip():
        return ""
    if shape.simplified or len(shape.html) > MAX_LAYOUT_HTML:
        text = plain_text(shape.source)
    else:
        # Imported here: inscriptis pulls lxml in, which only HTML mail needs.
        from inscriptis import get_text
        from inscriptis.css_profiles import CSS_PROFILES
        from inscriptis.model.config import ParserConfig

        try:
            # The strict profile: the relaxed one indents every <div>, and mail is all divs.
            config = ParserConfig(css=CSS_PROFILES["strict"], display_links=False)
            # The bounded HTML: lxml, under inscriptis, drops what lies deeper than 256.
            text = get_text(shape.html, config)
        except Exception:  # a converter failure must not lose the mail; read it flat instead
            text = plain_text(shape.source)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _squeeze_blank_lines("\n".join(lines)).strip()


def _squeeze_blank_lines(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text)


# Elements that start the quoted history in the HTML of common clients. For
# "cut" markers everything after the element goes too (Outlook puts the quoted
# mail after its header block, not inside it).
_QUOTE_CONTAINERS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]",  # Gmail
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote_container ')]",
    "//blockquote[@type='cite']",  # Apple Mail, Thunderbird
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' moz-cite-prefix ')]",
    "//div[contains(@class, 'yahoo_quoted')]",  # Yahoo
    "//div[contains(@class, 'OutlookMessageHeader')]",
    "//blockquote[contains(@class, 'protonmail_quote')]",
    "//div[contains(@class, 'zmail_extra')]",  # Zoho
)
_CUT_MARKERS = (
    "//div[@id='appendonsend']",  # Outlook (new, web, mobile)
    "//div[@id='divRplyFwdMsg']",
    "//hr[@id='stopSpelling']",  # old Hotmail
    "//div[@id='mail-editor-reference-message-container']",  # Outlook for Mac
)


def reply_html_to_text(html: str | BoundedHtml) -> str | None:
    """The text of an HTML mail with the quoted-history containers of common clients
    removed; None when it has none (the caller reuses the full text then), or when the
    HTML had to be simplified (flattened or cut, its containers can no longer be trusted
    to hold what they held)."""
    shape = bounded(html)
    if shape.simplified:
        return None
    try:
        import lxml.html
        from lxml import etree

        root = lxml.html.document_fromstring(shape.html)
        found = False
        for path in _CUT_MARKERS:
            for element in root.xpath(path):
                found = True
                _remove_with_following(element)
        for path in _QUOTE_CONTAINERS:
            for element in root.xpath(path):
                if element.getparent() is not None:
                    found = True
                    element.drop_tree()
        if not found:
            return None
        stripped = etree.tostring(root, encoding="unicode", method="html")
    except Exception:  # lxml refuses empty or hostile documents
        return None
    return html_to_text(stripped)


def _remove_with_following(element: Any) -> None:
    """Remove an element and everything after it in document order."""
    node = element
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node.tail = None
        node = parent
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def references_cid(html: Iterable[str], content_id: str) -> bool:
    needle = f"cid:{content_id}".lower()
    return any(needle in part.lower() for part in html)
