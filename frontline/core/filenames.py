"""The one cleaning of a file name a customer or a mail gave us, before it is
stored or shown: `clean_filename(name)`.

A name is shown to agents and offered as the download's name, so it must not be
able to lie about what the file is. Unicode's bidirectional controls can: a right-
to-left override turns `invoice<U+202E>fdp.exe` into "invoiceexe.pdf" on screen
(CVE-2021-42574 "Trojan Source" is the same trick in source code; mail malware has
used it since the 2000s). So every bidi embedding, override, isolate and mark goes,
as do control characters (C0, DEL, C1), line and paragraph separators, the byte-
order mark and the interlinear annotation characters. Joiners stay: Persian, Hindi
and emoji names need them and they cannot reorder text. What remains is shown as
it is, with its real extension last.

The mail parser, every channel's `attach` and the desk's display (for names
stored before this cleaning) call this function; core, so each of them can.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 200

# Bidi controls (UAX #9): ALM, LRM, RLM, LRE..RLO, LRI..PDI; deprecated format
# characters that swap digit shapes or symmetric pairs (U+206A-U+206F).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u206a-\u206f"
_INVISIBLE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}\u2028\u2029\ufeff\ufff9-\ufffb]")
# Path separators and the characters Windows refuses in a name.
_UNSAFE = re.compile(r"[/\\:*?\"<>|]+")
_WHITESPACE = re.compile(r"[\t\n\r\x0b\x0c]+")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_filename(name: str | None, fallback: str = "attachment") -> str:
    """A name with no path, no invisible or reordering characters, never empty.

    Invisible characters are removed, not replaced: `invoice<U+202E>fdp.exe`
    becomes `invoicefdp.exe`, whose extension is the real one.
    """
    text = unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", str(name or "")))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _WHITESPACE.sub(" ", text)  # a folded name's line break is a space
    text = _INVISIBLE.sub("", text)
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text:
        return fallback
    if len(text) > MAX_LENGTH:
        stem, dot, extension = text.rpartition(".")
        text = (stem[: MAX_LENGTH - 10] + dot + extension[:9] if dot and len(extension) < 10
                else text[:MAX_LENGTH])
    return text
