# ruff: noqa: RUF001  (full-width colons and punctuation are the point here)
"""Separating what the sender wrote this time from quoted history and signatures.

The full text is always kept; this only decides what the desk shows unfolded, so
when in doubt a line stays: losing what a customer wrote is worse than showing a
few lines of history. Clients mark the start of the history in a few ways, whose
words per language are in `frontline.core.quote_markers`:

- an attribution line: "On Tue, 3 Mar 2026 at 10:12, Jane <jane@x> wrote:" (Gmail,
  Apple Mail, Thunderbird, Yahoo), sometimes wrapped over two or three lines, and
  in some languages with no verb at all (Gmail in Russian and Japanese ends with
  "<address>:"). It counts only with evidence a sentence lacks: an address in
  brackets, a date after the client's opening word, or quoted lines right below,
  so "As the manual wrote:" or "Der Kollege schrieb um 14:30:" stay the customer's;
- a header block: "From: / Sent: / To: / Subject:" (Outlook, GMX puts "Gesendet:"
  first), possibly all on one line after an HTML conversion; a "From:" line of the
  customer's own logs has no "Sent:" under it;
- a banner: "-----Original Message-----", "---------- Forwarded message ---------",
  "Begin forwarded message:", and any dashed banner with a header line below it;
- lines starting with ">".

Answers written between quoted lines (inline or bottom-posting) are the sender's
and are kept. Signatures start at an RFC 3676 "-- " line or at a mobile client's
"Sent from my iPhone" line standing near the end; closings and unmarked
signature blocks stay, since guessing where a name ends loses text.

Work is linear in the text and bounded: only the first MAX_LINES lines are searched,
and marker checks read at most a few hundred characters of a line.
"""

from __future__ import annotations

import re

from frontline.core.quote_markers import (
    ATTRIBUTION_WORDS,
    ATTRIBUTIONS,
    BANNER_PHRASES,
    FORWARD_BANNERS,
    HEADER_LABELS,
    MOBILE_SIGNATURES,
)

MAX_LINES = 5_000
_MAX_MARKER = 300  # the longest attribution or banner we read
_MAX_LINE = 2_000  # a longer line is body text; its head is enough to tell
_COLONS = (":", "：")
_SENTENCE_END = (".", "!", "?", "。", "！", "？")


def _alternation(words: tuple[str, ...]) -> str:
    longest_first = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in longest_first)


# Each attribution with the words that must occur for its expression to be tried: a
# substring test rules out most lines far faster than the expressions.
_ATTRIBUTION_RES = tuple(
    (tuple(word for word in ATTRIBUTION_WORDS if word in verb.lower()),
     re.compile(rf"^(?:{prefix})", re.I) if prefix else None,
     re.compile(rf"(?:{verb})\s*[:：]$", re.I))
    for prefix, verb in ATTRIBUTIONS
)
_OPENING_WORD = re.compile("|".join(f"^(?:{prefix})" for prefix, _ in ATTRIBUTIONS if prefix), re.I)
_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?!\d)|(?<!\d)\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{2,4}(?!\d)"
)
_TIME = re.compile(r"(?<!\d)\d{1,2}[:.]\d\d(?!\d)")
_ADDRESS = r"[<(\[\"]\s*(?:mailto:)?[^\s<>()\[\]\"@]{1,64}@[^\s<>()\[\]\"]{1,255}\s*[>)\]\"]"
_BRACKETED_ADDRESS = re.compile(_ADDRESS)
_ENDS_WITH_ADDRESS = re.compile(rf"{_ADDRESS}\s*[:：]$")

_BANNER = re.compile(rf"^-{{2,}}\s*(?:{_alternation(BANNER_PHRASES)})\s*-{{2,}}$", re.I)
# Without dashes, or a dashed banner in a language we do not know: only with a header below.
_LOOSE_BANNER = re.compile(
    rf"^-*\s*(?:{_alternation(BANNER_PHRASES)})\s*-*$|^-{{2,}}\s*\w.{{0,58}}?\w\s*-{{2,}}$", re.I
)
_FORWARD_BANNER = re.compile(rf"^(?:{_alternation(FORWARD_BANNERS)})\s*[:：]$", re.I)
_UNDERSCORES = re.compile(r"^_{20,}$")  # Outlook's rule above its header block

_HEADER_LINE = {
    role: re.compile(rf"^(?:{_alternation(labels)})\s*[:：]", re.I)
    for role, labels in HEADER_LABELS.items()
}
# The same labels inside a line: Outlook's block flattened by an HTML conversion.
_HEADER_INSIDE = {
    role: re.compile(rf"\s(?:{_alternation(HEADER_LABELS[role])})\s*[:：]", re.I)
    for role in ("sent", "subject")
}

_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(rf"^(?:{'|'.join(MOBILE_SIGNATURES)})\s*$", re.I)
# A mobile line is a signature only near the end: a disclaimer may follow, a story may not.
_MAX_AFTER_MOBILE = 6


def _plain(line: str) -> str:
    """A line without the bold stars and spaces plain-text renderings of HTML put around headers."""
    return line[:_MAX_LINE].strip().strip("*_").strip().replace("\u00a0", " ")


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _quoted_below(lines: list[str], index: int) -> bool:
    """The first non-blank line from lines[index] on (looking a few lines ahead) is quoted."""
    for line in lines[index : index + 4]:
        if line.strip():
            return _is_quoted(line)
    return False


def _is_attribution(text: str, *, quoted_below: bool) -> bool:
    """An attribution line (or lines joined): a client's verb ending the line, with an
    address in brackets, or a date after the client's opening word, or quoted lines below."""
    if not text.endswith(_COLONS) or len(text) > _MAX_MARKER:
        return False
    address = _BRACKETED_ADDRESS.search(text) is not None
    date = _DATE.search(text) is not None
    if address and date and _ENDS_WITH_ADDRESS.search(text):
        return True  # Gmail in Russian or Japanese, Yandex, Mail.ru: no verb
    lowered = text.lower()
    for words, opening, verb in _ATTRIBUTION_RES:
        if not any(word in lowered for word in words) or not verb.search(text):
            continue
        if address or (date and opening is not None and opening.match(text)):
            return True
        if quoted_below and (any(char.isdigit() for char in text)
                             or (opening is not None and opening.match(text))):
            return True  # "On Monday Support wrote:" right above "> ..." lines
    return False


def _starts_attribution(line: str) -> bool:
    """Could a wrapped attribution start here? Not on a sentence that merely precedes it."""
    if line.endswith(_SENTENCE_END):
        return False
    return _OPENING_WORD.match(line) is not None or _DATE.search(line) is not None


def _header_role(line: str) -> str | None:
    for role, pattern in _HEADER_LINE.items():
        if pattern.match(line):
            return role
    return None


def _is_header_block(plain: list[str], index: int) -> bool:
    """An Outlook-style block starts at plain[index]: "From" and "Sent" lines (either
    first) and a "To" or "Subject" line, blank lines between them allowed, with an
    address or a date, which counters in a log ("Sent: 1,024 packets") lack."""
    role = _header_role(plain[index])
    if role not in ("from", "sent"):
        return False
    if role == "from" and all(pattern.search(plain[index]) for pattern in _HEADER_INSIDE.values()):
        return True
    roles = {role: plain[index]}
    for line in plain[index + 1 : index + 12]:
        if not line:
            continue
        role = _header_role(line)
        if role is None or len(roles) == 4:
            break
        roles.setdefault(role, line)
    if not ({"from", "sent"} <= roles.keys() and roles.keys() & {"to", "subject"}):
        return False
    sent = roles["sent"]
    return "@" in roles["from"] or bool(_DATE.search(sent) or _TIME.search(sent))


def _header_follows(plain: list[str], index: int) -> bool:
    following = [line for line in plain[index + 1 : index + 4] if line]
    return bool(following) and _header_role(following[0]) is not None


def quote_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, or None."""
    limit = min(len(lines), MAX_LINES)
    plain = [_plain(line) for line in lines[:limit]]
    for index in range(limit):
        line = plain[index]
        if _UNDERSCORES.match(lines[index].strip()):
            below = [j for j in range(index + 1, min(index + 4, limit)) if plain[j]]
            if below and _is_header_block(plain, below[0]):
                return index
            continue
        if not line or _is_quoted(lines[index]):
            continue
        if _BANNER.match(line) or _FORWARD_BANNER.match(line):
            return index
        if _LOOSE_BANNER.match(line) and _header_follows(plain, index):
            return index
        if _is_header_block(plain, index):
            return index
        if line.endswith(_COLONS) and _is_attribution(
            line, quoted_below=_quoted_below(lines, index + 1)
        ):
            return index
        if len(line) > _MAX_MARKER or not _starts_attribution(line):
            continue
        # Gmail wraps long attributions; try the line joined with the next one or two.
        for span in (2, 3):
            part = plain[index : index + span]
            if len(part) < span or not all(part) or any(_is_quoted(piece) for piece in part):
                break
            if part[-1].endswith(_COLONS) and _is_attribution(
                " ".join(part), quoted_below=_quoted_below(lines, index + span)
            ):
                return index
    return None


def _near_the_end(lines: list[str], index: int) -> bool:
    after = 0
    for line in lines[index + 1 : index + 40]:
        after += bool(line.strip())
        if after > _MAX_AFTER_MOBILE:
            return False
    return True


def strip_signature(lines: list[str]) -> list[str]:
    """`lines` up to an RFC 3676 "-- " line or a mobile client's line near the end."""
    for index, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line.rstrip("\r")):
            return lines[:index]
        plain = _plain(line)
        mobile = plain and len(plain) <= 100 and _MOBILE_SIGNATURE.match(plain)
        if mobile and _near_the_end(lines, index):
            return lines[:index]
    return lines


def _unquoted(lines: list[str]) -> list[str]:
    """Quoted lines blanked, so the answers between them stay apart."""
    return ["" if _is_quoted(line) else line for line in lines]


def _trim(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines).strip("\n").rstrip()
    return re.sub(r"\n{3,}", "\n\n", text)


def extract_reply(text: str) -> str:
    """What the sender wrote this time: text before the quoted history, without signature,
    and the answers they wrote between the quoted lines below an attribution.

    Falls back to the whole text when nothing else is left, so a message never shows empty.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = quote_start(lines)
    own = strip_signature(_unquoted(lines if start is None else lines[:start]))
    if start is not None and _quoted_below(lines, start + 1):
        # Inline or bottom-posted answers: under the attribution, the lines the sender
        # did not quote are theirs, up to a history quoted inside that.
        tail = lines[start + 1 :]
        nested = quote_start(tail)
        own = [*own, "", *strip_signature(_unquoted(tail if nested is None else tail[:nested]))]
    reply = _trim(own)
    return reply if reply.strip() else text.strip()


def left_out(text: str) -> tuple[str, bool]:
    """What extract_reply does not show, for the desk's "Show quoted text": the
    signature and the quoted history below a top-posted reply (not the whole message
    again, which repeated the reply above it). When the sender answered between the
    quoted lines, the parts interleave and the honest fold is the whole message:
    (text, True)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = quote_start(lines)
    if start is not None and _quoted_below(lines, start + 1):
        tail = lines[start + 1 :]
        nested = quote_start(tail)
        answers = strip_signature(_unquoted(tail if nested is None else tail[:nested]))
        if any(line.strip() for line in answers):
            return text.strip(), True
    top = lines if start is None else lines[:start]
    kept = strip_signature(_unquoted(top))
    return _trim(lines[len(kept):]), False
