"""Reading bounces: RFC 3464 delivery status reports and the common free-text forms.

Standard reports (Postfix, Exim 4, Exchange, Gmail, Sendmail today) are
multipart/report; report-type=delivery-status with a machine-readable
message/delivery-status part. Older or simpler servers (qmail, old Exim, old
Exchange, some webmail) send plain text from MAILER-DAEMON; for those we read
the failed addresses and the status code out of the text above the copy of the
original message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from typing import Any

from frontline.mail.charsets import clean_text, decode_bytes
from frontline.mail.headers import first_message_id, raw_header


@dataclass
class Bounce:
    original_message_id: str | None
    recipients: list[str] = field(default_factory=list)
    status: str | None = None
    permanent: bool = False
    diagnostic: str | None = None  # the remote server's words, for the ticket view

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "original_message_id": self.original_message_id,
            "recipients": list(self.recipients),
            "status": self.status,
            "permanent": self.permanent,
        }


_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_SMTP_CODE = re.compile(r"(?<![\d.\-])([45])\d\d(?=[\s\-])")
# \w is Unicode-aware: UTF-8 local parts and Unicode domains (RFC 6531) count too.
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~\-]+@[\w\-]+(?:\.[\w\-]+)+")
# RFC 6533 §3: a utf-8-type address in a report writes some characters as \x{HEX}.
_UTF8_XTEXT = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")
_DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon", "maildaemon", "mailerdaemon",
            "mail.daemon", "mdaemon", "bounce", "bounces"}

BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:fw:\s*)?(?:undeliver(?:ed|able)|delivery (?:status notification|failure|has failed|"
    r"notification|failed|problem)|mail delivery (?:failed|failure|subsystem|system)|"
    r"returned mail|failure notice|non[- ]?delivery|nicht zustellbar|unzustellbar|"
    r"non remis|non distribuable|no se puede entregar|no entregado|impossible de remettre|"
    r"message not delivered|mail system error|mail could not be delivered|"
    r"onbestelbaar|non recapitabile|não entregue|niedostarczalne|"
    r"не доставлено|недоставленное|kan inte levereras|退信|无法投递)",
    re.I,
)
_COPY_MARKERS = re.compile(
    r"^\s*(?:-+\s*)?(?:below this line is a copy of the message|this is a copy of the message|"
    r"original message follows|the original message was received|original message headers|"
    r"------ this is a copy|-+ original message -+|unsent message below|"
    r"-+ the header of the original message is following|"
    r"-+\s*message header follows)",
    re.I | re.M,
)
_PERMANENT_WORDS = re.compile(
    r"permanent|could not be delivered|couldn't be delivered|does not exist|user unknown|"
    r"no such user|unknown user|mailbox unavailable|address rejected|not found",
    re.I,
)
_TEMPORARY_WORDS = re.compile(
    r"temporar|delayed|will (?:retry|continue|keep trying)|still trying|not yet been delivered",
    re.I,
)
_FAILURE_WORDS = re.compile(
    r"could not be delivered|couldn't be delivered|delivery (?:to the following|has failed)|"
    r"failed permanently|permanent(?:ly)? (?:error|fatal|failure)|undeliverable|"
    r"following address(?:es)?(?:\(es\))? failed|did not reach|cannot be reached|"
    r"unable to deliver|not be delivered|user unknown|mailbox unavailable|"
    r"delivery to the following|rejected|does not exist|returned to sender|"
    r"temporarily deferred|has not yet been delivered|delivery is delayed",
    re.I,
)


def is_daemon(email: str | None) -> bool:
    if not email or "@" not in email:
        return False
    return email.split("@", 1)[0].lower() in _DAEMONS


def _status_from(text: str) -> str | None:
    statuses = [".".join(match.groups()) for match in _STATUS.finditer(text)]
    failing = [status for status in statuses if status[0] in "45"]
    if failing:
        return failing[0]
    code = _SMTP_CODE.search(text)
    if code:
        return f"{code.group(1)}.0.0"
    return None


def field_blocks(part: Message) -> list[dict[str, str]]:
    """The per-message and per-recipient field blocks of a message/delivery-status part."""
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    is_global = part.get_content_type() == "message/global-delivery-status"
    if isinstance(payload, list) and all(isinstance(block, Message) for block in payload):
        if is_global:
            # RFC 6533's UTF-8 report: the stdlib parses it as one message whose
            # "headers" are the first block only; read it as text instead.
            payload = b"".join(block.as_bytes() for block in payload if isinstance(block, Message))
        else:
            for block in payload:
                if isinstance(block, Message):
                    blocks.append({k.lower(): clean_text(str(v)) for k, v in block.items()})
            if any(blocks):
                return blocks
    raw = payload if isinstance(payload, bytes) else part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        raw = str(payload).encode("utf-8", "surrogateescape")
    text = decode_bytes(raw, "utf-8").replace("\r\n", "\n")
    for chunk in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        last: str | None = None
        for line in chunk.split("\n"):
            if line[:1] in (" ", "\t") and last:
                fields[last] += " " + line.strip()
            elif ":" in line:
                name, value = line.split(":", 1)
                last = name.strip().lower()
                fields[last] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def address_field(value: str | None) -> str | None:
    if not value:
        return None
    address = value.split(";", 1)[1] if ";" in value else value
    address = address.strip().strip("<>").strip()
    address = _UTF8_XTEXT.sub(lambda m: _code_point(m.group(1)), address)
    return address or None


def _code_point(hex_digits: str) -> str:
    number = int(hex_digits, 16)
    return chr(number) if number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF else "\ufffd"


def original_message_id(message: Message, text_after: str = "") -> str | None:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found = first_message_id(raw_header(inner[0], "Message-ID"))
                if found:
                    return found
        elif content_type in ("text/rfc822-headers", "message/rfc822-headers",
                              "message/global-headers"):
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                headers = HeaderParser().parsestr(decode_bytes(raw, "utf-8"))
                found = first_message_id(headers.get("Message-ID"))
                if found:
                    return found
    match = re.search(r"^\s*message-id:\s*(<[^>\s]+>)", text_after, re.I | re.M)
    return first_message_id(match.group(1)) if match else None


def parse_dsn(message: Message) -> Bounce | None:
    """An RFC 3464 delivery status report; None when the mail has no such part."""
    status_part = next(
        (p for p in message.walk()
         if p.get_content_type() in ("message/delivery-status", "message/global-delivery-status")),
        None,
    )
    if status_part is None:
        return None
    blocks = field_blocks(status_part)
    recipients: list[str] = []
    statuses: list[str] = []
    diagnostics: list[str] = []
    for block in blocks:
        action = block.get("action", "").strip().lower()
        if "final-recipient" not in block and "original-recipient" not in block:
            continue
        if action and action not in ("failed", "delayed"):
            continue  # delivered, relayed, expanded: not a failure
        address = address_field(block.get("original-recipient")) or address_field(
            block.get("final-recipient")
        )
        if address and address not in recipients:
            recipients.append(address)
        status = _status_from(block.get("status", "")) or _status_from(
            block.get("diagnostic-code", "")
        )
        if status is None and action == "failed":
            status = "5.0.0"
        if status is None and action == "delayed":
            status = "4.0.0"
        if status:
            statuses.append(status)
        if block.get("diagnostic-code"):
            diagnostics.append(address_field(block["diagnostic-code"]) or "")
    if not recipients and not statuses:
        return None
    status = next((s for s in statuses if s.startswith("5")), statuses[0] if statuses else None)
    return Bounce(
        original_message_id=original_message_id(message),
        recipients=recipients,
        status=status,
        permanent=bool(status and status.startswith("5")),
        diagnostic=diagnostics[0] if diagnostics else None,
    )


def parse_text_bounce(
    message: Message, text: str, *, subject: str, sender: str | None, exclude: set[str]
) -> Bounce | None:
    """A free-text bounce from a mailer daemon (qmail, old Exim and Exchange, webmail)."""
    if not (is_daemon(sender) or BOUNCE_SUBJECT.search(subject or "")):
        return None
    marker = _COPY_MARKERS.search(text)
    report = text[: marker.start()] if marker else text
    after = text[marker.start():] if marker else ""
    if not _FAILURE_WORDS.search(report):
        return None
    excluded = {address.lower() for address in exclude}
    recipients: list[str] = []
    for address in _ADDRESS.findall(report):
        address = address.strip(".")
        lowered = address.lower()
        if lowered in excluded or is_daemon(address) or lowered in (r.lower() for r in recipients):
            continue
        recipients.append(address)
    status = _status_from(report)
    if status is not None:
        permanent = status.startswith("5")
    elif _TEMPORARY_WORDS.search(report):
        permanent = False
    else:
        permanent = bool(_PERMANENT_WORDS.search(report))
        status = "5.0.0" if permanent else None
    if not recipients and status is None:
        return None
    return Bounce(
        original_message_id=original_message_id(message, after),
        recipients=recipients,
        status=status,
        permanent=permanent,
    )
