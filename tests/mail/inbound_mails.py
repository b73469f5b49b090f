"""Writing test mails and delivering them the way every channel does (accept_raw)."""

from __future__ import annotations

import itertools
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from frontline.mail.models import InboundMail
from frontline.mail.services import process_inbound
from frontline.mail.store import accept_raw

_counter = itertools.count(1)


def compose(
    *,
    sender: str = "Bob Standard <bob@standard.example>",
    to: str = "support@frontline.localhost",
    cc: str | None = None,
    subject: str = "Cannot log in after upgrade",
    body: str = "Since the upgrade the login page says 'invalid token'.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    date: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{message_id or f'm{next(_counter)}.{id(mail)}@client.example'}>"
    mail["Date"] = date or format_datetime(timezone.now())
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        mail["References"] = references
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    for filename, content_type, payload in attachments or []:
        maintype, _, subtype = content_type.partition("/")
        mail.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(mail)


def deliver(raw: bytes, *, source: str = "lmtp", envelope: list[str] | None = None
            ) -> InboundMail:
    """Store the mail as a channel would, then process it as the worker would."""
    accepted = accept_raw(raw, source=source, envelope_recipients=envelope, process=False)
    return process_inbound(accepted.inbound.pk)
