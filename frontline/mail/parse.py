"""Reading a raw mail into what Frontline needs: `parse_message(raw) -> ParsedMail`.

`parse_message` never raises, for any bytes: a part it cannot read is skipped
and noted in `problems`; a mail it cannot read at all comes back with its bytes
decoded as text and the error in `parse_error`, so the storage layer keeps it
and shows it to admins. `ParsedMail.to_json_dict()` is the contract of
`frontline mail parse --json` (see CONTRACT_KEYS).

Message-IDs are given without their angle brackets everywhere (message_id,
in_reply_to, references, bounce.original_message_id), so they compare directly.
"""

from __future__ import annotations

import base64
import email
import email.policy
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any

from frontline.core.quotes import extract_reply
from frontline.mail import attachments as attachment_forms
from frontline.mail.attachments import Attachment
from frontline.mail.auto import DEFAULT_LOOP_HEADER, NOT_AUTOMATIC, AutoKind, classify
from frontline.mail.bounces import Bounce, parse_dsn, parse_text_bounce
from frontline.mail.charsets import clean_text, decode_bytes, strip_bom
from frontline.mail.headers import (
    Address,
    decode_words,
    first_message_id,
    message_ids,
    parse_addresses,
    parse_date,
    plausible_date,
    raw_header,
    raw_header_values,
)
from frontline.mail.html import (
    bounded,
    html_to_text,
    references_cid,
    reply_html_to_text,
    sanitise_html,
)
from frontline.mail.reports import MailReport, parse_report
from frontline.mail.structure import MAX_DEPTH, read_tree

CONTRACT_KEYS = (
    "message_id", "in_reply_to", "references", "date", "from", "to", "cc", "reply_to",
    "subject", "text", "reply", "html", "attachments", "auto", "bounce",
)

# Parts the parser splits into sub-messages that we keep as one attachment.
_KEPT_WHOLE = ("message/rfc822", "message/global", "message/delivery-status",
               "message/global-delivery-status", "message/feedback-report")


@dataclass
class ParsedMail:
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    date: datetime | None = None
    sender: Address | None = None  # the From address ("from" in JSON)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    reply: str = ""
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    auto: AutoKind = NOT_AUTOMATIC
    bounce: Bounce | None = None
    # Not in the JSON contract (`auto` says "report"); for the storage layer and the admin view.
    report: MailReport | None = None
    # The Date header as written when it cannot be true (`date` is then None).
    refused_date: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    parse_error: str | None = None

    def header(self, name: str) -> str | None:
        """The first decoded value of a header, or None."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def to_json_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "date": self.date.isoformat() if self.date else None,
            "from": self.sender.to_json_dict() if self.sender else None,
            "to": [address.to_json_dict() for address in self.to],
            "cc": [address.to_json_dict() for address in self.cc],
            "reply_to": [address.to_json_dict() for address in self.reply_to],
            "subject": self.subject,
            "text": self.text,
            "reply": self.reply,
            "html": self.html,
            "attachments": [attachment.to_json_dict() for attachment in self.attachments],
            "auto": self.auto.to_json_dict(),
            "bounce": self.bounce.to_json_dict() if self.bounce else None,
        }
        if self.parse_error:
            result["error"] = self.parse_error
        return result


def empty_json_dict(error: str) -> dict[str, Any]:
    """The line for a file that could not be read at all."""
    result = ParsedMail().to_json_dict()
    result["error"] = error
    return result


@dataclass
class _Body:
    """What one branch of the MIME tree contributes."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    fallback_texts: list[str] = field(default_factory=list)  # from TNEF, used if nothing else
    fallback_htmls: list[str] = field(default_factory=list)

    def absorb(self, other: _Body, *, texts: bool = True, htmls: bool = True) -> None:
        if texts:
            self.texts.extend(other.texts)
        if htmls:
            self.htmls.extend(other.htmls)
        self.attachments.extend(other.attachments)
        self.fallback_texts.extend(other.fallback_texts)
        self.fallback_htmls.extend(other.fallback_htmls)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.charsets: list[str] = []

    # --- parts ---------------------------------------------------------------

    def walk(self, part: Message, depth: int = 0, *, related: bool = False) -> _Body:
        body = _Body()
        if depth > MAX_DEPTH:
            self.problems.append("MIME nesting too deep; the rest is kept as one attachment")
            body.attachments.append(self._raw_attachment(part, "nested.eml"))
            return body
        content_type = part.get_content_type()
        if part.is_multipart() and content_type not in _KEPT_WHOLE:
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            if content_type == "multipart/alternative":
                return self._alternative(children, depth)
            for child in children:
                body.absorb(
                    self.walk(child, depth + 1, related=content_type == "multipart/related")
                )
            return body
        try:
            self._leaf(part, body, related=related)
        except Exception as error:  # one broken part never loses the rest of the mail
            self.problems.append(f"part {content_type} unreadable: {type(error).__name__}")
            body.attachments.append(self._raw_attachment(part, "unreadable-part.bin"))
        return body

    def _alternative(self, children: list[Message], depth: int) -> _Body:
        # RFC 2046 §5.1.4: alternatives are in increasing order of faithfulness; we want
        # the plain one for text and the richest HTML one for html.
        body = _Body()
        branches = [self.walk(child, depth + 1) for child in children]
        text_branch = next((branch for branch in branches if any(t.strip() for t in branch.texts)),
                           None)
        html_branch = next((branch for branch in reversed(branches) if branch.htmls), None)
        for branch in branches:
            body.absorb(branch, texts=branch is text_branch, htmls=branch is html_branch)
        return body

    def _leaf(self, part: Message, body: _Body, *, related: bool) -> None:
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = attachment_forms.part_filename(part)
        cid = attachment_forms.content_id(part)

        if content_type in ("message/rfc822", "message/global"):
            body.attachments.append(self._forwarded(part, filename))
            return
        payload = self._payload(part)
        if part.get_content_maintype() == "multipart":
            # A multipart without a usable boundary: the parser kept it whole; read it as text.
            content_type = "text/plain"
        if attachment_forms.is_tnef(part, filename):
            contents = attachment_forms.read_tnef(payload)
            if contents is not None:
                body.attachments.extend(contents.attachments)
                if contents.text:
                    body.fallback_texts.append(contents.text)
                if contents.html:
                    body.fallback_htmls.append(contents.html)
                return
            self.problems.append("winmail.dat could not be read; kept as it is")
        is_body_text = (
            content_type in ("text/plain", "text/html")
            and disposition != "attachment"
            and filename is None
        )
        if is_body_text:
            text = self._decode_text(part, payload)
            if content_type == "text/html":
                body.htmls.append(text)
            else:
                text, uuencoded = attachment_forms.extract_uuencoded(text)
                body.attachments.extend(uuencoded)
                body.texts.append(text)
            return
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            name = filename or "delivery-status.txt"
        elif content_type == "message/feedback-report":
            name = filename or "feedback-report.txt"
        elif content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            name = filename or "original-headers.txt"
        else:
            name = filename or attachment_forms.default_name(content_type)
        inline = disposition == "inline" and related and part.get_content_maintype() == "image"
        body.attachments.append(Attachment(
            filename=attachment_forms.safe_filename(name, attachment_forms.default_name(
                content_type)),
            content_type=content_type,
            payload=payload,
            inline=inline or (related and not disposition and cid is not None),
            content_id=cid,
        ))

    def _payload(self, part: Message) -> bytes:
        try:
            payload = part.get_payload(decode=True)
        except Exception as error:  # broken transfer encodings
            self.problems.append(f"transfer encoding unreadable: {type(error).__name__}")
            payload = None
        raw = part.get_payload()
        if isinstance(payload, bytes):
            if isinstance(raw, str) and _not_really_base64(part, raw):
                # Labelled base64 but plainly text (a broken mailer); decoding would
                # turn the customer's words into noise.
                return raw.encode("utf-8", errors="surrogateescape")
            return payload
        if isinstance(raw, str):
            return raw.encode("utf-8", errors="surrogateescape")
        if isinstance(raw, list):
            return b"\n\n".join(self._flatten(item).strip(b"\n") for item in raw
                                 if isinstance(item, Message)) + b"\n"
        return b""

    def _flatten(self, message: Message) -> bytes:
        try:
            from email.generator import BytesGenerator
            from io import BytesIO

            buffer = BytesIO()
            BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0).flatten(message)
            return buffer.getvalue()
        except Exception:
            try:
                return message.as_string().encode("utf-8", errors="surrogateescape")
            except Exception as error:
                self.problems.append(f"a part could not be written out: {type(error).__name__}")
                return b""

    def _raw_attachment(self, part: Message, name: str) -> Attachment:
        return Attachment(filename=name, content_type="application/octet-stream",
                          payload=self._flatten(part))

    def _decode_text(self, part: Message, payload: bytes) -> str:
        charset = part.get_content_charset()
        if charset is None and part.get_content_type() == "text/html":
            charset = _html_meta_charset(payload)
        if charset:
            self.charsets.append(charset)
        text = decode_bytes(payload, charset)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if part.get_content_type() == "text/plain":
            params = {k.lower(): str(v).lower() for k, v in _params(part)}
            if params.get("format") == "flowed":
                text = unflow(text, delsp=params.get("delsp") == "yes")
        return clean_text(text)

    def _forwarded(self, part: Message, filename: str | None) -> Attachment:
        cte = (raw_header(part, "Content-Transfer-Encoding") or "").strip().lower()
        inner_list = part.get_payload()
        inner = inner_list[0] if isinstance(inner_list, list) and inner_list else None
        raw = self._flatten(inner) if isinstance(inner, Message) else b""
        if cte in ("base64", "quoted-printable") and isinstance(inner, Message):
            # Not allowed by RFC 2046 §5.2.1, but sent: the parser saw the encoded text.
            try:
                if cte == "base64":
                    encoded = inner.get_payload() if not inner.keys() else ""
                    data = str(encoded).encode("ascii", errors="ignore")
                    data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
                    decoded = base64.b64decode(data + b"=" * (-len(data) % 4))
                else:
                    decoded = quopri.decodestring(raw)
                if decoded:
                    raw = decoded
                    inner = email.message_from_bytes(decoded, policy=email.policy.compat32)
            except Exception:
                self.problems.append("forwarded message with a broken transfer encoding")
        subject = decode_words(raw_header(inner, "Subject")) if isinstance(inner, Message) else ""
        subject = re.sub(r"\s+", " ", subject).strip()
        if subject:
            name = f"{subject}.eml"
        elif filename:
            name = filename if filename.lower().endswith(".eml") else f"{filename}.eml"
        else:
            name = "forwarded message.eml"
        return Attachment(
            filename=attachment_forms.safe_filename(name, "forwarded message.eml"),
            content_type=part.get_content_type(),
            payload=raw,
            content_id=attachment_forms.content_id(part),
        )


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=\s]")


def _not_really_base64(part: Message, raw: str) -> bool:
    cte = (raw_header(part, "Content-Transfer-Encoding") or "").strip().lower()
    if cte != "base64" or not raw:
        return False
    sample = raw[:4096]
    # Base64 lines never hold a space between characters, nor much punctuation.
    return bool(re.search(r"\S \S", sample)) or len(_NOT_BASE64.findall(sample)) > len(sample) // 50


def _params(part: Message) -> list[tuple[str, str]]:
    try:
        found = part.get_params() or []
    except Exception:
        return []
    return [(str(k), v if isinstance(v, str) else "") for k, v in found]


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)


def _html_meta_charset(payload: bytes) -> str | None:
    match = _META_CHARSET.search(payload[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed: soft line breaks (a trailing space) are joined."""
    out: list[str] = []
    current: str | None = None
    current_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (RFC 3676 §4.4)
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if current is not None and depth == current_depth:
            current += content
        else:
            if current is not None:
                out.append(">" * current_depth + (" " if current_depth else "") + current)
            current, current_depth = content, depth
        if not flowed:
            out.append(">" * current_depth + (" " if current_depth else "") + current)
            current = None
    if current is not None:
        out.append(">" * current_depth + (" " if current_depth else "") + current)
    return "\n".join(out)


def _join_texts(texts: Iterable[str]) -> str:
    joined = "\n".join(text.strip("\n") for text in texts if text.strip())
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def parse_message(
    raw: bytes,
    *,
    own_domains: Iterable[str] | None = None,
    loop_header: str = DEFAULT_LOOP_HEADER,
    allow_remote_images: bool = False,
) -> ParsedMail:
    """Read one raw mail. Never raises.

    `own_domains`: Message-ID domains that are ours (mail carrying one is our own
    mail coming back, a loop); None means the FRONTLINE_MESSAGE_ID_DOMAIN setting.
    `loop_header`: the header our outbound mail carries; its presence means a loop.
    `allow_remote_images`: keep http(s) image sources in `html` (an agent asked).
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogateescape")
    raw = strip_bom(bytes(raw))
    try:
        return _parse(raw, own_domains=own_domains, loop_header=loop_header,
                      allow_remote_images=allow_remote_images)
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return _unparsed(raw, error)


def _unparsed(raw: bytes, error: BaseException) -> ParsedMail:
    try:
        text = clean_text(decode_bytes(raw)).strip()
    except Exception:
        text = clean_text(raw.decode("utf-8", errors="replace")).strip()
    return ParsedMail(text=text, reply=text, parse_error=f"{type(error).__name__}: {error}",
                      problems=[f"mail could not be parsed: {type(error).__name__}: {error}"])


def _parse(raw: bytes, *, own_domains: Iterable[str] | None, loop_header: str,
           allow_remote_images: bool = False) -> ParsedMail:
    # compat32 keeps header values as written; headers.py decodes them leniently.
    message, cut = read_tree(raw)
    reader = _Reader()
    body = reader.walk(message)
    hint = reader.charsets[0] if reader.charsets else None

    problems = list(reader.problems)
    if cut and not any(problem.startswith("MIME nesting") for problem in problems):
        problems.append(f"MIME nesting deeper than {MAX_DEPTH} levels; "
                        "the innermost parts are kept inside the forwarded attachment")
    for part in message.walk():
        problems.extend(type(defect).__name__ for defect in getattr(part, "defects", []))

    def header(name: str) -> str | None:
        return raw_header(message, name)

    sender_list = parse_addresses(raw_header_values(message, "From"), hint) or parse_addresses(
        raw_header_values(message, "Sender"), hint
    )
    sender = sender_list[0] if sender_list else None
    subject = re.sub(r"\s+", " ", decode_words(header("Subject"), hint).replace("\x00", "")).strip()
    written = parse_date(header("Date"))
    if written is None:
        received = raw_header_values(message, "Received")
        written = parse_date(str(received[0])) if received else None
    date = plausible_date(written)
    refused_date = None
    if written is not None and date is None:
        refused_date = clean_text(header("Date") or written.isoformat()).strip()[:120]
        problems.append(f"the date {written.isoformat()} cannot be true; "
                        "the time the mail was received is used")

    raw_html = "\n".join(body.htmls) or "\n".join(body.fallback_htmls)
    # Issue 11: bounded in depth and size once, in one linear pass, before any tree is built.
    html_shape = bounded(raw_html)
    problems.extend(f"HTML simplified: {note}" for note in html_shape.notes)
    text = _join_texts(body.texts)
    if text:
        reply = extract_reply(text)
    elif raw_html:
        text = html_to_text(html_shape)
        reply_text = reply_html_to_text(html_shape) if text else None
        reply = extract_reply(text if reply_text is None else reply_text) if text else ""
    else:
        text = _join_texts(body.fallback_texts)
        reply = extract_reply(text) if text else ""

    html_sources = body.htmls or body.fallback_htmls
    for attachment in body.attachments:
        if attachment.content_id and references_cid(html_sources, attachment.content_id):
            attachment.inline = True

    to = parse_addresses(raw_header_values(message, "To"), hint)
    message_id = first_message_id(header("Message-ID"))
    is_report = (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type") or "").lower() in (
            "delivery-status", "global-delivery-status")
    )
    bounce = parse_dsn(message)
    report = parse_report(message) if bounce is None else None
    if bounce is None and report is None:
        exclude = {address.email for address in to}
        if sender:
            exclude.add(sender.email)
        bounce = parse_text_bounce(message, text, subject=subject,
                                   sender=sender.email if sender else None, exclude=exclude)
    auto = classify(
        message,
        sender=sender.email if sender else None,
        subject=subject,
        message_id=message_id,
        bounce=bounce,
        report=report,
        is_delivery_report=is_report,
        loop_header=loop_header,
        own_domains=own_domains,
    )
    html = (sanitise_html(html_shape, allow_remote_images=allow_remote_images)
            if raw_html.strip() else None)

    return ParsedMail(
        message_id=message_id,
        in_reply_to=first_message_id(header("In-Reply-To")),
        references=message_ids(header("References")),
        date=date,
        sender=sender,
        to=to,
        cc=parse_addresses(raw_header_values(message, "Cc"), hint),
        reply_to=parse_addresses(raw_header_values(message, "Reply-To"), hint),
        subject=subject,
        text=text,
        reply=reply,
        html=html or None,
        attachments=body.attachments,
        auto=auto,
        bounce=bounce,
        report=report,
        refused_date=refused_date,
        headers=[(clean_text(str(name)), decode_words(str(value), hint))
                 for name, value in message.raw_items()],
        problems=problems,
    )


def parse_files(paths: Iterable[str | Path]) -> Iterator[dict[str, Any]]:
    """One contract dict per path, in order; unreadable files get an `error` key."""
    for path in paths:
        location = Path(path)
        try:
            if location.is_dir():
                yield empty_json_dict(f"{location}: is a directory, not a mail file")
                continue
            raw = location.read_bytes()
        except OSError as error:
            yield empty_json_dict(f"{location}: {error.strerror or error}")
            continue
        if not raw.strip():
            yield empty_json_dict(f"{location}: the file is empty")
            continue
        yield parse_message(raw).to_json_dict()
