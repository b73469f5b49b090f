"""Customer HTML read as a flat stream of tags and text, in one linear pass.

This is what lets Frontline bound hostile HTML before the sanitiser's tree builder sees it
(frontline.mail.html_bounds) and turn any HTML into text without building a tree
(`plain_text`). Building an HTML5 tree is not linear: every start tag checks the stack of
open elements and re-opens the formatting elements left open (HTML5 §13.2.4.3,
"reconstruct the active formatting elements"), so 100,000 nested `<div>`s or a few
thousand unclosed `<font>`s cost seconds and can multiply the output a thousandfold.

Tags are recognised exactly as the HTML5 tokenizer does (§13.2.5: attribute values are
quoted only right after `=`; an unclosed quote or tag runs to the end of the input), so a
tag here is a tag there. Every pattern is possessive and each character is read a bounded
number of times: no input makes this pass slower than linear. Comments, doctypes and
processing instructions carry nothing we show and are skipped. The content of elements
whose text is never shown (script, style, title, textarea, ...) comes as one RAW token,
never as tags, which is also how the HTML5 tokenizer reads it.
"""

from __future__ import annotations

import html as html_entities
import re
from collections.abc import Iterator
from typing import NamedTuple

TEXT, START, END, RAW = "text", "start", "end", "raw"

# HTML5 §13.2.5.8-§13.2.5.40 (tag name, attribute name, before/after attribute value),
# written with possessive quantifiers: a tag either ends at its `>` or the match fails,
# which happens only when the input ends inside the tag.
_TAG = re.compile(r"""
    <(/?)([A-Za-z][^\t\n\f\r />]*+)
    ((?:
        [\t\n\f\r /]++
      | [^\t\n\f\r />][^\t\n\f\r />=]*+
        (?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|(?!["'>])[^\t\n\f\r >]++|(?=>))
          |(?![\t\n\f\r ]*+=))
    )*+)
    >""", re.X)
_ATTRIBUTE = re.compile(r"""
    ([^\t\n\f\r />][^\t\n\f\r />=]*+)
    (?:[\t\n\f\r ]*+=[\t\n\f\r ]*+("[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?""", re.X)
_TAG_START = re.compile(r"</?[A-Za-z]")
_COMMENT_END = re.compile(r"--!?>")
_PLAIN_NAME = re.compile(r"[a-z][a-z0-9-]*+\Z")
_KNOWN_NAMES: set[str] = set()  # tag names already checked against _PLAIN_NAME
_PLAIN_ATTRIBUTE = re.compile(r"[a-z_:][-a-z0-9_:.]*+\Z")

# Elements whose content the HTML5 tokenizer reads as text up to their own end tag
# (§13.2.5.2-§13.2.5.7; noscript because the sanitiser parses with scripting on).
RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript",
                      "title", "textarea"})
_RAW_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.I) for name in RAW_TEXT}


class Token(NamedTuple):  # a NamedTuple: a mail can hold a million of them
    kind: str  # TEXT, START, END or RAW
    name: str = ""  # lower-case tag name (START, END, RAW: the element)
    text: str = ""  # TEXT: the source text; RAW: the element's content
    attributes: tuple[tuple[str, str], ...] = ()  # START: (name, value as written), first wins
    self_closing: bool = False


def tokens(html: str) -> Iterator[Token]:
    """The tags and text of `html` in order. Text is as written (character references
    undecoded); a `<` that starts no tag is text. Tags with names no element has
    (`<a"b>`) come as nothing, their content stays."""
    position, end = 0, len(html)
    while position < end:
        opening = html.find("<", position)
        if opening < 0:
            yield Token(TEXT, "", html[position:])
            return
        if opening > position:
            yield Token(TEXT, "", html[position:opening])
        tag = _TAG.match(html, opening)
        if tag is not None:
            position = tag.end()
            name = tag.group(2).lower()
            if name not in _KNOWN_NAMES:
                if _PLAIN_NAME.match(name) is None:
                    continue
                if len(_KNOWN_NAMES) < 1000:
                    _KNOWN_NAMES.add(name)
            if tag.group(1):
                yield Token(END, name)
                continue
            attributes = tag.group(3)
            yield Token(START, name, "", _attributes(attributes) if attributes else (),
                        attributes.endswith("/"))
            if name in RAW_TEXT:
                closing = _RAW_END[name].search(html, position)
                stop = closing.start() if closing else end
                yield Token(RAW, name, text=html[position:stop])
                position = stop
            elif name == "plaintext":  # §13.2.5.8: the rest of the input is text
                yield Token(RAW, name, text=html[position:])
                return
            continue
        if _TAG_START.match(html, opening):
            return  # the input ends inside a tag (§13.2.5: "eof-in-tag"): nothing more
        following = html[opening + 1:opening + 2]
        if html.startswith("<!--", opening):
            if html.startswith(">", opening + 4):
                position = opening + 5
            elif html.startswith("->", opening + 4):
                position = opening + 6
            else:
                closing = _COMMENT_END.search(html, opening + 4)
                if closing is None:
                    return  # a comment to the end of the input
                position = closing.end()
        elif following in ("!", "?", "/"):
            if html.startswith("</>", opening):
                position = opening + 3
                continue
            closing_at = html.find(">", opening + 2)
            if closing_at < 0:
                return  # a bogus comment to the end of the input
            position = closing_at + 1
        else:
            yield Token(TEXT, text="<")
            position = opening + 1


def _attributes(source: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for attribute in _ATTRIBUTE.finditer(source):
        name = attribute.group(1).lower()
        if name in found or _PLAIN_ATTRIBUTE.match(name) is None:
            continue  # HTML5 keeps the first of a name; odd names no sanitiser allows
        value = attribute.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        found[name] = value
    return tuple(found.items())


# Where a browser starts a new line. Cells end with a space so a row reads as a line.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "details", "dialog",
    "dir", "div", "dl", "dd", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr",
    "ul", "br", "listing", "plaintext", "xmp",
})
_CELLS = frozenset({"td", "th"})
# Content nobody sees as text: scripts, styles, form fields.
_UNSEEN_RAW = frozenset({"script", "style", "title", "textarea", "noscript", "iframe",
                         "noembed", "noframes"})

# SVG and MathML: the sanitiser removes them whole, but HTML5 leaves them at the first of
# these start tags (§13.2.6.5, "breaks out of foreign content"), which stays HTML.
FOREIGN = frozenset({"svg", "math"})
_BREAKS_OUT = frozenset({
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
    "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
    "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong",
    "strike", "sub", "sup", "table", "tt", "u", "ul", "var",
})


def breaks_out_of_foreign(token: Token) -> bool:
    """A start tag that ends SVG/MathML content, whatever was open in it."""
    if token.name == "font":
        return any(name in ("color", "face", "size") for name, _ in token.attributes)
    return token.name in _BREAKS_OUT
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def plain_text(html: str) -> str:
    """The readable text of `html`, one pass, no tree: lines where blocks and line breaks
    are, cells of a row on one line, character references decoded. Used where laying out
    the HTML would cost too much (frontline.mail.html.html_to_text)."""
    parts: list[str] = []
    foreign = 0  # depth inside <svg>/<math>
    for token in tokens(html):
        kind = token.kind
        if foreign:
            if kind == START and token.name in FOREIGN and not token.self_closing:
                foreign += 1
            elif kind == END and token.name in FOREIGN:
                foreign -= 1
            if not (kind == START and breaks_out_of_foreign(token)):
                continue
            foreign = 0
        if kind == TEXT:
            parts.append(token.text)
        elif kind == RAW:
            if token.name not in _UNSEEN_RAW:
                parts.append(html_entities.escape(token.text, quote=False))
        elif token.name in FOREIGN:
            if kind == START and not token.self_closing:
                foreign = 1
        elif token.name in BLOCKS:
            parts.append("\n")
        elif token.name in _CELLS and kind == END:
            parts.append(" ")
    text = html_entities.unescape("".join(parts))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
