"""Reading header values: RFC 2047 encoded words, raw 8-bit bytes, addresses, ids, dates.

We parse with the compat32 policy, which hands header values back as they were
written (8-bit bytes kept as surrogate escapes), and decode them here: the
stdlib's own decoding trusts charset labels and raises on the broken headers
real mail is full of.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from frontline.mail.charsets import clean_text, decode_bytes

# RFC 2047 encoded word; the charset may carry an RFC 2231 language (utf-8*de).
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"\s+")


def raw_header_values(message: Message, name: str) -> list[str]:
    """A header's values as written, 8-bit bytes kept as surrogate escapes.

    compat32's own `get` wraps 8-bit values in a Header object whose str() has
    already replaced those bytes with U+FFFD, losing them.
    """
    lowered = name.lower()
    try:
        return [str(value) for key, value in message.raw_items() if key.lower() == lowered]
    except Exception:  # a broken header list must not lose the mail
        return []


def raw_header(message: Message, name: str) -> str | None:
    values = raw_header_values(message, name)
    return values[0] if values else None


def raw_bytes(value: str) -> bytes:
    """The bytes a header value was written with (compat32 keeps 8-bit as surrogates)."""
    return value.encode("utf-8", errors="surrogateescape")


def _decode_plain(value: str, hint: str | None) -> str:
    if value.isascii():
        return value
    try:
        data = value.encode("ascii", errors="surrogateescape")
    except UnicodeEncodeError:
        # Already real Unicode (a str header set by code, not bytes from the wire).
        return value
    return decode_bytes(data, None, hint)


def decode_words(value: str | None, hint: str | None = None) -> str:
    """Decode a header value: encoded words, and 8-bit bytes sent without them."""
    if not value:
        return ""
    value = str(value)
    pieces: list[str] = []
    position = 0
    previous_was_word = False
    # Adjacent encoded words of one multi-byte charset may split a character between
    # them, so their bytes are joined before decoding (Outlook and Gmail both do this).
    pending: list[tuple[str, str, str]] = []

    def flush() -> None:
        if not pending:
            return
        groups: list[tuple[str, str, list[str]]] = []
        for charset, encoding, payload in pending:
            if groups and groups[-1][0] == charset.lower() and groups[-1][1] == encoding.lower():
                groups[-1][2].append(payload)
            else:
                groups.append((charset.lower(), encoding.lower(), [payload]))
        for charset, encoding, payloads in groups:
            if encoding == "b":
                raw = b"".join(_b_bytes(p) for p in payloads)
            else:
                raw = b"".join(
                    quopri.decodestring(raw_bytes(p).replace(b"_", b" "))
                    for p in payloads
                )
            pieces.append(decode_bytes(raw, charset.split("*", 1)[0]))
        pending.clear()

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if not (previous_was_word and _BETWEEN_WORDS.fullmatch(between)):
            flush()
            pieces.append(_decode_plain(between, hint))
        pending.append((match.group(1), match.group(2), match.group(3)))
        previous_was_word = True
        position = match.end()
    flush()
    pieces.append(_decode_plain(value[position:], hint))
    text = "".join(pieces)
    text = re.sub(r"\r?\n[ \t]*", " ", text)
    return clean_text(text)


def _b_bytes(payload: str) -> bytes:
    data = raw_bytes(payload)
    compact = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    compact += b"=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact)
    except (binascii.Error, ValueError):
        return data


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def to_json_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}


_ADDR_SPEC = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")


def parse_addresses(values: list[str], hint: str | None = None) -> list[Address]:
    """Addresses from one or more header values; unusable entries are skipped."""
    found: list[Address] = []
    raw_values = [str(v) for v in values if v]
    if not raw_values:
        return found
    try:
        pairs = getaddresses(raw_values)
    except Exception:  # the stdlib address parser has raised on hostile input before
        pairs = []
    for name, email in pairs:
        email = decode_words(email, hint).strip().strip("<>").strip()
        if "@" not in email:
            # "Undisclosed recipients:;", a bare name, or garbage: try the raw text.
            continue
        email = email.replace(" ", "")
        found.append(Address(name=decode_words(name, hint).strip().strip('"').strip(), email=email))
    if not found:
        # getaddresses gives up on some broken forms; pick out anything address-like.
        for value in raw_values:
            for email in _ADDR_SPEC.findall(decode_words(value, hint)):
                found.append(Address(name="", email=email))
    return found


_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str | None) -> list[str]:
    """Message-IDs in a header, without angle brackets, in order, duplicates dropped."""
    if not value:
        return []
    text = clean_text(str(value))
    ids = _MESSAGE_ID.findall(text)
    if not ids:
        # Some mailers omit the brackets; take bare id-looking words.
        ids = [word for word in text.split() if "@" in word]
        ids = [word.strip("<>,;\"'") for word in ids]
    seen: set[str] = set()
    unique = []
    for message_id in ids:
        if message_id and message_id not in seen:
            seen.add(message_id)
            unique.append(message_id)
    return unique


def first_message_id(value: str | None) -> str | None:
    ids = message_ids(value)
    return ids[0] if ids else None


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from a Date-style header; None when it can't be read."""
    if not value:
        return None
    text = clean_text(str(value)).strip()
    # Received headers carry the date after the last semicolon.
    if ";" in text:
        text = text.rsplit(";", 1)[1].strip()
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 1970 <= moment.year <= 9999:
        return None
    return moment


# How far ahead of our clock a mail's own date may be: clocks and time zones are
# set wrong by hours, not by days.
FUTURE_TOLERANCE = timedelta(days=1)
# Before this, a date is a clock reset to zero (1 Jan 1970) or a misread year,
# not a mail anyone wrote to a help desk.
EARLIEST_DATE = datetime(1980, 1, 1, tzinfo=UTC)


def plausible_date(written: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """`written` (a mail's Date) if it can be true, else None: the caller then dates
    the mail when it was received and says so.

    The one guard for every path that dates a mail (processing, the import's
    received time): a Date in 9999 would otherwise make a ticket that sorts first
    forever, and one in 1970 a ticket older than the company.
    """
    if written is None:
        return None
    reference = now or datetime.now(UTC)
    if written > reference + FUTURE_TOLERANCE or written < EARLIEST_DATE:
        return None
    return written
