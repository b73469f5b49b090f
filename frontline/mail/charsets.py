"""Turning the bytes of a mail into text, whatever its charset label says.

Mail clients lie about charsets all the time: Outlook labels GBK text as gb2312,
Korean Windows labels cp949 text as ks_c_5601-1987, webmail sends UTF-8 labelled
iso-8859-1, and old clients put raw 8-bit bytes in headers with no label at all.
We read every label through a table of the supersets that real clients actually
meant, decode strictly, and only when that fails fall back to a statistical
guess (charset-normalizer). Nothing here raises: the last resort is the label
(or UTF-8) with U+FFFD for the bytes that make no sense.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# The label a client writes -> the codec that decodes what it really sent.
# A superset never breaks text that was correctly labelled, so widening is safe.
SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cn-gb": "gb18030",
    "euc-cn": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "euc-kr": "cp949",
    "korean": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso_8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode20utf8": "utf-8",
    "unicode": "utf-16",
    "x-user-defined": "cp1252",
}

# Labels that mean "no idea": treat as unlabelled.
UNKNOWN_LABELS = {"", "unknown-8bit", "x-unknown", "unknown", "default", "charset", "none"}

# Single-byte codecs decode any byte sequence, so a strict decode can't reveal a lie;
# for these we check first whether the bytes are in fact valid UTF-8 (the usual lie).
_SINGLE_BYTE = re.compile(r"^(cp125\d|cp874|iso-?8859-\d+|koi8-[ru]|mac.*|latin.*|cp437|cp850)$")

_LABEL_CLEAN = re.compile(r"[^a-z0-9_.:\-]")


def normalise_label(label: str | None) -> str | None:
    """The codec name to use for a charset label, or None when the label is unusable."""
    if not label:
        return None
    cleaned = _LABEL_CLEAN.sub("", label.strip().strip("\"'").lower())
    if cleaned in UNKNOWN_LABELS:
        return None
    cleaned = SUPERSETS.get(cleaned, cleaned)
    try:
        name = codecs.lookup(cleaned).name
    except (LookupError, ValueError):
        return None
    # Python maps "latin-1" & co. to the strict iso8859-1; widen those too.
    return SUPERSETS.get(name, name)


def _is_single_byte(codec: str) -> bool:
    return bool(_SINGLE_BYTE.match(codec.replace("_", "-")))


# The codecs mail is actually written in, most common first. The statistical guess
# is limited to these (it otherwise picks exotic DOS code pages on short texts) and
# ties between equally plausible guesses go to the more common codec.
MAIL_CODECS = (
    "cp1252", "cp1250", "cp1251", "koi8_r", "gb18030", "cp932", "euc_jp", "cp949",
    "big5hkscs", "cp1253", "cp1254", "cp1257", "cp1255", "cp1256", "koi8_u", "iso8859_2",
    "iso8859_15", "cp874", "cp1258", "mac_roman",
)


def guess(data: bytes) -> str | None:
    """A best guess at the codec of text bytes, or None."""
    try:
        results = list(from_bytes(data[:65536], cp_isolation=list(MAIL_CODECS)))
    except Exception:  # a guesser bug must not lose a mail
        return None
    if not results:
        return None
    least_chaos = min(result.chaos for result in results)
    plausible = [result.encoding for result in results if result.chaos <= least_chaos + 0.01]
    ranked = sorted(plausible, key=lambda name: MAIL_CODECS.index(name)
                    if name in MAIL_CODECS else len(MAIL_CODECS))
    return normalise_label(ranked[0])


def decode_bytes(data: bytes, label: str | None = None, hint: str | None = None) -> str:
    """Decode bytes labelled with `label` (possibly wrong or missing) into text.

    `hint` is a charset seen elsewhere in the same mail: unlabelled 8-bit headers
    are almost always in the charset of the body, a better bet than a statistical
    guess on a dozen bytes.
    """
    if not data:
        return ""
    if data.isascii():
        codec = normalise_label(label)
        # ISO-2022-JP, HZ and UTF-7 are 7-bit but not ASCII; UTF-16 on ASCII bytes
        # is a wrong label, not Chinese.
        if codec is not None and not codec.startswith(("utf-16", "utf-32")):
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                pass
        return data.decode("ascii")
    codec = normalise_label(label)
    if codec is None or _is_single_byte(codec):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    hinted = normalise_label(hint)
    if hinted is not None and hinted != codec:
        try:
            return data.decode(hinted)
        except (UnicodeDecodeError, LookupError):
            pass
    guessed = guess(data)
    if guessed is not None:
        try:
            return data.decode(guessed)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode(codec or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text safe to store anywhere: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text
