"""How mail leaves: the connection (SMTP URL, a provider via django-anymail, or the
outbox folder) and what a server's answer means for a retry.

    FRONTLINE_SMTP_URL=smtp://127.0.0.1:1025                plain SMTP (a local relay)
    FRONTLINE_SMTP_URL=smtp+starttls://user:pass@host:587   STARTTLS (submission)
    FRONTLINE_SMTP_URL=smtps://user:pass@host:465           TLS from the first byte
    FRONTLINE_EMAIL_BACKEND=anymail.backends.postmark.EmailBackend
    FRONTLINE_ANYMAIL='{"POSTMARK_SERVER_TOKEN": "..."}'

With neither set (a fresh demo install), mails are written as files under
<data dir>/outbox, so nothing fails and an admin can read what would have gone out.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

SMTP_SCHEMES = {
    "smtp": (False, False),
    "smtp+starttls": (True, False),
    "smtp+tls": (True, False),
    "submission": (True, False),
    "smtps": (False, True),
    "smtp+ssl": (False, True),
}
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtp+tls": 587, "submission": 587,
                 "smtps": 465, "smtp+ssl": 465}
DEFAULT_TIMEOUT = 30


def smtp_options(url: str) -> dict[str, Any]:
    """Keyword arguments for Django's SMTP EmailBackend from an smtp:// URL.

    User and password may be percent-encoded (`p%40ss` for `p@ss`);
    `?timeout=10` sets the socket timeout in seconds.
    """
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"FRONTLINE_SMTP_URL is not a URL: {error}") from None
    if scheme not in SMTP_SCHEMES:
        names = ", ".join(f"{s}://" for s in SMTP_SCHEMES)
        raise ImproperlyConfigured(
            f"FRONTLINE_SMTP_URL must start with one of {names} (got '{scheme}://').")
    if not parts.hostname:
        raise ImproperlyConfigured("FRONTLINE_SMTP_URL names no host.")
    use_tls, use_ssl = SMTP_SCHEMES[scheme]
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
    except ValueError:
        raise ImproperlyConfigured("FRONTLINE_SMTP_URL: timeout must be a number.") from None
    return {
        "host": parts.hostname,
        "port": port or DEFAULT_PORTS[scheme],
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": timeout,
    }


def describe() -> str:
    """Where mail goes, for logs and the README: never shows a password."""
    if settings.FRONTLINE_EMAIL_BACKEND:
        return str(settings.FRONTLINE_EMAIL_BACKEND)
    if settings.FRONTLINE_SMTP_URL:
        options = smtp_options(settings.FRONTLINE_SMTP_URL)
        return f"SMTP {options['host']}:{options['port']}"
    return f"files in {outbox_dir()}"


def outbox_dir() -> Path:
    return Path(settings.FRONTLINE_OUTBOX_DIR)


def connection() -> BaseEmailBackend:
    """A mail connection from the settings (opened by the first send)."""
    if settings.FRONTLINE_EMAIL_BACKEND:
        return get_connection(settings.FRONTLINE_EMAIL_BACKEND, fail_silently=False)
    if settings.FRONTLINE_SMTP_URL:
        # Django's SMTP backend, with SMTPUTF8 for UTF-8 addresses (frontline.mail.smtp).
        return get_connection("frontline.mail.smtp.EmailBackend",
                              fail_silently=False, **smtp_options(settings.FRONTLINE_SMTP_URL))
    outbox_dir().mkdir(parents=True, exist_ok=True)
    return get_connection("django.core.mail.backends.filebased.EmailBackend",
                          fail_silently=False, file_path=str(outbox_dir()))


@dataclass(frozen=True)
class Answer:
    """What came of one attempt: `permanent` failures are not retried."""

    text: str
    permanent: bool


def _smtp_text(code: int, message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {' '.join(str(message).split())}".strip()


def explain(error: BaseException) -> Answer:
    """The server's answer in an exception, and whether trying again could help.

    RFC 5321 §4.2.1: 5yz is a permanent failure, 4yz a transient one. A
    connection that fails, times out or drops is transient too: the server may
    be restarting. Provider API errors (anymail) are permanent for 4xx
    answers other than 429 (too many requests), transient otherwise.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [(_smtp_text(code, msg), code) for code, msg in error.recipients.values()]
        if answers:
            text = "; ".join(f"{rcpt}: {a}" for rcpt, (a, _c) in
                             zip(error.recipients, answers, strict=True))
            return Answer(text, all(code >= 500 for _a, code in answers))
    if isinstance(error, smtplib.SMTPNotSupportedError):
        # The server lacks an extension the mail needs (SMTPUTF8 for a UTF-8 address,
        # frontline.mail.smtp): the same server will refuse it again.
        return Answer(f"not sent: {error}", True)
    if isinstance(error, smtplib.SMTPResponseException):
        return Answer(_smtp_text(error.smtp_code, error.smtp_error), error.smtp_code >= 500)
    if isinstance(error, smtplib.SMTPServerDisconnected | socket.timeout | TimeoutError):
        return Answer(f"connection lost: {error}".strip(": "), False)
    if isinstance(error, ssl.SSLError):
        return Answer(f"TLS failed: {error}", False)
    if isinstance(error, OSError):
        return Answer(f"cannot connect: {error}", False)
    status = getattr(error, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status != 429:
        return Answer(f"{type(error).__name__}: {error}", True)
    if type(error).__name__ == "AnymailRecipientsRefused":
        return Answer(f"recipients refused: {error}", True)
    return Answer(f"{type(error).__name__}: {error}", False)
