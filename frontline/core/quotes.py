# ruff: noqa: RUF001, RUF003  (Cyrillic letters and full-width colons are the point here)
"""Separating what the sender wrote this time from quoted history and signatures.

The full text is always kept; this only decides what the desk shows unfolded.
Clients mark the start of the history in a few recognisable ways:

- an attribution line: "On Tue, 3 Mar 2026 at 10:12, Jane <jane@x> wrote:" (Gmail,
  Apple Mail, Thunderbird), in the sender's language and sometimes wrapped over
  two or three lines;
- a header block: "-----Original Message-----" or "From: ... / Sent: ... / To:"
  (Outlook and Exchange, Outlook mobile, many webmails), again localised;
- a forward banner: "---------- Forwarded message ---------", "Begin forwarded message:";
- lines starting with ">".

Signatures start at an RFC 3676 "-- " line, or at a mobile client's
"Sent from my iPhone" line.
"""

from __future__ import annotations

import re

# "... wrote:" in the languages we promise. Each is a suffix that ends the line,
# and an optional prefix that starts it; a line with the suffix but without the
# prefix must at least contain an address or a digit (a date) to count, so that
# "As the manual wrote:" in a customer's own text is not taken for history.
_ATTRIBUTIONS: tuple[tuple[str, str], ...] = (
    (r"on\b", r"\bwrote\s*:"),  # English
    (r"am\b", r"\bschrieb\b.*:"),  # German: "Am 3. März 2026 um 10:12 schrieb Jane <j@x>:"
    (r"le\b", r"\ba\s+écrit\s*:"),  # French: "Le 3 mars 2026 à 10:12, Jane a écrit :"
    (r"el\b", r"\bescribió\s*:"),  # Spanish
    (r"il\b", r"\bha\s+scritto\s*:"),  # Italian: "Il giorno mar 3 mar 2026 ... ha scritto:"
    (r"op\b", r"\bschreef\b.*:"),  # Dutch: "Op di 3 mrt. 2026 om 10:12 schreef Jane <j@x>:"
    (r"em\b", r"\bescreveu\s*:"),  # Portuguese
    (r"w\s+dniu\b", r"\bnapisał(?:\(a\)|a)?\s*:"),  # Polish
    # Russian: "3 марта 2026 г., в 10:12, Jane <j@x> пишет:"
    (r"", r"(?:пишет|написал(?:\(а\)|а)?)\s*:"),
    (r"den\b", r"\bskrev\b.*:"),  # Swedish: "Den 3 mars 2026 kl. 10:12 skrev Jane <j@x>:"
    (r"", r"写道\s*[:：]"),  # Chinese: "Jane <j@x> 于2026年3月3日周二 10:12写道："
    (r"", r"寫道\s*[:：]"),  # Chinese (traditional)
)
_ATTRIBUTION_RES = tuple(
    (re.compile(rf"^{prefix}", re.I) if prefix else None, re.compile(rf"{suffix}$", re.I))
    for prefix, suffix in _ATTRIBUTIONS
)

_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:original message|ursprüngliche nachricht|originalnachricht|"
    r"message d'origine|message original|mensaje original|messaggio originale|"
    r"oorspronkelijk bericht|origineel bericht|mensagem original|wiadomość oryginalna|"
    r"oryginalna wiadomość|исходное сообщение|пересылаемое сообщение|"
    r"ursprungligt meddelande|原始邮件|原始郵件|原始信件|forwarded message|"
    r"weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|"
    r"doorgestuurd bericht|mensagem encaminhada|wiadomość przekazana|vidarebefordrat meddelande|"
    r"转发的邮件|轉寄的郵件)\s*-{2,}\s*$",
    re.I,
)
_FORWARD_BANNER = re.compile(
    r"^(?:begin forwarded message|anfang der weitergeleiteten nachricht|"
    r"début du message réenvoyé|début du message transféré|inicio del mensaje reenviado|"
    r"inizio messaggio inoltrato|begin doorgestuurd bericht|início da mensagem reencaminhada|"
    r"początek przekazanej wiadomości|начало переадресованного сообщения|"
    r"vidarebefordrat brev|转发的邮件)\s*[:：]\s*$",
    re.I,
)
# Outlook's separator line above its header block.
_UNDERSCORES = re.compile(r"^_{20,}\s*$")

_HEADER_FROM = re.compile(
    r"^(?:from|von|de|da|van|od|от|från|fra|发件人|寄件者|寄件人)\s*[:：]", re.I
)
_HEADER_SENT = re.compile(
    r"^(?:sent|date|gesendet|datum|envoyé|date|enviado|fecha|inviato|data|verzonden|"
    r"verstuurd|wysłano|data wysłania|отправлено|дата|skickat|datum|发送时间|日期|"
    r"寄件日期|時間|傳送時間)\s*[:：]",
    re.I,
)
_HEADER_TO_OR_SUBJECT = re.compile(
    r"^(?:to|an|à|a|para|aan|do|кому|till|收件人|subject|betreff|objet|asunto|oggetto|"
    r"onderwerp|assunto|temat|тема|ämne|主题|主旨)\s*[:：]",
    re.I,
)

_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^(?:sent from my \w[\w ]*|sent from (?:mail|outlook|yahoo mail|samsung mobile)\b.*|"
    r"sent (?:via|with) \w.*|get outlook for (?:ios|android).*|sent from my mobile device|"
    r"von meinem \w.* gesendet|gesendet von meinem \w.*|gesendet mit der .*|"
    r"envoyé de mon \w.*|envoyé depuis mon \w.*|"
    r"enviado desde mi \w.*|enviado do meu \w.*|enviado de meu \w.*|"
    r"inviato da(?:l mio)? \w.*|verzonden (?:vanaf|met) (?:mijn )?\w.*|"
    r"wysłane z (?:mojego )?\w.*|отправлено с (?:моего )?\w.*|"
    r"skickat från min \w.*|发自我的\w.*|从我的\w+发送|來自我的\w.*)\s*$",
    re.I,
)


def _plain(line: str) -> str:
    """A line without the bold stars and spaces plain-text renderings of HTML put around headers."""
    return line.strip().strip("*_").strip().replace("\u00a0", " ")


def _is_attribution(text: str, *, wrapped: bool = False) -> bool:
    """An attribution line; `wrapped` text (several lines joined) must also start
    with the language's opening word, since a sentence before a real attribution
    must not be swallowed with it."""
    text = _plain(text)
    # Every attribution ends with a colon; checking that first keeps long mails fast.
    if not text.endswith((":", "：")) or len(text) > 300:
        return False
    for prefix, suffix in _ATTRIBUTION_RES:
        if not suffix.search(text):
            continue
        if prefix is not None and prefix.match(text):
            return True
        if not wrapped and ("@" in text or re.search(r"\d", text)):
            return True
    return False


def _is_header_block(lines: list[str], index: int) -> bool:
    """An Outlook-style "From: / Sent: / To: / Subject:" block starts at lines[index]."""
    if not _HEADER_FROM.match(_plain(lines[index])):
        return False
    following = [_plain(line) for line in lines[index + 1 : index + 6] if line.strip()]
    has_sent = any(_HEADER_SENT.match(line) for line in following)
    has_other = any(_HEADER_TO_OR_SUBJECT.match(line) for line in following)
    return has_sent and has_other


def quote_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, or None."""
    for index, line in enumerate(lines):
        if _UNDERSCORES.match(line.strip()) and any(
            _is_header_block(lines, j) for j in range(index + 1, min(index + 3, len(lines)))
        ):
            return index
        stripped = _plain(line)
        if not stripped:
            continue
        if _ORIGINAL_MESSAGE.match(stripped) or _FORWARD_BANNER.match(stripped):
            return index
        if _is_header_block(lines, index):
            return index
        if line.lstrip().startswith(">"):
            continue
        # Gmail wraps long attributions; try the line alone, then joined with the next ones.
        if _is_attribution(line):
            return index
        for span in (2, 3):
            part = lines[index : index + span]
            if len(part) < span or not all(piece.strip() for piece in part):
                break
            if _is_attribution(" ".join(_plain(piece) for piece in part), wrapped=True):
                return index
    return None


def strip_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line.rstrip("\r")) or _MOBILE_SIGNATURE.match(_plain(line)):
            return lines[:index]
    return lines


def _trim(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines).strip("\n").rstrip()
    return re.sub(r"\n{3,}", "\n\n", text)


def extract_reply(text: str) -> str:
    """What the sender wrote this time: text before the quoted history, without signature.

    Falls back to the unquoted lines (bottom-posting and inline answers), and to the
    whole text when nothing else is left, so a message never shows empty.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = quote_start(lines)
    head = lines[:start] if start is not None else lines
    reply = _trim(strip_signature([line for line in head if not line.lstrip().startswith(">")]))
    if reply.strip():
        return reply
    quoted_below = start is not None and any(
        line.lstrip().startswith(">") for line in lines[start + 1 :]
    )
    if start is not None and quoted_below:
        # Bottom-posted: the new text follows the quote; keep what is not quoted.
        tail = [line for line in lines[start + 1 :] if not line.lstrip().startswith(">")]
        if quote_start(tail) is None:
            reply = _trim(strip_signature(tail))
            if reply.strip():
                return reply
    return text.strip()
