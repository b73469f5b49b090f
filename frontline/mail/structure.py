"""Reading a raw mail into its MIME tree, never deeper than `MAX_DEPTH`.

The stdlib parser recurses once per nested part, and so do its generator and
`Message.walk`: a mail of a few hundred nested `message/rfc822` parts made the
generator fail (the forwarded mail came out as 0 bytes, its content silently
gone), and a thousand made the parser raise RecursionError. Real mail nests a
handful of levels; deeper is broken or hostile, and must still lose nothing.

So a mail whose header lines declare at most MAX_DEPTH containers (multipart or
message/rfc822: the tree cannot be deeper than twice that) is parsed by the stdlib
as before. Any other is built here level by level, with a work list instead of
recursion: each part's headers are read by the stdlib, its body is split on its
boundary lines (RFC 2046 §5.1.1, leniently as the stdlib does), and a container
below MAX_DEPTH is left unsplit, its body kept as it came. The reader keeps such a
part as one attachment with all its bytes, so the innermost text and files are in
the ticket's attachments, and the mail notes that it was cut.
"""

from __future__ import annotations

import email
import re
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32

# Deeper MIME nesting than this is hostile or broken; what lies below is kept raw.
MAX_DEPTH = 30

_CONTAINER = re.compile(
    rb"^content-type:\s*(?:multipart/|message/(?:rfc822|global)\b)", re.I | re.M)
_KEPT_WHOLE = ("message/rfc822", "message/global")
_END_OF_HEADERS = re.compile(r"\r?\n\r?\n")


def read_tree(raw: bytes) -> tuple[Message, bool]:
    """The mail's MIME tree (compat32), and whether a part below MAX_DEPTH was left unsplit."""
    if _containers_at_most(raw, MAX_DEPTH):
        try:
            return email.message_from_bytes(raw, policy=compat32), False
        except RecursionError:
            pass  # declared in a way the count missed (folded, digests): build it here
    return _bounded(raw.decode("ascii", errors="surrogateescape"))


def _containers_at_most(raw: bytes, limit: int) -> bool:
    # Stops at the first one over the limit: a hostile mail is not counted through.
    return all(count <= limit for count, _ in enumerate(_CONTAINER.finditer(raw), start=1))


def _bounded(text: str) -> tuple[Message, bool]:
    root = _part(text)
    cut = False
    work: list[tuple[Message, int]] = [(root, 0)]
    while work:
        part, depth = work.pop()
        # The body as stored: get_payload() would replace its 8-bit bytes (kept as
        # surrogate escapes, as the stdlib's own parser keeps them) with U+FFFD.
        body = getattr(part, "_payload", None)
        content_type = part.get_content_type()
        container = content_type in _KEPT_WHOLE or part.get_content_maintype() == "multipart"
        if not container or not isinstance(body, str):
            continue
        if depth > MAX_DEPTH:
            cut = True
            continue
        if content_type in _KEPT_WHOLE:
            children: list[Message | str] = [_part(body)]
        else:
            split = _split(part, body)
            if split is None:
                continue  # no boundary or none found: the body stays text, as the stdlib does
            part.preamble, pieces, part.epilogue = split
            parts = [_part(piece) for piece in pieces]
            if content_type == "multipart/digest":
                for child in parts:
                    child.set_default_type("message/rfc822")  # RFC 2046 §5.1.5
            children = list(parts)
        part.set_payload(children)
        work.extend((child, depth + 1) for child in children if isinstance(child, Message))
    return root, cut


def _part(text: str) -> Message:
    """One part: its headers read by the stdlib, its body kept as text (not parsed)."""
    if text.startswith(("\n", "\r\n")):
        head, body = "", text.split("\n", 1)[1]
    else:
        end = _END_OF_HEADERS.search(text)
        head, body = (text[: end.start()] + "\n", text[end.end():]) if end else (text, "")
    part = HeaderParser(policy=compat32).parsestr(head)
    rest = getattr(part, "_payload", None)  # lines in the head that were not headers
    part.set_payload(f"{rest}\n{body}" if isinstance(rest, str) and rest else body)
    return part


def _split(part: Message, body: str) -> tuple[str | None, list[str], str | None] | None:
    """(preamble, the parts' texts, epilogue) of a multipart body; None without a boundary.

    The line break before a delimiter belongs to the delimiter; a missing close
    delimiter ends the last part at the end of the body (a truncated mail).
    """
    boundary = part.get_boundary()
    if not boundary:
        return None
    delimiter = re.compile(r"^--" + re.escape(boundary) + r"(--)?[ \t]*\r?$", re.M)
    preamble: str | None = None
    pieces: list[str] = []
    start: int | None = None
    epilogue: str | None = None
    for match in delimiter.finditer(body):
        if start is None:
            preamble = _without_last_break(body[: match.start()])
        else:
            pieces.append(_without_last_break(body[start: match.start()]))
        if match.group(1):
            epilogue = body[match.end():].lstrip("\r\n") or None
            start = None
            break
        start = match.end() + (2 if body.startswith("\r\n", match.end()) else
                               1 if body.startswith("\n", match.end()) else 0)
    else:
        if start is None:
            return None
    if start is not None:
        pieces.append(body[start:])
    return preamble or None, pieces, epilogue


def _without_last_break(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text
