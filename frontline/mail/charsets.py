"""Turning the bytes of a mail into text, whatever its charset label says.

Mail clients lie about charsets all the time: Outlook labels GBK text as gb2312,
Korean Windows labels cp949 text as ks_c_5601-1987, webmail sends UTF-8 labelled
iso-8859-1, and old clients put raw 8-bit bytes in headers with no label at all.
We read every label through a table of the supersets that real clients actually
meant, decode strictly, and only when that fails fall back to a statistical
guess (charset-normalizer). Nothing here raises: the last resort is the label
(or UTF-8) with U+FFFD for the bytes that make no sense.

ISO-2022-JP is labelled the same whether it holds only JIS X 0208 or, as Outlook
and Windows mailers write it (Microsoft's CP50220/50221), also the NEC and IBM
extensions (circled numbers, ㈱, Roman numerals: common in Japanese company mail)
and half-width katakana. Python's codec refuses those; `_iso2022jp_windows` reads
them through the same table as Shift_JIS (cp932), as those mailers meant.
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
        if b"\x1b$" in data or b"\x1b(I" in data:
            windows = _iso2022jp_windows(data)
            if windows is not None:
                return windows
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


# ISO-2022-JP's escape sequences (RFC 1468, and CP50221's half-width katakana).
_JIS_ESCAPE = re.compile(rb"\x1b(\(B|\(J|\$@|\$B|\(I)")


def _iso2022jp_windows(data: bytes) -> str | None:
    """ISO-2022-JP as Windows writes it, decoded; None when it is something else.

    Each JIS X 0208 pair (row, cell) is turned into its Shift_JIS bytes by the
    standard arithmetic and decoded with cp932, whose rows 13 and 89-92 hold the
    NEC and IBM characters the strict codec refuses.
    """
    out = bytearray()
    mode = b"(B"
    position = 0
    for match in _JIS_ESCAPE.finditer(data):
        if not _jis_run(data[position:match.start()], mode, out):
            return None
        mode, position = match.group(1), match.end()
    if not _jis_run(data[position:], mode, out) or b"\x1b" in out:
        return None  # an escape we do not know (ISO-2022-JP-2's Chinese or Korean)
    try:
        return out.decode("cp932")
    except UnicodeDecodeError:
        return None


def _jis_run(run: bytes, mode: bytes, out: bytearray) -> bool:
    """Append one run of ISO-2022-JP in `mode` as Shift_JIS bytes; False if malformed."""
    if mode in (b"(B", b"(J"):
        out += run
        return True
    if mode == b"(I":
        out += bytes(byte | 0x80 for byte in run if 0x21 <= byte <= 0x5F)
        return True
    run = run.replace(b"\r", b"").replace(b"\n", b"")  # a line break never splits a pair
    if len(run) % 2:
        return False
    for index in range(0, len(run), 2):
        row, cell = run[index], run[index + 1]
        if not (0x21 <= row <= 0x7E and 0x21 <= cell <= 0x7E):
            return False
        lead = (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0)
        trail = cell + (0x1F if row % 2 else 0x7E)
        out += bytes((lead, trail + 1 if row % 2 and cell >= 0x60 else trail))
    return True


def strip_bom(raw: bytes) -> bytes:
    """A mail without the UTF-8 byte-order mark some Windows tools save it with.

    Left in, the mark becomes part of the first header's name (`\ufeffFrom`), so the
    mail seems to have no sender; no mail standard allows one before the headers.
    """
    return raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text safe to store anywhere: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text
