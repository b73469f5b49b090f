"""Attachments: names (RFC 2231 and the RFC 2047 names Outlook uses), uuencoded
blocks inside text, and TNEF (winmail.dat) unpacked into the files it carries.

Each attachment keeps its bytes in `payload`, which the JSON view leaves out and
the storage layer writes to disk.
"""

from __future__ import annotations

import binascii
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message, _parseparam  # type: ignore[attr-defined]
from email.utils import decode_params, unquote
from typing import Any

from frontline.core.filenames import clean_filename
from frontline.mail.charsets import clean_text, decode_bytes
from frontline.mail.headers import decode_words, raw_header


@dataclass
class Attachment:
    filename: str
    content_type: str
    payload: bytes = field(repr=False)
    inline: bool = False
    content_id: str | None = None

    @property
    def size(self) -> int:
        return len(self.payload)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "inline": self.inline,
            "content_id": self.content_id,
        }


def safe_filename(name: str, fallback: str) -> str:
    """A file name with no path, no control or bidi characters, never empty
    (core.filenames: the same cleaning every channel and the desk apply)."""
    return clean_filename(name, fallback)


def _raw_params(part: Message, header: str) -> list[tuple[str, Any]]:
    """A header's parameters from its raw value, RFC 2231 continuations joined.

    Message.get_param reads through compat32's Header wrapping, which has already
    replaced raw 8-bit bytes (UTF-8 file names sent without encoding) with U+FFFD.
    """
    value = raw_header(part, header)
    if value is None:
        return []
    pairs: list[tuple[str, str]] = []
    for piece in _parseparam(value)[1:]:
        name, _sep, param = piece.partition("=")
        pairs.append((name.strip().lower(), param.strip()))
    return list(decode_params([("", ""), *pairs]))[1:]


def _param(part: Message, name: str, header: str) -> str | None:
    """A header parameter, with RFC 2231 charset/continuations and RFC 2047 words decoded."""
    try:
        params = _raw_params(part, header)
    except Exception:  # hostile parameter lists
        return None
    value = next((v for k, v in params if k == name), None)
    if value is None:
        return None
    if isinstance(value, tuple):
        charset, _language, text = value
        # decode_params hands RFC 2231 values back percent-decoded as one char per byte.
        text = unquote(str(text))
        try:
            raw = text.encode("latin-1", errors="surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", errors="surrogateescape")
        return decode_words(decode_bytes(raw, charset or "utf-8"))
    return decode_words(unquote(str(value)))


def part_filename(part: Message) -> str | None:
    name = _param(part, "filename", "content-disposition") or _param(part, "name", "content-type")
    return name.strip() if name and name.strip() else None


def default_name(content_type: str, stem: str = "attachment") -> str:
    if content_type == "text/calendar":
        return "invite.ics"
    extension = mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return f"{stem}{extension}"


def content_id(part: Message) -> str | None:
    value = raw_header(part, "Content-ID")
    if value is None:
        return None
    text = clean_text(str(value)).strip().strip("<>").strip()
    return text or None


# --- uuencode ---------------------------------------------------------------

_UU_BEGIN = re.compile(r"^begin(?:-base64)? +([0-7]{3,4}) +(.+?)\s*$", re.M)


def _uu_line(line: str) -> bytes:
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        # Some encoders pad lines wrongly; decode only the bytes the length byte promises.
        if not line:
            return b""
        count = ((ord(line[0]) - 32) & 63) * 4 + 5
        try:
            return binascii.a2b_uu(line[: count // 3])
        except binascii.Error:
            return b""


def extract_uuencoded(text: str) -> tuple[str, list[Attachment]]:
    """Pull "begin 644 name ... end" blocks out of a text body (old Outlook Express,
    some scanners and scripts still send these)."""
    if "begin " not in text:
        return text, []
    found: list[Attachment] = []
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        match = _UU_BEGIN.match(lines[index])
        if match is None or "-base64" in lines[index][:13]:
            kept.append(lines[index])
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "end":
            end += 1
        if end >= len(lines):
            kept.append(lines[index])  # no "end": not uuencode after all
            index += 1
            continue
        data = b"".join(_uu_line(line.rstrip("\r")) for line in lines[index + 1 : end]
                        if line.strip() and line.strip() != "`")
        name = safe_filename(match.group(2), "attachment.bin")
        content_type = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        found.append(Attachment(filename=name, content_type=content_type, payload=data))
        index = end + 1
    return "\n".join(kept), found


# --- TNEF (winmail.dat) ------------------------------------------------------


@dataclass
class TnefContents:
    attachments: list[Attachment]
    text: str | None
    html: str | None


def is_tnef(part: Message, filename: str | None) -> bool:
    return part.get_content_type() in ("application/ms-tnef", "application/vnd.ms-tnef") or (
        (filename or "").lower() == "winmail.dat"
    )


def read_tnef(data: bytes) -> TnefContents | None:
    """The files and body inside a TNEF blob; None when tnefparse can't read it
    (then the caller keeps winmail.dat itself as the attachment)."""
    try:
        from tnefparse.tnef import TNEF

        tnef = TNEF(data, do_checksum=False)
        attachments = []
        for number, item in enumerate(tnef.attachments, start=1):
            raw_name = item.long_filename() or item.name
            if isinstance(raw_name, bytes):
                raw_name = decode_bytes(raw_name.rstrip(b"\x00"))
            name = safe_filename(str(raw_name), f"attachment-{number}.bin")
            payload = item.data if isinstance(item.data, bytes) else b""
            content_type = (
                mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
            )
            attachments.append(Attachment(filename=name, content_type=content_type,
                                          payload=payload))
        text = _tnef_text(tnef.body)
        html = _tnef_text(tnef.htmlbody)
    except Exception:  # tnefparse raises many kinds of errors on damaged blobs
        return None
    if not attachments and text is None and html is None:
        return None  # nothing read: keep winmail.dat itself rather than lose it
    return TnefContents(attachments=attachments, text=text, html=html)


def _tnef_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = decode_bytes(value.rstrip(b"\x00"), "cp1252")
    text = clean_text(str(value)).strip()
    return text or None
