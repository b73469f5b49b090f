# ruff: noqa: RUF001  (typographic quotes „“ «» are what customers type)
"""The facts a customer's message already gives, each with the words it came from.

    extract(text, products=[ProductNames("Ledger", ["ledger-cloud"], ["5.1", "5.1.2"])],
            choices={"database": ["Oracle", "PostgreSQL"]},
            patterns={"contract": [r"contract\\s*#?(\\d{6})"]},
            keywords={"database": {"Oracle": ["ora", "oracle db"]}}) -> [Found(key, value, quote)]
    check_pattern(pattern) -> str | None   # why a configured pattern is refused
    new_statement(text) -> str   # the customer's new words, without history and signature

Pure Python (no ORM, no I/O), so the mail intake, the request form, the portal
and the API read a message the same way, and hypothesis can throw anything at it.

What is decided here, once:

- Only the new statement counts. Quoted history is found by `frontline.core.quotes`
  (the one place that knows "On ... wrote:", "Am ... schrieb ...:", Outlook header
  blocks, "-----Original Message-----" and "> " lines); signatures by its "-- " and
  "Sent from my iPhone" rules plus a closing phrase ("Best regards", "Mit
  freundlichen Grüßen") and a trailing contact block (phone, address, company).
  A fact in a quoted mail or a signature is someone else's or stale.
- Dropped lines are blanked, not removed, so positions in the working text are
  positions in the customer's text and every quote is their text verbatim.
- At most one `Found` per key (a ticket holds one fact per key). For a key, a
  pattern configured on the question wins, then a keyword configured on it, then
  a choice named in the text, then the built-in rules; when the text names two
  different values for one key by keywords, or two different choices, the key
  stays unanswered (asking is better than guessing).
- Safety on customer text: only the first 20,000 characters are read; built-in
  expressions use bounded repeats without nesting; a configured pattern that does
  not compile or could backtrack catastrophically (`(a+)+`, `(a|aa)+`: see
  check_pattern, which the question editor uses to refuse it) is ignored, never
  raised; what it lets through is read in pieces, within a time budget per
  message (PATTERN_PIECE, PATTERN_BUDGET). Compiled patterns and keyword
  expressions are cached per process.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from frontline.core.quotes import quote_start, strip_signature

# The standard library's regular-expression parser, to see a pattern's shape before
# running it on customer text. Its module is private (re._parser since 3.11): if a
# later Python moves it, configured patterns are refused rather than run unchecked.
try:
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - depends on the Python version
    sre_parse = None

MAX_INPUT = 20_000
MAX_QUOTE = 200
MAX_VALUE = 2_000
# A pattern configured on a question (frontline.intake.questions refuses longer ones).
MAX_PATTERN = 500

# Keys answered by the built-in rules, in the order results are returned.
BUILT_IN_KEYS: tuple[str, ...] = (
    "product", "version", "os", "database", "browser",
    "error", "steps", "expected", "actual", "impact",
)


@dataclass(frozen=True)
class Found:
    key: str
    value: str
    quote: str  # the exact span of the customer's text the value came from


@dataclass(frozen=True)
class ProductNames:
    name: str
    aliases: Sequence[str] = ()
    versions: Sequence[str] = ()  # known versions, "5.1", "5.1.2"


# -- the new statement ------------------------------------------------------------------

# Closing phrases that end the message whatever follows (the rest is a name block,
# a disclaimer or a legal footer) ...
_STRONG_CLOSING = re.compile(
    r"(?i)^(?:(?:best|kind|warm|warmest|many|with\s+kind|with\s+best)\s+regards|regards|"
    r"kind\s+wishes|best\s+wishes|sincerely|yours\s+(?:sincerely|truly|faithfully)|"
    r"thanks\s+(?:and|&)\s+regards|br|mfg|"
    r"(?:mit\s+)?(?:freundlichen|freundliche|besten|beste|viele|liebe|herzliche|"
    r"schöne|sonnige)\s+grüße|(?:mit\s+)?(?:freundlichen|besten|vielen|lieben|herzlichen)\s+"
    r"grüßen|(?:danke\s+und\s+)?(?:viele\s+)?gr(?:ü|ue)(?:ß|ss)e?(?:\s+aus\s+\S+)?|lg|vg)"
    r"[\s,.!]*(?:\s\S.{0,60})?$"
)
# ... and weak ones that only count when a short name block follows.
_WEAK_CLOSING = re.compile(
    r"(?i)^(?:thanks|thank\s+you|many\s+thanks|thx|cheers|best|danke|vielen\s+dank|"
    r"danke\s+schön|dankeschön|tschüss|ciao)(?:\s+(?:in\s+advance|im\s+voraus))?[\s,.!]*$"
)
_CONTACT_LINE = re.compile(
    r"(?i)(?:^(?:tel|phone|fon|telefon|mobil|mobile|handy|fax|cell|t|m|f|p|e|email|e-mail|"
    r"mail|web|www|w)\s*[.:]|\+?\d[\d ()/.\-]{6,22}\d\s*$|\S@\S+\.\w|https?://|\bwww\.|"
    r"\b(?:gmbh|ag|ltd|limited|inc|llc|kg|plc|corp|s\.a\.|b\.v\.)(?:\W|$)|"
    r"\b\d{4,5}\s+[a-zäöü][\wäöüß-]+$|"
    r"(?:straße|strasse|str\.|weg|platz|allee|gasse|street|road|avenue|lane)\s*\d)"
)
# Outlook's reply header without "To:"/"Subject:" lines (some mobile clients).
_HEADER_FROM = re.compile(r"(?i)^\s*\**(?:from|von)\s*\**\s*:")
_HEADER_SENT = re.compile(r"(?i)^\s*\**(?:sent|gesendet|date|datum)\s*\**\s*:")


def _history_start(lines: list[str]) -> int | None:
    start = quote_start(lines)
    end = start if start is not None else len(lines)
    for index in range(end):
        if _HEADER_FROM.match(lines[index]) and any(
            _HEADER_SENT.match(line) for line in lines[index + 1 : index + 4]
        ):
            return index
    return start


def _signature_start(lines: list[str], keep: list[bool], first: int, end: int) -> int:
    """Index in [first, end) where the signature starts, or `end`."""
    cut = first + len(strip_signature(lines[first:end]))
    for index in range(first, cut):
        if not keep[index]:
            continue
        line = lines[index].strip().strip("*_").strip()
        if not line or len(line) > 80:
            continue
        if _STRONG_CLOSING.match(line):
            return index
        if _WEAK_CLOSING.match(line):
            rest = [lines[i].strip() for i in range(index + 1, cut) if keep[i] and lines[i].strip()]
            if len(rest) <= 6 and all(len(item) <= 80 for item in rest):
                return index
    return _contact_block_start(lines, keep, first, cut)


def _contact_block_start(lines: list[str], keep: list[bool], first: int, end: int) -> int:
    """Start of a trailing name/phone/address block ("Jane Doe / Acme Ltd / +44 ...")."""
    kept = [i for i in range(first, end) if keep[i] and lines[i].strip()]
    if len(kept) < 2:
        return end
    start = len(kept)
    contact = 0
    while start > 0 and len(kept) - start < 8:
        line = lines[kept[start - 1]].strip()
        if len(line) > 80 or (line.endswith(("?", ".")) and not _CONTACT_LINE.search(line)):
            break
        is_contact = bool(_CONTACT_LINE.search(line))
        # A name or role line counts only directly above contact lines.
        if not is_contact and (contact == 0 or len(line.split()) > 5):
            break
        contact += is_contact
        start -= 1
    if contact == 0 or start == 0:
        return end
    return kept[start]


def _kept_lines(lines: list[str]) -> list[bool]:
    keep = [not line.lstrip().startswith(">") for line in lines]
    start = _history_start(lines)
    head_end = start if start is not None else len(lines)
    for index in range(head_end, len(lines)):
        keep[index] = False
    for index in range(_signature_start(lines, keep, 0, head_end), head_end):
        keep[index] = False
    if start is not None:
        # Inline answers: under an attribution, the lines the sender did not quote
        # are their own words ("> Which version?" / "5.1.2").
        following = [line for line in lines[start + 1 : start + 4] if line.strip()]
        if following and following[0].lstrip().startswith(">"):
            tail_end = len(lines)
            nested = quote_start(lines[start + 1 :])
            if nested is not None:
                tail_end = start + 1 + nested
            for index in range(start + 1, tail_end):
                keep[index] = not lines[index].lstrip().startswith(">")
            for index in range(_signature_start(lines, keep, start + 1, tail_end), tail_end):
                keep[index] = False
    return keep


@dataclass(frozen=True)
class _Statement:
    text: str  # the customer's text (first MAX_INPUT characters)
    work: str  # the same length; lines that are not the new statement blanked


def _statement(text: str) -> _Statement:
    text = text[:MAX_INPUT]
    lines = text.split("\n")
    plain = [line.rstrip("\r") for line in lines]
    keep = _kept_lines(plain)
    work = "\n".join(line if kept else " " * len(line)
                     for line, kept in zip(lines, keep, strict=True))
    return _Statement(text, work)


def new_statement(text: str) -> str:
    """What the customer wrote this time: no quoted history, no signature."""
    work = _statement(text).work
    lines = [line.rstrip() for line in work.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- quotes -----------------------------------------------------------------------------

# A line break ends a sentence unless the next line goes on in lower case, as
# hard-wrapped mail and HTML-to-text renderings break sentences mid-way. The dot of
# an abbreviation that comes before a number or name ("Vertrag Nr. HL-204817",
# "contract no. 12", "vgl. Anhang") does not.
_ABBREVIATIONS = ("no", "No", "NO", "nr", "Nr", "NR", "ca", "Ca", "vgl", "Vgl", "bzw", "ggf",
                  "Ggf", "inkl", "Inkl", "evtl", "Evtl", "z.B", "e.g", "i.e", "approx", "vs",
                  "ver", "Ver", "vers", "Vers")
_TERMINATOR = re.compile("(?:" + "".join(rf"(?<!\b{re.escape(word)})" for word in _ABBREVIATIONS)
                         + r"\.|[!?])(?=\s)|\n(?![a-zäöüß])")


def _quote(statement: _Statement, start: int, end: int) -> str:
    """The sentence or line around text[start:end], at most MAX_QUOTE characters."""
    work, text = statement.work, statement.text
    a = max(0, start - MAX_QUOTE)
    for boundary in _TERMINATOR.finditer(work, a, start):
        a = boundary.end()
    b = min(len(work), end + MAX_QUOTE)
    after = _TERMINATOR.search(work, end, b)
    if after is not None:
        b = after.end() if work[after.start()] != "\n" else after.start()
    if b - a > MAX_QUOTE:
        if end - start >= MAX_QUOTE:
            a, b = start, start + MAX_QUOTE
        else:
            a = max(a, start - (MAX_QUOTE - (end - start)) // 2)
            b = min(b, a + MAX_QUOTE)
    if work[a:b] != text[a:b]:
        # The span crossed a dropped line: keep to the line of the match.
        a = max(a, text.rfind("\n", 0, start) + 1)
        line_end = text.find("\n", start)
        b = min(b, line_end if line_end != -1 else len(text))
    quote = text[a:b].strip()
    return quote or text[start:end].strip() or text[start:end]


def _clean(value: str, limit: int = 300) -> str:
    return " ".join(value.split())[:limit].strip(" ,;:-–\"'“”„«»")


@dataclass(frozen=True)
class _Hit:
    value: str
    start: int
    end: int
    rank: int = 0  # lower is stronger


def _found(key: str, hit: _Hit | None, statement: _Statement) -> Found | None:
    if hit is None or not hit.value:
        return None
    return Found(key, hit.value, _quote(statement, hit.start, hit.end))


def _first(hits: Iterator[_Hit] | list[_Hit]) -> _Hit | None:
    return min(hits, key=lambda hit: (hit.rank, hit.start), default=None)


# Lower-case words one of which every match of a rule contains. A substring test on
# the whole message is far cheaper than a regex scan, and most rules find nothing.
_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {}


def _scan(regex: re.Pattern[str], work: str, lowered: str) -> Iterator[re.Match[str]]:
    needs = _NEEDS.get(regex)
    if needs is not None and not any(word in lowered for word in needs):
        return iter(())
    return regex.finditer(work)


# -- environment: operating system, database, browser --------------------------------

_VERSION_WORD = r"\s?(?:(?i:version|vers\.|ver\.|v)\s?)?"


@dataclass(frozen=True)
class _Kind:
    """One product family the customer may name: how it is written, what we call it."""

    family: str  # canonical name, the value without version ("PostgreSQL")
    group: str  # broader family a choice may name ("Linux" for Ubuntu)
    regex: re.Pattern[str]  # optional group "v": the version as written
    version: Callable[[str], str] = str
    # Lower-case words one of which any mention contains: a substring test on the
    # whole message is far cheaper than a scan, and most messages name few of these.
    triggers: tuple[str, ...] = ()


# Triggers of the families whose lower-case name is not itself one.
_TRIGGERS = {
    "Windows Server": ("windows",), "Windows": ("win",), "macOS": ("mac", "os x", "osx"),
    "RHEL": ("rhel", "red"), "Rocky Linux": ("rocky",), "AlmaLinux": ("alma",),
    "SLES": ("sles", "suse"), "iOS": ("ios", "ipados"), "ChromeOS": ("chrome",),
    "PostgreSQL": ("postgre", "psql", "pgsql"), "SQL Server": ("sql",), "MariaDB": ("maria",),
    "Internet Explorer": ("explorer", "ie"),
}


def _kind(family: str, pattern: str, group: str = "",
          version: Callable[[str], str] = str) -> _Kind:
    return _Kind(family, group or family, re.compile(pattern), version,
                 _TRIGGERS.get(family, (family.lower(),)))


_OS_KINDS = (
    _kind("Windows Server", r"\b(?i:(?:microsoft\s)?windows\s?server)"
          r"(?:\s?(?P<v>20(?:03|08|12|16|19|22|25)(?:\s?R2)?))?\b", group="Windows"),
    _kind("Windows", r"\b(?i:(?:microsoft\s)?(?:windows|win)\s?(?P<v>11|10|8\.1|8|7|xp|vista))\b"
          r"|\bWindows\b(?!\s?(?i:server))", version=str.upper),
    _kind("macOS", r"\b(?i:mac\s?os(?:\s?x)?|os\s?x)\b(?:\s?(?P<v>(?i:sonoma|ventura|monterey|"
          r"big\ssur|catalina|sequoia|tahoe|mojave|high\ssierra)|\d{2}(?:\.\d{1,2}){0,2})\b)?",
          version=str.title),
    _kind("Ubuntu", r"\b(?i:ubuntu)(?:\s?(?i:linux))?(?:\s?(?P<v>\d{2}\.\d{2}(?:\.\d{1,2})?"
          r"(?:\s?LTS)?))?\b", group="Linux"),
    _kind("Debian", r"\b(?i:debian)(?:\s?(?P<v>\d{1,2}(?:\.\d{1,2})?|(?i:bookworm|bullseye|"
          r"buster|trixie)))?\b", group="Linux"),
    _kind("RHEL", r"\b(?i:rhel|red\s?hat(?:\senterprise\slinux)?)(?:\s?(?P<v>\d{1,2}"
          r"(?:\.\d{1,2})?))?\b", group="Linux"),
    _kind("CentOS", r"\b(?i:centos)(?:\s?(?i:stream))?(?:\s?(?P<v>\d{1,2}(?:\.\d{1,4})?))?\b",
          group="Linux"),
    _kind("Rocky Linux", r"\b(?i:rocky\s?linux)(?:\s?(?P<v>\d{1,2}(?:\.\d{1,2})?))?\b",
          group="Linux"),
    _kind("AlmaLinux", r"\b(?i:alma\s?linux)(?:\s?(?P<v>\d{1,2}(?:\.\d{1,2})?))?\b",
          group="Linux"),
    _kind("SLES", r"\b(?i:sles|suse\slinux\senterprise(?:\sserver)?)(?:\s?(?P<v>\d{1,2}"
          r"(?:\s?sp\d)?))?\b", group="Linux", version=str.upper),
    _kind("Fedora", r"\b(?i:fedora)(?:\s?(?P<v>\d{2}))?\b", group="Linux"),
    _kind("Linux", r"\b(?i:linux)\b(?!\s?(?i:server\s)?\d)"),
    _kind("iOS", r"\b(?:iOS|IOS|ios(?=\s?\d)|iPadOS|ipados)"
          r"(?:\s?(?P<v>\d{1,2}(?:\.\d{1,2}){0,2}))?\b"),
    _kind("Android", r"\b(?i:android)(?:\s?(?P<v>\d{1,2}(?:\.\d{1,2})?))?\b"),
    _kind("ChromeOS", r"\b(?i:chrome\s?os)\b"),
)

_DATABASE_KINDS = (
    _kind("PostgreSQL", r"\b(?i:postgres?\s?sql|postgres|psql|pgsql)(?:" + _VERSION_WORD
          + r"(?P<v>\d{1,2}(?:\.\d{1,2})?))?\b"),
    _kind("Oracle", r"\b(?i:oracle)(?!\s?(?i:linux|cloud|java|jdk|vm|virtualbox))"
          r"(?:\s?(?i:database|db))?(?:" + _VERSION_WORD
          + r"(?P<v>\d{1,2}(?:\.\d{1,2}){0,3}(?i:ai|[cgi])?))?\b", version=str.lower),
    _kind("SQL Server", r"\b(?i:(?:microsoft\s)?(?:sql\s?server|ms\s?sql(?:\s?server)?|mssql))"
          r"(?:\s?(?P<v>20(?:05|08|12|14|16|17|19|22|25)(?:\s?R2)?))?\b"),
    _kind("MySQL", r"\b(?i:mysql)(?:" + _VERSION_WORD + r"(?P<v>\d(?:\.\d{1,2}){0,2}))?\b"),
    _kind("MariaDB", r"\b(?i:maria\s?db)(?:" + _VERSION_WORD
          + r"(?P<v>\d{1,2}(?:\.\d{1,2}){0,2}))?\b"),
    _kind("SQLite", r"\b(?i:sqlite\s?3?)\b"),
)

_BROWSER_KINDS = (
    _kind("Chrome", r"\b(?i:(?:google\s)?chrome)(?!\s?(?i:os|book)\b)(?:" + _VERSION_WORD
          + r"(?P<v>\d{2,3}(?:\.\d{1,4}){0,3}))?\b"),
    _kind("Chromium", r"\b(?i:chromium)(?:" + _VERSION_WORD
          + r"(?P<v>\d{2,3}(?:\.\d{1,4}){0,3}))?\b"),
    _kind("Edge", r"(?:\b(?i:microsoft|ms)\s?(?i:edge)|\bEdge(?=\s?(?i:browser|v?\d))|"
          r"\bedge(?=\s(?i:browser)))(?:" + _VERSION_WORD
          + r"(?P<v>\d{2,3}(?:\.\d{1,4}){0,3}))?\b"),
    _kind("Firefox", r"\b(?i:(?:mozilla\s)?firefox(?:\s?esr)?)(?:" + _VERSION_WORD
          + r"(?P<v>\d{2,3}(?:\.\d{1,2}){0,2}))?\b"),
    _kind("Safari", r"\b(?i:safari)(?:" + _VERSION_WORD
          + r"(?P<v>\d{1,2}(?:\.\d{1,2}){0,2}))?\b"),
    _kind("Internet Explorer", r"\b(?i:internet\sexplorer)(?:\s?(?P<v>\d{1,2}))?\b|"
          r"\bIE\s?(?P<v2>\d{1,2})\b"),
    _kind("Opera", r"\bOpera(?:\s?(?P<v>\d{2,3}))?\b"),
)

_ENVIRONMENT = {"os": _OS_KINDS, "database": _DATABASE_KINDS, "browser": _BROWSER_KINDS}


@dataclass(frozen=True)
class _Mention:
    kind: _Kind
    version: str
    start: int
    end: int

    @property
    def value(self) -> str:
        return f"{self.kind.family} {self.version}" if self.version else self.kind.family


def _mentions(work: str, lowered: str, kinds: Sequence[_Kind]) -> list[_Mention]:
    found = []
    for kind in kinds:
        if not any(trigger in lowered for trigger in kind.triggers):
            continue
        for match in kind.regex.finditer(work):
            groups = match.groupdict()
            raw = groups.get("v") or groups.get("v2") or ""
            version = kind.version(" ".join(raw.split())) if raw else ""
            found.append(_Mention(kind, version, match.start(), match.end()))
    found.sort(key=lambda mention: (mention.start, -mention.end))
    # A mention inside a longer one ("Linux" in "Rocky Linux 9") is part of it.
    kept: list[_Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _environment_hit(mentions: list[_Mention]) -> _Hit | None:
    """The first family named, at its most specific ("Windows" then "Windows 11": Windows 11).

    A generic "Linux" gives way to a distribution named anywhere."""
    if not mentions:
        return None
    specific = [mention for mention in mentions if mention.kind.family != "Linux"]
    pool = specific or mentions
    family = pool[0].kind.family
    same = [mention for mention in pool if mention.kind.family == family]
    best = next((mention for mention in same if mention.version), same[0])
    return _Hit(best.value, best.start, best.end)


# -- product and version --------------------------------------------------------------

_NUMBER = r"\d{1,4}(?:\.\d{1,4}){0,3}"
_DOTTED = r"\d{1,4}(?:\.\d{1,4}){1,3}"
_SUFFIX = r"(?:[-\s]?(?i:hotfix|hf|sp|patch|rc|beta)\s?\d{1,3})?"
_END = r"(?![\w]|\.\d)"
_AFTER_NAME = re.compile(
    r"[ \t,:(]{0,3}(?:(?i:in|on|auf|at|is|ist)\s(?i:the\s|der\s)?)?"
    r"(?P<kw>(?i:version|vers\.|ver\.|release|rel\.|v\.?|r))?\s{0,2}"
    rf"(?P<v>{_NUMBER}{_SUFFIX}){_END}"
)
# A version the text names by a keyword ("version 5.1", "v5.1.2"): (rank, pattern).
_VERSION_WORDS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (2, re.compile(rf"(?i)\b(?:version|vers\.|ver\.|release|versionsnummer)\s?"
                   rf"(?:nr\.?\s?|no\.?\s?|number\s)?[:#]?\s?(?P<v>{_NUMBER}{_SUFFIX}){_END}")),
    (2, re.compile(rf"\b[vV](?P<v>{_DOTTED}{_SUFFIX}){_END}")),
)
_NEEDS.update(zip((regex for _, regex in _VERSION_WORDS),
                  (("version", "vers.", "ver.", "release"), ("v",)), strict=True))
# Any other dotted number is a version only by the words around it. Finding the numbers
# first and then looking at the few words before or after each is much faster than
# scanning the message for every cue word.
_DOTTED_NUMBER = re.compile(rf"(?<![\w.])(?P<v>{_DOTTED}{_SUFFIX}){_END}")
_WORDS_BEFORE: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"(?i)\b(?:update[ds]?|upgrade[ds]?|updating|upgrading|aktualisiert|"
                   r"aktualisierung|umstellung|umgestellt|migrated|migration|gewechselt)"
                   r"(?:\s(?:from|von)\s\S{1,20})?\s(?:to|auf|zu|nach|on)\s(?:the\s|die\s)?"
                   r"(?:version\s|release\s|v)?$")),
    (3, re.compile(r"(?i)\b(?:update|upgrade|patch)\s$")),
    (4, re.compile(r"(?i)\b(?:since|seit|after|nach|with|mit|on|auf|running|using|use|nutzen|"
                   r"verwenden|einsetzen)\s(?:the\s|dem\s|der\s)?$")),
)
_WORDS_AFTER = re.compile(r"(?i)[\s-]?(?:update|upgrade|release|patch)\b")
_ANY_DOTTED = re.compile(r"\d\.\d")


def _cued_version(work: str, version: str, start: int, end: int) -> _Hit | None:
    """The dotted number at work[start:end] as a version, if the words around it say so."""
    for rank, before in _WORDS_BEFORE:
        cue = before.search(work, max(0, start - 60), start)
        if cue is not None:
            if _looks_like_date_or_address(version, rank):
                return None
            return _Hit(version, cue.start(), end, rank)
    after = _WORDS_AFTER.match(work, end)
    if after is None or _looks_like_date_or_address(version, 3):
        return None
    return _Hit(version, start, after.end(), 3)


def _looks_like_date_or_address(version: str, rank: int) -> bool:
    parts = version.split(".")
    if len(parts) >= 2 and len(parts[1]) == 2 and parts[1].startswith("0"):
        return True  # "12.03", "01.02.2024": dates, not versions
    if len(parts) == 3 and len(parts[2]) == 4 and parts[2].startswith(("19", "20")):
        return True
    return len(parts) == 4 and rank > 2  # "on 10.0.0.12": an address


@dataclass(frozen=True)
class _ProductMention:
    product: ProductNames
    start: int
    end: int


@lru_cache(maxsize=64)
def _product_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    spelled = sorted({name.strip() for name in names if len(name.strip()) >= 2}, key=len,
                     reverse=True)
    if not spelled:
        return None
    alternatives = []
    for name in spelled:
        words = [re.escape(word) for word in re.split(r"[\s\-_]+", name) if word]
        alternatives.append(r"[\s\-_]{0,2}".join(words))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _spelling(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", name).casefold()


def _product_mentions(work: str, products: Sequence[ProductNames]) -> list[_ProductMention]:
    by_spelling: dict[str, ProductNames] = {}
    names: list[str] = []
    for product in products:
        for name in (product.name, *product.aliases):
            if isinstance(name, str) and _spelling(name) not in by_spelling:
                by_spelling[_spelling(name)] = product
                names.append(name)
    regex = _product_regex(tuple(names))
    if regex is None:
        return []
    return [_ProductMention(by_spelling[_spelling(match.group())], match.start(), match.end())
            for match in regex.finditer(work)
            if _spelling(match.group()) in by_spelling]


def _is_known(version: str, products: Sequence[ProductNames]) -> bool:
    return any(version == known for product in products for known in product.versions)


def _versions(statement: _Statement, products: Sequence[ProductNames],
              mentions: list[_ProductMention],
              environment: list[_Mention]) -> list[tuple[_Hit, ProductNames | None]]:
    work = statement.work
    taken = [(mention.start, mention.end) for mention in environment]

    def belongs_to_environment(start: int, end: int) -> bool:
        # Inside "Oracle 19c", or right after it ("Windows 11 version 23H2").
        return any((s < end and start < e) or (0 <= start - e <= 12 and not work[e:start].strip(
            " \t,:(-").lower().replace("version", "")) for s, e in taken)

    hits: list[tuple[_Hit, ProductNames | None]] = []
    for mention in mentions:
        match = _AFTER_NAME.match(work, mention.end)
        if match is None:
            continue
        version = match.group("v").strip()
        if match.group("kw") or "." in version or _is_known(version, [mention.product]):
            hits.append((_Hit(version, mention.start, match.end(), 0), mention.product))
    lowered = work.lower()
    for rank, regex in _VERSION_WORDS:
        for match in _scan(regex, work, lowered):
            version = " ".join(match.group("v").split())
            start, end = match.span("v")
            if belongs_to_environment(start, end) or _looks_like_date_or_address(version, rank):
                continue
            hits.append((_Hit(version, match.start(), match.end(), rank), None))
    for match in _DOTTED_NUMBER.finditer(work) if _ANY_DOTTED.search(work) else ():
        version = " ".join(match.group("v").split())
        start, end = match.span("v")
        if belongs_to_environment(start, end):
            continue
        hit = _cued_version(work, version, start, end)
        if hit is not None:
            hits.append((hit, None))
    for product in products:
        for known in product.versions:
            if "." not in known or known not in work:
                continue
            pattern = rf"(?<![\w.]){re.escape(known)}{_END}"
            for match in re.finditer(pattern, work):
                if not belongs_to_environment(match.start(), match.end()):
                    hits.append((_Hit(known, match.start(), match.end(), 5), product))
    return hits


def _nearest_product(hit: _Hit, mentions: list[_ProductMention]) -> ProductNames | None:
    before = [m for m in mentions if m.end <= hit.start and hit.start - m.end <= 200]
    if before:
        return before[-1].product
    after = [m for m in mentions if m.start >= hit.end and m.start - hit.end <= 80]
    return after[0].product if after else None


def _product_and_version(statement: _Statement, products: Sequence[ProductNames],
                         environment: list[_Mention]) -> tuple[Found | None, Found | None]:
    mentions = _product_mentions(statement.work, products)
    versions = _versions(statement, products, mentions, environment)
    best = min(versions, key=lambda item: (item[0].rank, item[0].start), default=None)
    version_found = _found("version", best[0], statement) if best else None
    named = {id(m.product): m for m in reversed(mentions)}  # first mention of each
    owner = None
    if best is not None:
        owner = best[1] or _nearest_product(best[0], mentions)
        if owner is None and len(named) == 1:
            owner = mentions[0].product
        if owner is None and len(products) == 1:
            owner = products[0]
    product_found = None
    if len(named) == 1 or (owner is not None and id(owner) in named):
        mention = named[id(owner)] if owner is not None and id(owner) in named else mentions[0]
        product_found = Found("product", mention.product.name,
                              _quote(statement, mention.start, mention.end))
    elif not named and owner is not None and best is not None and best[0].rank <= 4:
        product_found = Found("product", owner.name, version_found.quote if version_found else "")
    return product_found, version_found


# -- error messages and codes ---------------------------------------------------------

_ERROR_LINE = re.compile(
    r"(?im)^[ \t*]{0,4}(?:error(?:\smessage)?|fehler(?:meldung)?|exception|fatal(?:\serror)?|"
    r"failure|critical|meldung|message)\s{0,2}[:：][ \t]*(?P<v>\S[^\n]{0,299})"
)
_EXCEPTION_LINE = re.compile(
    r"(?m)^[ \t]{0,8}(?P<v>(?:[a-z_]\w{0,40}\.){0,8}[A-Z]\w{1,60}(?:Exception|Error)"
    r"(?:[ \t]{0,2}:[^\n]{0,250})?)$|(?P<t>^Exception in thread [^\n]{0,250})"
)
_QUOTED = re.compile(
    r"\"(?P<a>[^\"\n]{6,200})\"|“(?P<b>[^”“\n]{6,200})[”“]|„(?P<c>[^“”\n]{6,200})[“”]|"
    r"«(?P<d>[^»\n]{6,200})»|»(?P<e>[^«\n]{6,200})«"
)
_ERROR_WORDS = re.compile(
    r"(?i)\b(?:errors?|fail\w*|cannot|can't|could\snot|couldn't|unable|invalid|denied|not\sfound|"
    r"exception|time[ds]?\s?out|refused|unexpected|unknown|missing|fehler\w*|fehlgeschlagen|"
    r"ungültig\w*|nicht|kann|konnte|verweigert|abgelehnt|zeitüberschreitung|unerwartet\w*|"
    r"unbekannt\w*|fehlt)\b"
)
_ERROR_CUE = re.compile(
    r"(?i)\b(?:error|message|says?|said|shows?|showed|displays?|pop-?up|dialog|appears?|"
    r"get|got|getting|receive[ds]?|fehler\w*|meldung|zeigt|erscheint|kommt|bekomme|"
    r"erhalte[n]?|steht|hinweis|warnung|warning)\b"
)
# (rank, pattern, how the value is written). Codes a vendor documents, then generic ones.
_ERROR_CODES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\b(?:ORA|PLS|TNS|IMP|EXP|RMAN|SP2|AADSTS)-?\d{4,6}\b"), lambda m: m.group()),
    (re.compile(r"\bSQLSTATE\s?\[?(?P<c>[0-9A-Z]{5})\]?"), lambda m: f"SQLSTATE {m['c']}"),
    (re.compile(r"\b(?i:http)(?:\s?(?i:error|status|code|fehler|statuscode))?[\s:]{0,2}"
                r"(?P<c>[1-5]\d\d)\b"), lambda m: f"HTTP {m['c']}"),
    (re.compile(r"\b(?P<c>[45]\d\d)\s(?i:internal\sserver\serror|not\sfound|bad\srequest|"
                r"forbidden|unauthori[sz]ed|bad\sgateway|service\sunavailable|gateway\s"
                r"time-?out|method\snot\sallowed|conflict|too\smany\srequests)\b"),
     lambda m: f"HTTP {m['c']}"),
    (re.compile(r"\b0x[0-9A-Fa-f]{8}\b"), lambda m: m.group()),
    (re.compile(r"\bERR_[A-Z_]{3,40}\b"), lambda m: m.group()),
    (re.compile(r"\b(?i:error|fehler)[\s-]?(?i:code|nummer|nr\.?|no\.?|number|#)?\s?[:#]?\s?"
                r"(?P<c>[A-Z]{0,4}-?\d{2,6})\b"), lambda m: m["c"]),
    (re.compile(r"\bE\d{3,5}\b"), lambda m: m.group()),
    (re.compile(r"\b(?:[a-z_]\w{0,40}\.){0,8}[A-Z]\w{2,60}Exception\b"), lambda m: m.group()),
)


_NEEDS.update(zip((regex for regex, _ in _ERROR_CODES), (
    ("ora", "pls", "tns", "imp", "exp", "rman", "sp2", "aadsts"), ("sqlstate",), ("http",),
    ("error", "not found", "bad request", "forbidden", "unauthori", "gateway", "unavailable",
     "not allowed", "conflict", "too many"), ("0x",), ("err_",), ("error", "fehler"), ("e",),
    ("exception",)), strict=True))
_NEEDS[_EXCEPTION_LINE] = ("exception", "error")
_NEEDS[_QUOTED] = ('"', "“", "„", "«", "»")


def _error_hit(work: str) -> _Hit | None:
    lowered = work.lower()
    hits: list[_Hit] = []
    for match in _ERROR_LINE.finditer(work):
        hits.append(_Hit(_clean(match["v"]), match.start("v"), match.end(), 0))
    for match in _scan(_EXCEPTION_LINE, work, lowered):
        text = match["v"] or match["t"]
        start = match.start("v") if match["v"] else match.start("t")
        hits.append(_Hit(_clean(text), start, start + len(text), 1))
    for match in _scan(_QUOTED, work, lowered):
        inner = next(group for group in match.groups() if group is not None)
        line_start = work.rfind("\n", 0, match.start()) + 1
        lead = work[max(line_start, match.start() - 80) : match.start()]
        if _ERROR_WORDS.search(inner) or _ERROR_CUE.search(lead):
            hits.append(_Hit(_clean(inner), match.start(), match.end(), 1))
    for rank, (regex, value) in enumerate(_ERROR_CODES, start=2):
        for match in _scan(regex, work, lowered):
            hits.append(_Hit(value(match), match.start(), match.end(), min(rank, 3)))
    return _first([hit for hit in hits if hit.value])


def error_codes(statement: str) -> list[str]:
    """Every error code `statement` names (the same rules as the `error` fact), once
    each, in order: ["ORA-01722", "HTTP 500"]. `statement` is text already reduced
    to the new statement (new_statement). For frontline.insights, whose ticket
    signatures group tickets by the codes they share."""
    work = statement[:MAX_INPUT]
    lowered = work.lower()
    found: dict[str, int] = {}
    for regex, value in _ERROR_CODES:
        for match in _scan(regex, work, lowered):
            code = value(match)
            if code and code not in found:
                found[code] = match.start()
    return sorted(found, key=found.__getitem__)


def names_an_error(statement: str) -> bool:
    """Whether `statement` (a new statement) reports an error the way the `error`
    fact reads one: an error line, an exception, a quoted error message or a code."""
    return _error_hit(statement[:MAX_INPUT]) is not None


# -- steps ---------------------------------------------------------------------------

_STEPS_HEADER = re.compile(
    r"(?i)^[ \t*#]{0,4}(?:steps?(?:\s(?:to\s)?(?:reproduce|repro))?|to\sreproduce|"
    r"how\sto\sreproduce|repro(?:duction)?(?:\ssteps)?|what\si\s(?:did|do)|"
    r"schritte(?:\s(?:zum|zur)\s(?:reproduzieren|nachstellen|reproduktion))?|reproduktion|"
    r"so\s(?:kann\s(?:man\s)?(?:es|das)\s)?(?:reproduzieren|nachstellen)|vorgehen|"
    r"vorgehensweise|ablauf|nachstellen)\s{0,2}[:：]?[ \t]*(?P<rest>[^\n]{0,300})$"
)
_NUMBERED_ITEM = re.compile(
    r"(?i)^[ \t]{0,8}(?:\(?\d{1,2}[.)]|(?:step|schritt)\s\d{1,2}[:.)]?|[a-h]\))"
    r"[ \t]+(?P<v>\S[^\n]{0,300})$"
)
_BULLET_ITEM = re.compile(r"^[ \t]{0,8}[-*•–·][ \t]+(?P<v>\S[^\n]{0,300})$")
_ACTION = re.compile(
    r"(?i)^(?:then\s|and\s|dann\s|danach\s|anschließend\s)?(?:open|click|go|navigate|select|"
    r"choose|enter|type|press|log|sign|start|run|create|add|save|export|import|upload|download|"
    r"close|restart|try|wait|set|change|edit|delete|fill|switch|tap|öffne|öffnen|klicke|klick|"
    r"klicken|gehe|wähle|gib|starte|melde|speichere|lade|schließe|warte|trage|auf)\b"
)
_INLINE_STEPS = re.compile(
    r"(?<![\w.])1[.)]\s+\S[^\n]{1,300}?(?<![\w.])2[.)]\s+\S[^\n]{0,600}"
)


def _lines(work: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for line in work.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _steps_hit(work: str) -> _Hit | None:
    spans = _lines(work)
    index = 0
    hits: list[_Hit] = []
    while index < len(spans):
        start, end = spans[index]
        line = work[start:end].rstrip("\r")
        header = _STEPS_HEADER.match(line)
        run, index_after = _list_run(work, spans, index + 1 if header else index)
        if header and not run:
            # "Steps:" followed by plain lines up to the next blank line.
            body = []
            if header["rest"].strip():
                body.append((start + header.start("rest"), start + header.end("rest")))
            cursor = index + 1
            while cursor < len(spans) and cursor - index <= 10:
                s, e = spans[cursor]
                if not work[s:e].strip():
                    break
                body.append((s, e))
                cursor += 1
            if body:
                hits.append(_steps_value(work, body, 0))
            index = max(cursor, index + 1)
            continue
        if run:
            numbered = all(_NUMBERED_ITEM.match(work[s:e].rstrip("\r")) for s, e in run)
            actions = sum(bool(_ACTION.match(_item_text(work, s, e))
                               or _german_infinitive(_item_text(work, s, e))) for s, e in run)
            if header or numbered or actions * 2 >= len(run):
                hits.append(_steps_value(work, run, 0 if header or numbered else 1))
            index = index_after
            continue
        index += 1
    if not hits:
        inline = _INLINE_STEPS.search(work)
        if inline:
            hits.append(_Hit(_clean(inline.group(), MAX_VALUE), inline.start(), inline.end(), 2))
    return _first(hits)


def _item_text(work: str, start: int, end: int) -> str:
    line = work[start:end].strip()
    match = _NUMBERED_ITEM.match(line) or _BULLET_ITEM.match(line)
    return match["v"] if match else line


def _german_infinitive(item: str) -> bool:
    words = re.findall(r"[A-Za-zÄÖÜäöüß]+", item)
    return 1 < len(words) <= 8 and words[-1].islower() and words[-1].endswith(("en", "ern", "eln"))


def _list_run(work: str, spans: list[tuple[int, int]],
              index: int) -> tuple[list[tuple[int, int]], int]:
    """Consecutive list items from `index` (blank lines between items allowed, as
    HTML-to-text renderings put them); empty unless there are at least two."""
    items: list[tuple[int, int]] = []
    kind = None
    cursor = index
    blanks = 0
    while cursor < len(spans):
        s, e = spans[cursor]
        line = work[s:e].rstrip("\r")
        if not line.strip():
            blanks += 1
            if blanks > 2 or (not items and cursor - index > 1):
                break
            cursor += 1
            continue
        this = "n" if _NUMBERED_ITEM.match(line) else "b" if _BULLET_ITEM.match(line) else None
        if this is None or (kind is not None and this != kind):
            break
        kind = this
        items.append((s, e))
        blanks = 0
        cursor += 1
    if len(items) < 2:
        return [], index + 1
    return items, cursor


def _steps_value(work: str, lines: list[tuple[int, int]], rank: int) -> _Hit:
    value = "\n".join(" ".join(work[s:e].split()) for s, e in lines)[:MAX_VALUE]
    return _Hit(value, lines[0][0] + (len(work[lines[0][0]:lines[0][1]]) -
                                      len(work[lines[0][0]:lines[0][1]].lstrip())),
                lines[-1][1], rank)


# -- expected and actual behaviour ----------------------------------------------------

_CLAUSE = r"(?P<v>[^.!?\n]{3,250}(?:\n(?=[a-zäöüß])[^.!?\n]{1,250}){0,3})"
_EXPECTED = (
    (0, re.compile(r"(?im)^[ \t*]{0,4}(?:expected(?:\s(?:result|behaviou?r|outcome))?|"
                   r"erwartet(?:es|e)?(?:\s(?:ergebnis|verhalten))?|soll(?:-?(?:zustand|verhalten))?"
                   r")\s{0,2}[:=][ \t]*(?P<v>[^\n]{3,250})")),
    (1, re.compile(r"(?i)\b(?:i|we)\s(?:would\s|'d\s|had\s)?(?:have\s)?(?:expect|expected|"
                   r"was\sexpecting|were\sexpecting)\s(?:that\s|it\sto\s|them\sto\s|to\s)?"
                   + _CLAUSE)),
    (1, re.compile(r"(?i)\b(?:ich|wir)\s(?:hätte|hätten|habe|haben|hatte|hatten)?\s?(?:erwarte|"
                   r"erwarten|erwartet|erwartete|erwarteten)(?:\s?,)?\s(?:eigentlich,?\s)?"
                   r"(?:dass\s)?" + _CLAUSE)),
    (1, re.compile(r"(?i)\b(?:erwartet\swird|erwartet\swar|expected\sis|expected\swas)\s?,?\s"
                   r"(?:dass\s|that\s)?" + _CLAUSE)),
)
_SHOULD = re.compile(
    r"(?i)\b(?:should|is\ssupposed\sto|are\ssupposed\sto|was\ssupposed\sto|ought\sto|"
    r"sollte|sollten|soll|müsste|müssten|normally|usually|normalerweise|eigentlich)\b"
    r"(?!\s(?:you|sie|ich|i|we)\b)"
)
_CLAUSE_BREAK = re.compile(
    r"(?i),?\s(?:but|however|yet|aber|jedoch|doch|allerdings)\b|;|,\s(?:instead|stattdessen)\b|"
    r"\s(?:instead|stattdessen)\b"
)
_ACTUAL = (
    (0, re.compile(r"(?im)^[ \t*]{0,4}(?:actual(?:ly)?(?:\s(?:result|behaviou?r|outcome))?|"
                   r"tatsächlich(?:es)?(?:\s(?:ergebnis|verhalten))?|ist(?:-?(?:zustand|verhalten))?"
                   r"|what\shappens|was\spassiert)\s{0,2}[:=][ \t]*(?P<v>[^\n]{3,250})")),
    (1, re.compile(r"(?i)\binstead\sof\s[^,.!?\n]{1,80},\s" + _CLAUSE)),
    (1, re.compile(r"(?i)\b(?:instead|stattdessen|statt\sdessen)\b(?!\sof\b)[,:]?\s" + _CLAUSE)),
    (1, re.compile(r"(?i)\b(?:what\s(?:actually\s)?happens\s(?:is\s)?|was\s(?:stattdessen\s|"
                   r"tatsächlich\s)?passiert\s(?:ist\s)?)[,:]?\s?(?:that\s|dass\s)?" + _CLAUSE)),
)


_NEEDS.update(zip((regex for _, regex in _EXPECTED),
                  (("expected", "erwartet", "soll"), ("expect",), ("erwart",),
                   ("erwartet", "expected")), strict=True))
_NEEDS.update(zip((regex for _, regex in _ACTUAL),
                  (("actual", "tatsächlich", "ist", "what", "was"), ("instead",),
                   ("instead", "stattdessen", "statt dessen"), ("happens", "passiert")),
                  strict=True))
_NEEDS[_SHOULD] = ("should", "suppos", "ought", "soll", "müsst", "normal", "usual", "eigentlich")


def _sentence(work: str, start: int, end: int) -> tuple[int, int]:
    a = max(0, start - 250)
    for boundary in _TERMINATOR.finditer(work, a, start):
        a = boundary.end()
    after = _TERMINATOR.search(work, end, min(len(work), end + 250))
    b = after.start() if after else min(len(work), end + 250)
    return a, b


def _expected_and_actual(work: str) -> tuple[_Hit | None, _Hit | None]:
    expected: list[_Hit] = []
    actual: list[_Hit] = []
    lowered = work.lower()
    for rank, regex in _EXPECTED:
        for match in _scan(regex, work, lowered):
            expected.append(_clause_hit(work, match, rank))
    for rank, regex in _ACTUAL:
        for match in _scan(regex, work, lowered):
            actual.append(_clause_hit(work, match, rank))
    for match in _scan(_SHOULD, work, lowered):
        a, b = _sentence(work, match.start(), match.end())
        if work[b : b + 1] == "?":
            continue  # "Which version should I install?" asks, it does not expect
        split = _CLAUSE_BREAK.search(work, match.end(), b)
        clause_end = split.start() if split else b
        value = _clean(work[a:clause_end])
        if len(value) >= 8:
            expected.append(_Hit(value, a, clause_end, 2))
        if split:
            rest = re.sub(r"(?i)^[,;\s]*(?:but|however|yet|aber|jedoch|doch|allerdings)?\s*"
                          r"(?:instead|stattdessen)?[,\s]*", "", work[split.start() : b])
            if len(rest.strip()) >= 3:
                actual.append(_Hit(_clean(rest), split.start(), b, 2))
    return _first([h for h in expected if h.value]), _first([h for h in actual if h.value])


def _clause_hit(work: str, match: re.Match[str], rank: int) -> _Hit:
    value = match["v"]
    split = _CLAUSE_BREAK.search(value)
    if split and rank > 0 and split.start() >= 3:
        value = value[: split.start()]
    return _Hit(_clean(value), match.start(), match.start("v") + len(value), rank)


# -- impact --------------------------------------------------------------------------

_WHO_EN = (
    r"all\s(?:of\s)?(?:our\s|the\s|my\s|its\s)?(?:\d{1,6}\s)?(?:users|colleagues|employees|staff|"
    r"customers|clients|accounts|agents|locations|sites|branches|offices|tenants|workstations|"
    r"pcs|computers|machines|people|teams|departments)|every\s(?:single\s)?(?:user|one\sof\sus|"
    r"colleague|employee|customer|workstation)|everyone|everybody|"
    r"(?:nobody|no\sone|no-one|none\sof\sus)\s(?:here\s|of\sus\s|in\s\w{1,30}\s)?"
    r"(?:can|could|is\sable|was\sable|is\sabletoo)|the\s(?:whole|entire)\s(?:team|company|"
    r"department|office|firm|organi[sz]ation)|(?:only|just)\s(?:me|for\sme|on\smy\s\w{1,20}|"
    r"(?:one|two|three|a\sfew|some|several|\d{1,4})\s(?:users?|colleagues?|people|machines?|"
    r"pcs?|customers?|accounts?))|(?:\d{1,6}|several|many|multiple|most)\s(?:of\sour\s)?"
    r"(?:users|colleagues|employees|customers|people|machines|workstations|agents)|"
    r"production\s(?:is\s)?down|(?:company|organi[sz]ation)-?wide"
)
_WHO_DE = (
    r"alle[n]?\s(?:unsere[n]?\s)?(?:\d{1,6}\s)?(?:benutzer(?:innen)?|nutzer(?:innen)?|"
    r"anwender(?:innen)?|mitarbeiter(?:innen|n)?|kollegen|kolleginnen|kunden|standorte[n]?|"
    r"filialen|arbeitsplätze[n]?|rechner[n]?|pcs|mandanten|teams|abteilungen)|"
    r"jede[rnm]?\s(?:benutzer|nutzer|mitarbeiter|kollege|anwender)|"
    r"(?:niemand|keiner)\s(?:hier\s|von\suns\s|mehr\s|im\s\w{1,30}\s|in\sder\s\w{1,30}\s)?"
    r"(?:kann|konnte|ist\sin\sder\slage)|(?:kann|konnte|können)\s(?:aktuell\s|derzeit\s|"
    r"gerade\s|momentan\s|hier\s|bei\suns\s)?(?:niemand|keiner)|kein(?:e)?\s(?:benutzer|nutzer|mitarbeiter|anwender)"
    r"\s(?:kann|konnte)|die\sganze\s(?:firma|abteilung)|das\sganze\s(?:team|büro|unternehmen)|"
    r"(?:nur|lediglich)\s(?:ich|mich|bei\smir|mein(?:em)?\s\w{1,20}|ein(?:em|en|e)?\s(?:benutzer|"
    r"nutzer|kollegen?|kollegin|rechner|arbeitsplatz)|einige|wenige)|"
    r"(?:\d{1,6}|mehrere|viele|einige)\s(?:benutzer|nutzer|anwender|mitarbeiter|kollegen|kunden|"
    r"arbeitsplätze)|produktion\s(?:steht|ist\sdown)|firmenweit|unternehmensweit"
)
_WHO = re.compile(rf"(?i)\b(?:{_WHO_EN}|{_WHO_DE})\b")
_GREETING = re.compile(r"(?i)\b(?:hi|hello|hey|dear|thanks|thank\syou|danke|morning|evening)"
                       r"[\s,]{1,3}$")
_DAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|this\smorning|"
    r"last\snight|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|gestern|"
    r"vorgestern|heute(?:\s(?:morgen|früh|vormittag|nacht))?"
)
_MONTHS = (
    r"jan(?:uary|uar)?|feb(?:ruary|ruar)?|mar(?:ch)?|märz|apr(?:il)?|may|mai|june?|juni|"
    r"july?|juli|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|"
    r"dec(?:ember)?|dez(?:ember)?"
)
_WHEN = re.compile(
    r"(?i)\b(?:since|seit|for\sthe\spast|for|ab)\s(?:(?:last|this|past|the\slast|letzte[nmr]?|"
    r"diese[nmr]?|vergangene[nmr]?|dem|der|the)\s)?(?:" + _DAYS + r"|week(?:end)?|month|"
    r"woche(?:nende)?|monat|tagen|wochen|stunden|"
    r"\d{1,2}\.\s?\d{1,2}\.(?:\d{2,4})?|\d{1,2}(?:st|nd|rd|th|\.)?\s(?:of\s)?(?:" + _MONTHS
    + r")|(?:" + _MONTHS + r")\s\d{1,2}(?:st|nd|rd|th)?|\d{1,3}\s(?:days?|hours?|weeks?|"
    r"tage[n]?|stunden|wochen)|(?:\d{1,4}(?:\.\d{1,4}){1,3}\s)?(?:update|upgrade|"
    r"last\supdate|letzten\supdate|migration|umstellung)(?:\s(?:to|auf)\s(?:version\s)?"
    r"\d{1,4}(?:\.\d{1,4}){1,3})?)(?![\w]|\.\d)"
)


def _impact_hit(work: str) -> _Hit | None:
    who = None
    for match in _WHO.finditer(work):
        text = match.group().lower()
        if text.startswith(("everyone", "everybody")) and _GREETING.search(
                work[max(0, match.start() - 20) : match.start()]):
            continue  # "Hi everyone," greets, it does not say who is affected
        who = match
        break
    # The moment nearest to who is affected ("All users ... since Monday").
    moments = [m for m in _WHEN.finditer(work) if _impact_time(m.group())]
    when = min(moments, key=lambda m: abs(m.start() - who.start()) if who else m.start(),
               default=None)
    parts = sorted((m for m in (who, when) if m is not None), key=lambda m: m.start())
    if not parts:
        return None
    first, last = parts[0], parts[-1]
    together = (last.start() - first.end() <= 160
                and "\n\n" not in work[first.end() : last.start()].replace(" ", ""))
    if not together:
        parts = [who or first]
        first = last = parts[0]
    value = ", ".join(_TRAILING_MODAL.sub("", " ".join(part.group().split())) for part in parts)
    return _Hit(value, first.start(), last.end())


# "nobody in accounting can" reads as "nobody in accounting".
_TRAILING_MODAL = re.compile(r"(?i)\s(?:can|could|is\sable|was\sable|kann|konnte|"
                             r"ist\sin\sder\slage)$|^(?:kann|konnte|können)\s(?:\w+\s)?(?="
                             r"(?:niemand|keiner))")


def _impact_time(text: str) -> bool:
    # "for" only with a duration ("for 3 days", "for the past week"), never "for Monday".
    lowered = text.lower()
    return not lowered.startswith("for ") or bool(re.search(r"\d|past|last", lowered))


# -- choices and configured patterns --------------------------------------------------

# Answers that are words of everyday text ("no one can log in" is not "No").
_UNMATCHABLE_CHOICES = frozenset({
    "yes", "no", "ja", "nein", "true", "false", "ok", "other", "others", "andere", "anderes",
    "sonstige", "sonstiges", "unknown", "unbekannt", "none", "keine", "n/a", "all", "alle",
})


# A choice or keyword is named as a whole word or phrase: not inside another word,
# nor joined to one by a dot or hyphen ("ORA-01722", "v5.1").
_WORD_BEFORE = r"(?<!\w)(?<!\w[.\-])"
_WORD_AFTER = r"(?![\w]|[.\-]\w)"


@lru_cache(maxsize=1024)
def _choice_regex(choice: str) -> re.Pattern[str] | None:
    words = [re.escape(word) for word in choice.split()]
    if not words or len(choice.strip()) < 2 or choice.strip().casefold() in _UNMATCHABLE_CHOICES:
        return None
    return re.compile(_WORD_BEFORE + r"\s{1,3}".join(words) + _WORD_AFTER, re.IGNORECASE)


def _choice_hit(work: str, choices: Sequence[str], built_in: Found | None,
                groups: Sequence[str]) -> tuple[_Hit | None, bool]:
    """The one choice the text names, and whether the text was ambiguous."""
    hits: list[tuple[int, int, str]] = []
    for choice in choices:
        if not isinstance(choice, str):
            continue
        regex = _choice_regex(choice)
        if regex is None:
            continue
        hits.extend((m.start(), m.end(), choice) for m in regex.finditer(work))
    # The longest, most specific match wins: "Ledger" inside "Ledger Cloud" does not count.
    hits.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
    outer: list[tuple[int, int, str]] = []
    for hit in hits:
        if any(s <= hit[0] and hit[1] <= e for s, e, _ in outer):
            continue
        outer = [o for o in outer if not (hit[0] <= o[0] and o[1] <= hit[1])] + [hit]
    named = {choice.casefold() for _, _, choice in outer}
    if len(named) > 1:
        return None, True
    if outer:
        start, end, choice = outer[0]
        return _Hit(choice, start, end), False
    if built_in is not None:
        # "Postgres 15" names the choice "PostgreSQL"; "Ubuntu 22.04" the choice "Linux".
        for choice in choices:
            if not isinstance(choice, str) or _choice_regex(choice) is None:
                continue
            folded = choice.casefold()
            regex = _choice_regex(choice)
            if folded in (group.casefold() for group in groups) or (
                    regex is not None and regex.search(built_in.value)):
                return _Hit(choice, -1, -1), False
    return None, False


# What check_pattern says is wrong with a pattern, completing "The pattern '...' ".
_NESTED = ("repeats something that itself varies in length (like (a+)+ or (\\d+\\.)*), "
           "which can take minutes on some texts: give both repeats small bounds, e.g. "
           "\\d{1,4}(?:\\.\\d{1,4}){0,3} instead of \\d+(?:\\.\\d+)*")
_OVERLAPPING = ("repeats alternatives that can match the same text (like (a|ab)+), which can "
                "take minutes on some texts: start each alternative with a different letter")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _distinct_starts(branches: Sequence[Any]) -> bool:
    """Whether each alternative starts with its own letter: then at most one of them
    can go on at any point of the text, and repeating them cannot backtrack."""
    firsts: list[str] = []
    for branch in branches:
        if not branch or str(branch[0][0]) != "LITERAL":
            return False
        firsts.append(chr(branch[0][1]).casefold())
    return len(set(firsts)) == len(firsts)


# A repeat with an upper bound whose whole can match at one place in at most this
# many ways ("(?:\.\d{1,2}){0,2}": 3 counts, 2 lengths each) is cheap, nested or not.
_FEW_WAYS = 1000


def _ways(tree: Any) -> int | None:
    """At most how many ways a part of a pattern can match at one place (capped just
    above _FEW_WAYS); None when it has a repeat without an upper bound."""
    total = 1
    for op, av in tree:
        name = str(op)
        each: int | None = 1
        if name in _REPEATS:
            low, high, sub = av
            inner = None if high is sre_parse.MAXREPEAT else _ways(sub)
            each = None if inner is None else (
                (high - low + 1) * min(inner, _FEW_WAYS + 1) ** min(high, 20))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            each = _ways(av[-1])
        elif name == "BRANCH":
            ways = [_ways(sub) for sub in av[1]]
            each = sum(w for w in ways if w is not None) if None not in ways else None
        elif name in ("ASSERT", "ASSERT_NOT"):
            each = _ways(av[1])
        if each is None:
            return None
        total = min(total * each, _FEW_WAYS + 1)
    return total


def _backtracking_risk(tree: Any, inside_repeat: bool = False) -> str | None:
    """Why the parsed pattern could backtrack catastrophically, or None.

    Exponential backtracking needs a repeat whose item can match the same text in
    more than one way: an item that varies in length inside it ("(a+)+", "(a?a?)+")
    or alternatives that overlap ("(a|aa)+"). A fixed count of a fixed-width item
    ("[A-Z0-9]{5}", as in a licence key "(?:-[A-Z0-9]{5}){4}") is one fixed-width
    item, not a repeat; a small bounded repeat ("(?:\\.\\d{1,2}){0,2}") has few ways
    to match (_FEW_WAYS), so may hold others. Conservative: some safe patterns are
    refused, and the message says how to write them instead."""
    for op, av in tree:
        name = str(op)
        if name in _REPEATS:
            low, high, sub = av
            shortest, longest = sub.getwidth()
            if low == high and shortest == longest:
                found = _backtracking_risk(sub, inside_repeat)
            elif inside_repeat:
                return _NESTED
            elif (ways := _ways([(op, av)])) is not None and ways <= _FEW_WAYS:
                found = None
            else:
                found = _backtracking_risk(sub, high is sre_parse.MAXREPEAT or high > 1)
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            found = _backtracking_risk(av[-1], inside_repeat)
        elif name == "BRANCH":
            if inside_repeat and not _distinct_starts(av[1]):
                return _OVERLAPPING
            found = next((risk for sub in av[1]
                          if (risk := _backtracking_risk(sub, inside_repeat))), None)
        elif name in ("ASSERT", "ASSERT_NOT"):
            found = _backtracking_risk(av[1], inside_repeat)
        elif name == "GROUPREF_EXISTS":
            found = next((risk for sub in av[1:] if sub is not None
                          and (risk := _backtracking_risk(sub, inside_repeat))), None)
        else:
            found = None
        if found:
            return found
    return None


# Polynomial backtracking: repeats in a row that can take the same characters
# ("\s*#?\s*:?\s*" on a long run of spaces) try every way of sharing the run
# between them, n^k ways for k repeats. Three in a row already cost seconds on a
# crafted line of 300 characters (PATTERN_PIECE), so at most two are allowed.
MAX_REPEATS_IN_A_ROW = 2
_IN_A_ROW = ("has {count} repeats in a row that can take the same characters (like "
             "\\s*#?\\s*:?\\s*), which can take minutes on some texts: keep at most two, e.g. "
             "a single space ( ?) or [\\s#:]* for the separators")
# The characters two character sets are compared on: Latin, and a sample of the
# other scripts, digits and spaces that \w, \d and \s also take.
_SAMPLE = ("".join(chr(code) for code in (*range(0x09, 0x0E), *range(0x20, 0x250)))
           + "\u0301\u0391\u03c9\u0416\u0436\u05d0\u0627\u0660\u06f3\u0966\u1680\u2003\u2028"
           + "\u202f\u3000\u4e2d\uff10\uff21\U0001d7ce")
_CATEGORIES: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdecimal(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}


def _takes(item: tuple[Any, Any], char: str) -> bool:
    """Whether one character item of a parsed pattern takes `char` (in any case, as
    configured patterns run); True for anything it does not know."""
    op, av = str(item[0]), item[1]
    spellings = {char, char.lower(), char.upper()}
    if op == "LITERAL":
        return chr(av) in spellings
    if op == "NOT_LITERAL":
        return chr(av) not in spellings
    if op == "RANGE":
        return any(av[0] <= ord(c) <= av[1] for c in spellings if len(c) == 1)
    if op == "CATEGORY":
        test = _CATEGORIES.get(str(av))
        return test(char) if test is not None else True
    if op == "IN":
        negated = bool(av) and str(av[0][0]) == "NEGATE"
        taken = any(_takes(each, char) for each in av[negated:])
        return taken != negated
    return True  # ANY, and what this reader does not know: it may take anything


def _characters(tree: Any) -> frozenset[str]:
    """The sample characters a part of a pattern can take."""
    found: set[str] = set()
    for op, av in tree:
        name = str(op)
        if name == "LITERAL":
            char = chr(av)
            found.update(c for c in (char, char.lower(), char.upper()) if len(c) == 1)
        elif name in ("NOT_LITERAL", "IN", "ANY", "CATEGORY"):
            found.update(c for c in _SAMPLE if _takes((op, av), c))
        elif name in _REPEATS:
            found |= _characters(av[2])
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            found |= _characters(av[-1])
        elif name == "BRANCH":
            for sub in av[1]:
                found |= _characters(sub)
        elif name in ("GROUPREF", "GROUPREF_EXISTS"):
            return frozenset(_SAMPLE)
    return frozenset(found)


# Per character, how many repeats that take it stand in a row at this point of the
# pattern (characters in no such row are left out).
_Runs = dict[str, int]


def _merged(*ways: _Runs) -> _Runs:
    merged: _Runs = {}
    for way in ways:
        for char, count in way.items():
            merged[char] = max(count, merged.get(char, 0))
    return merged


def _runs_after(tree: Any, runs: _Runs, most: list[int]) -> _Runs:
    """The runs after `tree`, given those before it; `most[0]` keeps the longest seen.

    For each character, the repeats that take it count one after another as long as
    nothing between them needs a character they cannot take: an item that takes it
    too may land anywhere in the run, a repeat that may be empty can be skipped, an
    optional part or an alternative counts the way that makes the run longest.
    Nested repeats are _backtracking_risk's: here a repeat is one unit."""
    for op, av in tree:
        name = str(op)
        if name in _REPEATS:
            low, high, sub = av
            shortest, widest = sub.getwidth()
            taken = _characters(sub)
            if low == high and shortest == widest:  # a fixed-width item, required
                runs = {c: n for c, n in runs.items() if c in taken} if shortest else runs
            elif high is sre_parse.MAXREPEAT or high > 1:
                grown = {c: runs.get(c, 0) + 1 for c in taken}
                skipped = {c: n for c, n in runs.items() if c not in taken} if (
                    low == 0 or shortest == 0) else {}
                runs = {**skipped, **grown}
            else:  # optional ("?"): with it or without it
                runs = _merged(runs, _runs_after(sub, runs, most))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            runs = _runs_after(av[-1], runs, most)
        elif name == "BRANCH":
            runs = _merged(*(_runs_after(sub, runs, most) for sub in av[1]))
        elif name == "GROUPREF":  # the text a group took, again: as long as a repeat
            runs = {c: runs.get(c, 0) + 1 for c in _SAMPLE}
        elif name in ("LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY"):
            taken = _characters([(op, av)])
            runs = {c: n for c, n in runs.items() if c in taken}
        most[0] = max(most[0], *runs.values(), 0)
    return runs


def _repeats_in_a_row(tree: Any) -> int:
    most = [0]
    _runs_after(tree, {}, most)
    return most[0]


_FLAGS = re.IGNORECASE | re.MULTILINE


@lru_cache(maxsize=1024)
def _checked(pattern: str) -> tuple[re.Pattern[str] | None, str | None]:
    """(the compiled pattern, None), or (None, why it is refused)."""
    if not isinstance(pattern, str) or not pattern.strip():
        return None, "is empty"
    if len(pattern) > MAX_PATTERN:
        return None, f"is longer than {MAX_PATTERN} characters"
    if sre_parse is None:  # pragma: no cover - depends on the Python version
        return None, "cannot be checked on this version of Python, so it is not run"
    try:
        tree = sre_parse.parse(pattern, _FLAGS)
        risk = _backtracking_risk(tree)
        if risk is None and (count := _repeats_in_a_row(tree)) > MAX_REPEATS_IN_A_ROW:
            risk = _IN_A_ROW.format(count=count)
        if risk is None and tree.getwidth()[0] == 0:
            risk = ("can match an empty text, so it would match anywhere and say nothing: "
                    "make it require at least one character")
        if risk is not None:
            return None, risk
        return re.compile(pattern, _FLAGS), None
    except re.error as error:
        where = f" (at character {error.pos + 1})" if error.pos is not None else ""
        return None, f"is not a valid regular expression: {error.msg}{where}"
    except (RecursionError, OverflowError, ValueError, TypeError):
        return None, "is too complex to check"


def check_pattern(pattern: str) -> str | None:
    """What is wrong with a pattern configured on a question, or None when it may be
    run on customer text: it compiles, is at most MAX_PATTERN characters, cannot
    match an empty text and cannot backtrack catastrophically (_backtracking_risk).
    The text completes "The pattern '...' ", e.g. "is not a valid regular
    expression: missing ), unterminated subpattern (at character 1)"."""
    return _checked(pattern)[1]


def _configured(pattern: str) -> re.Pattern[str] | None:
    """A pattern configured on a question, or None when check_pattern refuses it (a
    stored pattern is checked again, never raised on customer text)."""
    return _checked(pattern)[0] if isinstance(pattern, str) else None


# Configured patterns read one line at a time, in pieces of at most this many
# characters: a pattern that backtracks polynomially (two repeats in a row taking the
# same characters, "\\s*#?\\s*", the most check_pattern lets through) then costs at
# most a few hundredths of a second per piece, whatever the message.
PATTERN_PIECE = 300
# And all configured patterns together read one message for at most this long: a
# message crafted against them (20,000 characters of one letter) is read no further
# by them. Real mail takes well under a millisecond per pattern, so the answer is
# the same every time for any text but such a one.
PATTERN_BUDGET = 0.25


def _pieces(work: str) -> Iterator[tuple[int, str]]:
    for start, end in _lines(work):
        for offset in range(start, max(end, start + 1), PATTERN_PIECE):
            piece = work[offset : min(end, offset + PATTERN_PIECE)]
            if piece.strip():
                yield offset, piece


def _pattern_hit(work: str, patterns: Sequence[str], deadline: float) -> _Hit | None:
    compiled = [regex for regex in map(_configured, patterns) if regex is not None]
    for regex in compiled:
        for offset, piece in _pieces(work):
            if time.perf_counter() > deadline:
                return None
            match = regex.search(piece)
            if match is None:
                continue
            group = 1 if regex.groups and match.group(1) is not None else 0
            value = _clean(match.group(group), MAX_VALUE)
            if value:
                start, end = match.span(group)
                return _Hit(value, offset + start, offset + end)
    return None


# -- keywords ----------------------------------------------------------------------------

# A keyword counts as a whole word or phrase, as a choice does (_WORD_BEFORE, _WORD_AFTER):
# "ora" is not read in "Oracle", "Angora" or "ORA-01722"; a phrase may be broken by a line wrap.


@lru_cache(maxsize=1024)
def _keyword_regex(keywords: tuple[tuple[str, tuple[str, ...]], ...],
                   ) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """One expression for a key's keywords ((value, (keyword, ...)), ...), a group
    per keyword, the longest first so "oracle db" wins over "oracle" where both
    start; and the value of each group. None when there is no keyword."""
    spelled: list[tuple[str, str]] = []
    for value, words in keywords:
        for word in words:
            parts = word.split() if isinstance(word, str) else []
            if parts and isinstance(value, str) and value.strip():
                spelled.append((r"\s{1,3}".join(re.escape(part) for part in parts), value))
    if not spelled:
        return None
    spelled.sort(key=lambda item: -len(item[0]))
    alternatives = "|".join(f"({expression})" for expression, _ in spelled)
    regex = re.compile(f"{_WORD_BEFORE}(?:{alternatives}){_WORD_AFTER}", re.IGNORECASE)
    return regex, tuple(value for _, value in spelled)


def _keywords_key(keywords: Mapping[str, Sequence[str]],
                  ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The keywords as a cache key (the stored JSON could hold anything: only texts count)."""
    return tuple((value, tuple(word for word in words if isinstance(word, str))
                  if isinstance(words, list | tuple) else ())
                 for value, words in keywords.items() if isinstance(value, str))


def _keyword_hit(work: str, keywords: Mapping[str, Sequence[str]]) -> tuple[_Hit | None, bool]:
    """The one value the text names by a keyword ({value: [keyword, ...]}), and
    whether it named two (then the key stays unanswered, as with choices)."""
    if not isinstance(keywords, Mapping):
        return None, False
    compiled = _keyword_regex(_keywords_key(keywords))
    if compiled is None:
        return None, False
    regex, values = compiled
    first: _Hit | None = None
    named: set[str] = set()
    for match in regex.finditer(work):
        assert match.lastindex is not None
        value = values[match.lastindex - 1]
        named.add(" ".join(value.split()).casefold())
        if first is None:
            first = _Hit(" ".join(value.split()), match.start(), match.end())
    if len(named) > 1:
        return None, True
    return first, False


# -- the whole --------------------------------------------------------------------------


def extract(text: str, *, products: Sequence[ProductNames] = (),
            choices: Mapping[str, Sequence[str]] | None = None,
            patterns: Mapping[str, Sequence[str]] | None = None,
            keywords: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> list[Found]:
    """The facts the customer's new statement in `text` gives, at most one per key.

    `choices` ({key: [choice, ...]}) answers a choice question by a choice named in
    the text; `patterns` ({key: [regex, ...]}) are the expressions configured on a
    question (first group, or the whole match, is the value); `keywords` ({key:
    {value: [keyword, ...]}}) give a value when one of its keywords is named, as a
    whole word or phrase, in any case. All may name keys the built-in rules do not
    know. Never raises on customer text."""
    statement = _statement(text if isinstance(text, str) else "")
    work = statement.work
    choices = choices or {}
    patterns = patterns or {}
    keywords = keywords or {}

    lowered = work.lower()
    environment = {key: _mentions(work, lowered, kinds) for key, kinds in _ENVIRONMENT.items()}
    product, version = _product_and_version(
        statement, products, [m for mentions in environment.values() for m in mentions])
    expected, actual = _expected_and_actual(work)
    built_in: dict[str, Found | None] = {
        "product": product,
        "version": version,
        **{key: _found(key, _environment_hit(mentions), statement)
           for key, mentions in environment.items()},
        "error": _found("error", _error_hit(work), statement),
        "steps": _found("steps", _steps_hit(work), statement),
        "expected": _found("expected", expected, statement),
        "actual": _found("actual", actual, statement),
        "impact": _found("impact", _impact_hit(work), statement),
    }
    groups: dict[str, list[str]] = {
        key: sorted({m.kind.group for m in mentions} | {m.kind.family for m in mentions})
        for key, mentions in environment.items()
    }

    results: dict[str, Found] = {}
    configured = (set(choices) | set(patterns) | set(keywords)) - set(BUILT_IN_KEYS)
    deadline = time.perf_counter() + PATTERN_BUDGET
    for key in [*BUILT_IN_KEYS, *sorted(configured)]:
        found = built_in.get(key)
        if key in patterns:
            hit = _pattern_hit(work, list(patterns[key] or ()), deadline)
            if hit is not None:
                results[key] = Found(key, hit.value, _quote(statement, hit.start, hit.end))
                continue
        if keywords.get(key):
            hit, ambiguous = _keyword_hit(work, keywords[key])
            if hit is not None:
                results[key] = Found(key, hit.value, _quote(statement, hit.start, hit.end))
            if hit is not None or ambiguous:
                continue
        if choices.get(key):
            hit, ambiguous = _choice_hit(work, list(choices[key]), found, groups.get(key, []))
            if hit is not None:
                quote = (_quote(statement, hit.start, hit.end) if hit.start >= 0
                         else found.quote if found else "")
                results[key] = Found(key, hit.value, quote)
            elif not ambiguous and found is not None and key in BUILT_IN_KEYS and key in (
                    "version", "steps", "expected", "actual", "error"):
                # Free-text facts: a choice list does not bind them. The impact does
                # not pass: "since Monday" does not answer "Who is affected?", and
                # the follow-up should ask it (keywords can map "all users" to a choice).
                results[key] = found
            continue
        if found is not None:
            results[key] = found
    return [result for result in results.values() if result.quote]
