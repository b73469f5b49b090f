"""Customer HTML bounded in depth and size before the sanitiser builds its tree (issue 11).

The sanitiser (nh3, on html5ever) builds an HTML5 tree, and that is not linear: each start
tag looks down the stack of open elements, and each new block re-opens every formatting
element left open before it. 100,000 nested `<div>`s took 14 s to sanitise; 3,000
`<div><font color=…>x</div>` (110 KB) took 23 s and came out at 130 MB. So every piece of
customer HTML goes through `bound_html` first, one linear pass over its tokens
(frontline.mail.html_tokens) that writes it out again

- well formed: every element it keeps is closed explicitly, innermost first, where the
  sender left it open or closed an outer one (HTML5's implied ends of p, li, dd/dt,
  option, table rows and cells, headings and nested links are followed). Nothing is
  left open for the tree builder to re-open, so its work stays proportional to the input;
- at most MAX_DEPTH elements deep: deeper elements are left out and their text stays
  where it was (a line break where a block was), the text flattened, never dropped;
- at most MAX_HTML_CHARS long: the formatted version stops there.

What the sanitiser removes whole anyway goes here already: comments, scripts, styles and
other raw-text elements, SVG and MathML. What comes out is still customer HTML: it is
safe only after frontline.mail.html.sanitise_html, which always runs this first.

When anything was left out, `notes` say what, for the formatted version and for the
admin's list of problems; the plain text of the mail comes from the whole input
(frontline.mail.html.html_to_text), so nothing the customer wrote is lost.
"""

from __future__ import annotations

import html as html_entities
from dataclasses import dataclass

from frontline.mail.html_tokens import (
    BLOCKS,
    END,
    FOREIGN,
    RAW,
    RAW_TEXT,
    START,
    TEXT,
    Token,
    breaks_out_of_foreign,
    tokens,
)

# Mail written by people and their mail programs nests 10-30 elements deep (tables in
# tables for layout); libxml2 refuses more than 256. Beyond 100 only generators go.
MAX_DEPTH = 100
# A long letter with inline styles is 50-200 KB; beyond this it is a generated report,
# whose text is all in the plain version.
MAX_HTML_CHARS = 500_000

VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame",
                  "hr", "img", "input", "keygen", "link", "meta", "param", "source",
                  "track", "wbr"})
# html, head and body exist once; a second start tag only adds attributes (HTML5 §13.2.6.4.7).
_DOCUMENT = frozenset({"html", "head", "body"})
# Start tags that end an open <p> (HTML5 §13.2.6.4.7, "close a p element").
_CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu",
    "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5",
    "h6", "pre", "listing", "form", "li", "dd", "dt", "table", "hr", "xmp", "plaintext",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Where a search for an element to close stops (HTML5 §13.2.4.2, "has an element in scope").
_SCOPE = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object",
                    "template", "button"})
_TABLE_PARTS = frozenset({"table", "tbody", "thead", "tfoot"})
# A start tag of the key closes an open element of the value, searching down to a stop.
_IMPLIED_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), _SCOPE | {"ul", "ol", "menu"}),
    "dd": (frozenset({"dd", "dt"}), _SCOPE | {"dl"}),
    "dt": (frozenset({"dd", "dt"}), _SCOPE | {"dl"}),
    "tr": (frozenset({"tr"}), _TABLE_PARTS),
    "td": (frozenset({"td", "th"}), _TABLE_PARTS | {"tr"}),
    "th": (frozenset({"td", "th"}), _TABLE_PARTS | {"tr"}),
    "tbody": (frozenset({"tbody", "thead", "tfoot"}), frozenset({"table"})),
    "thead": (frozenset({"tbody", "thead", "tfoot"}), frozenset({"table"})),
    "tfoot": (frozenset({"tbody", "thead", "tfoot"}), frozenset({"table"})),
    "option": (frozenset({"option"}), frozenset({"select", "optgroup"}) | _SCOPE),
    "optgroup": (frozenset({"option", "optgroup"}), frozenset({"select"}) | _SCOPE),
    "a": (frozenset({"a"}), _SCOPE),  # the adoption agency closes an open link first
    "nobr": (frozenset({"nobr"}), _SCOPE),
    "button": (frozenset({"button"}), _SCOPE - {"button"}),
}
_END_STOPS_TABLE = frozenset({"table"})
# Searches down the stack look at this many elements at most, which keeps them constant
# time when hostile input stacks up elements that are never closed.
_SEARCH = 2 * MAX_DEPTH + 10


@dataclass(frozen=True)
class BoundedHtml:
    html: str  # well formed, at most MAX_DEPTH deep and about MAX_HTML_CHARS long; unsafe
    source: str  # the HTML as it came
    flattened: int = 0  # elements left out for depth (their text kept)
    cut: bool = False  # the formatted version stops at MAX_HTML_CHARS

    @property
    def simplified(self) -> bool:
        return bool(self.flattened or self.cut)

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.flattened:
            notes.append(f"nested more than {MAX_DEPTH} levels deep: the deeper levels are "
                         "shown as plain text")
        if self.cut:
            notes.append(f"longer than {MAX_HTML_CHARS:,} characters: the formatted version "
                         "stops there")
        return notes


def bound_html(html: str) -> BoundedHtml:
    """`html` written out well formed, at most MAX_DEPTH deep and MAX_HTML_CHARS long,
    in time linear in its length (and at most the time to read MAX_HTML_CHARS of output)."""
    writer = _Writer()
    for token in tokens(html):
        if not writer.take(token):
            break
    return BoundedHtml(html=writer.finish(), source=html, flattened=writer.flattened,
                       cut=writer.cut)


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.names: list[str] = []  # the open elements, innermost last
        self.written: list[bool] = []  # whether each was written (False: beyond MAX_DEPTH)
        self.open_count: dict[str, int] = {}
        self.depth = 0  # written elements open
        self.foreign = 0  # depth inside SVG/MathML, which is left out
        self.flattened = 0
        self.line_break_due = False  # a left-out block ended: break before more text
        self.cut = False

    def take(self, token: Token) -> bool:
        """Write one token; False once MAX_HTML_CHARS is reached."""
        kind, name = token.kind, token.name
        if self.foreign:
            if kind == START and name in FOREIGN and not token.self_closing:
                self.foreign += 1
            elif kind == END and name in FOREIGN:
                self.foreign -= 1
            if not (kind == START and breaks_out_of_foreign(token)):
                return True
            self.foreign = 0
        if kind == TEXT:
            return self._text(token.text)
        if kind == RAW:
            if name in ("xmp", "plaintext"):  # shown as typed, as a browser shows it
                return self._text(html_entities.escape(token.text, quote=False))
            return True  # scripts, styles, titles, form fields: never shown
        if name in _DOCUMENT or (kind == START and (name in RAW_TEXT or name == "plaintext")):
            return True  # their content came or comes as RAW
        if kind == START:
            return self._start(token)
        return self._end(name)

    def _start(self, token: Token) -> bool:
        name = "img" if token.name == "image" else token.name
        if name in FOREIGN:
            self.foreign = 0 if token.self_closing else 1
            return True
        if name in _CLOSES_P and self.open_count.get("p"):
            self._close_first({"p"}, _SCOPE)
        if name in _HEADINGS and self.names and self.names[-1] in _HEADINGS:
            self._pop_to(len(self.names) - 1)
        implied = _IMPLIED_ENDS.get(name)
        if implied is not None:
            self._close_first(*implied)
        if name in VOID:
            if self.depth >= MAX_DEPTH and self.names and not self.written[-1]:
                self.flattened += 1
                self.line_break_due = self.line_break_due or name in BLOCKS
                return True
            return self._write(_start_tag(name, token.attributes))
        if self.depth >= MAX_DEPTH:
            self._push(name, written=False)
            self.flattened += 1
            self.line_break_due = self.line_break_due or name in BLOCKS
            return True
        if not self._write(_start_tag(name, token.attributes)):
            return False
        self._push(name, written=True)
        return True

    def _end(self, name: str) -> bool:
        if name in FOREIGN:
            return True
        if name == "br":  # HTML5: </br> is a <br>
            return self._start(Token(START, "br"))
        if not self.open_count.get(name):
            return True  # nothing of that name is open: a browser ignores it too
        stops = _END_STOPS_TABLE if name in _TABLE_PARTS or name in ("tr", "td", "th") \
            else _SCOPE
        self._close_first({name}, stops)
        return True

    def _text(self, text: str) -> bool:
        if self.line_break_due and text.strip():
            self.line_break_due = False
            if not self._write("<br>"):
                return False
        return self._write(text if text != "<" else "&lt;")

    def _write(self, piece: str) -> bool:
        room = MAX_HTML_CHARS - self.size
        if len(piece) > room:
            if not piece.startswith("<"):  # text: keep what fits
                self.parts.append(piece[:room])
            self.cut = True
            return False
        self.parts.append(piece)
        self.size += len(piece)
        return True

    def _push(self, name: str, *, written: bool) -> None:
        self.names.append(name)
        self.written.append(written)
        self.open_count[name] = self.open_count.get(name, 0) + 1
        if written:
            self.depth += 1

    def _close_first(self, targets: set[str] | frozenset[str], stops: frozenset[str]) -> None:
        """Close the innermost open element named in `targets` and all inside it, unless
        an element of `stops` (or more than _SEARCH elements) lies in between."""
        if not any(self.open_count.get(target) for target in targets):
            return
        names = self.names
        for index in range(len(names) - 1, max(-1, len(names) - 1 - _SEARCH), -1):
            if names[index] in targets:
                self._pop_to(index)
                return
            if names[index] in stops:
                return

    def _pop_to(self, index: int) -> None:
        """Close the open elements from the innermost down to `index`, writing the end
        tags of those that were written (closing tags do not count against the size)."""
        while len(self.names) > index:
            name = self.names.pop()
            self.open_count[name] -= 1
            if self.written.pop():
                self.parts.append(f"</{name}>")
                self.depth -= 1
            elif name in BLOCKS:
                self.line_break_due = True

    def finish(self) -> str:
        self._pop_to(0)
        return "".join(self.parts)


def _start_tag(name: str, attributes: tuple[tuple[str, str], ...]) -> str:
    if not attributes:
        return f"<{name}>"
    written = "".join(f' {key}="{value.replace(chr(34), "&quot;")}"'
                      for key, value in attributes)
    return f"<{name}{written}>"
