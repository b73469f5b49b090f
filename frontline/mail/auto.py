"""Recognising automatic mail, so that we never answer a machine.

RFC 3834 §2 asks responders to mark their mail with `Auto-Submitted`, and §5 asks
us never to answer such mail. Most robots don't follow it alone, so we also read
the older conventions: `Precedence`, `X-Autoreply`/`X-Autorespond`, Microsoft's
`X-Auto-Response-Suppress` (only backing an out-of-office subject, see below), list
headers (RFC 2369/2919), the null return path of bounces and auto-replies, robot
sender names, and the subject lines of Exchange, Gmail and Zimbra out-of-office
replies. Our own loop header and our own Message-ID domain coming back to us mean
a loop.

Reports about mail we sent that are not failures (RFC 5965 abuse feedback, RFC
3464 notices of successful delivery; reports.py) are their own kind, `report`:
they come from mail servers and robots too, so once a mail is read as a report the
signs of a mail server (null return path, MAILER-DAEMON) no longer make it a bounce.

When several signs are present the strongest kind wins:
loop > bounce > report > autoreply > list > bulk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from frontline.mail.bounces import BOUNCE_SUBJECT, Bounce, is_daemon
from frontline.mail.headers import decode_words, raw_header
from frontline.mail.reports import MailReport

DEFAULT_LOOP_HEADER = "X-Frontline-Loop"

KINDS = ("none", "autoreply", "bounce", "report", "list", "bulk", "loop")
_STRENGTH = {"loop": 6, "bounce": 5, "report": 4, "autoreply": 3, "list": 2, "bulk": 1,
             "none": 0}


@dataclass(frozen=True)
class AutoKind:
    kind: str
    reason: str | None = None

    @property
    def is_automatic(self) -> bool:
        return self.kind != "none"

    def to_json_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}


NOT_AUTOMATIC = AutoKind("none", None)

_NOREPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|no[-_.]?response|"
    r"notifications?|automailer|auto[-_.]?reply|autoresponder|bounces?(?:[+\-].*)?)$",
    re.I,
)
# Out-of-office subject prefixes: Exchange/Outlook in the languages we promise,
# Zimbra's "Out of Office", and the forms Gmail users most often configure.
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?reply|autoreply|auto-response|"
    r"out of (?:the )?office|ooo\b|abwesenheitsnotiz|automatische antwort|abwesend|"
    r"réponse automatique|absence du bureau|respuesta automática|fuera de la oficina|"
    r"risposta automatica|fuori sede|automatisch antwoord|afwezig|"
    r"resposta automática|ausente do escritório|fora do escritório|"
    r"odpowiedź automatyczna|poza biurem|автоматический ответ|автоответ|"
    r"automatiskt svar|frånvaro|自动回复|自動回覆|自动答复)",
    re.I,
)


def _default_own_domains() -> tuple[str, ...]:
    try:
        from django.conf import settings

        if not settings.configured:
            return ()
        domain = getattr(settings, "FRONTLINE_MESSAGE_ID_DOMAIN", None)
    except Exception:  # Django missing or settings broken: no own domain known
        return ()
    return (domain,) if domain else ()


def _header(message: Message, name: str) -> str:
    return decode_words(raw_header(message, name)).strip()


def classify(
    message: Message,
    *,
    sender: str | None,
    subject: str,
    message_id: str | None,
    bounce: Bounce | None,
    report: MailReport | None = None,
    is_delivery_report: bool = False,
    loop_header: str = DEFAULT_LOOP_HEADER,
    own_domains: Iterable[str] | None = None,
) -> AutoKind:
    """What kind of automatic mail this is, and the header or sign that says so.

    `own_domains` defaults to the FRONTLINE_MESSAGE_ID_DOMAIN setting when Django
    settings are configured; pass () to recognise none.
    """
    domains = tuple(own_domains) if own_domains is not None else _default_own_domains()
    found: list[AutoKind] = []

    def sign(kind: str, reason: str) -> None:
        found.append(AutoKind(kind, reason))

    if loop_header and raw_header(message, loop_header) is not None:
        sign("loop", f"{loop_header} header present (our own mail came back)")
    if message_id and "@" in message_id and domains:
        domain = message_id.rsplit("@", 1)[1].lower().rstrip(">")
        if any(domain == own.lower() for own in domains if own):
            sign("loop", f"Message-ID is in our own domain {domain}")

    if bounce is not None:
        sign("bounce", "delivery status report" if is_delivery_report else
             "bounce from a mail server")
    elif report is not None:
        sign("report", report.summary)
    elif is_delivery_report:
        sign("bulk", "delivery status report without failures")

    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        lowered = auto_submitted.lower()
        kind = "autoreply" if "replied" in lowered or "vacation" in lowered else "bulk"
        if kind == "bulk" and _OUT_OF_OFFICE_SUBJECT.match(subject or ""):
            kind = "autoreply"  # Exchange marks its out-of-office replies auto-generated
        sign(kind, f"Auto-Submitted: {auto_submitted}")

    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk"):
        sign("bulk", f"Precedence: {precedence}")
    elif precedence == "list":
        sign("list", "Precedence: list")
    elif precedence in ("auto_reply", "auto-reply", "autoreply"):
        sign("autoreply", f"Precedence: {precedence}")

    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        value = _header(message, name)
        if value and value.lower() not in ("no", "false", "0"):
            sign("autoreply", f"{name}: {value}")

    # X-Auto-Response-Suppress asks *others* not to auto-answer; Exchange also puts it
    # on people's mail (distribution lists, some Outlook set-ups), and help desks that
    # treated it alone as automatic stopped answering real customers (GLPI #2170,
    # osTicket #5320, sisimai #491). So it only backs up an out-of-office subject.
    suppress = _header(message, "X-Auto-Response-Suppress")
    if _OUT_OF_OFFICE_SUBJECT.match(subject or ""):
        backed = f" with X-Auto-Response-Suppress: {suppress}" if suppress else ""
        sign("autoreply", f"out-of-office subject: {subject.strip()[:80]}{backed}")

    if raw_header(message, "List-Id") is not None:
        sign("list", f"List-Id: {_header(message, 'List-Id')[:120]}")
    elif raw_header(message, "List-Unsubscribe") is not None:
        sign("list", "List-Unsubscribe header present")

    return_path = _header(message, "Return-Path")
    if return_path and re.fullmatch(r"<\s*>", return_path) and report is None:
        bouncing = BOUNCE_SUBJECT.search(subject or "") or is_daemon(sender)
        kind = "bounce" if bouncing else "autoreply"
        sign(kind, "Return-Path is empty (<>)")

    if is_daemon(sender):
        if report is None:
            sign("bounce", f"sent by {sender}")
    elif sender and "@" in sender and _NOREPLY.match(sender.split("@", 1)[0]):
        sign("bulk", f"sent from a no-reply address ({sender})")

    if not found:
        return NOT_AUTOMATIC
    # The strongest kind wins; among equals the first sign found (the most specific).
    return max(found, key=lambda auto: _STRENGTH[auto.kind])
