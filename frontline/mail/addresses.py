"""Signed addresses and Message-IDs: how a reply finds its ticket, unforgeably.

- Reply address: `support+FL-10427-k3j9x2q8hd@example.com`. The signature is an
  HMAC of the ticket number under the secret key, so nobody can guess the
  address of another ticket from their own.
- Message-ID: `<fl.10427.8f3a2c91.k3j9x2q8hd@example.com>`: our own mails carry the
  ticket number and a signature too, so a reply whose In-Reply-To or References
  quote it threads even when the customer's client drops the reply address.
The signature covers the purpose ("reply", "msgid") as well as the number, so a
token made for one use is worthless for the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings

from frontline.tickets.models import format_reference

_SIGNATURE_LENGTH = 10
_REPLY_LOCAL = re.compile(
    r"^(?P<base>[^+@]+)\+(?P<prefix>[a-z]{1,8})-(?P<number>\d{1,12})-(?P<sig>[a-z2-7]{10})$",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(
    r"^fl\.(?P<number>\d{1,12})\.(?P<nonce>[0-9a-f]{1,32})\.(?P<sig>[a-z2-7]{10})@(?P<domain>.+)$",
    re.IGNORECASE,
)


def _signature(purpose: str, number: int) -> str:
    key = hashlib.sha256(("frontline.mail." + settings.SECRET_KEY).encode()).digest()
    digest = hmac.new(key, f"{purpose}:{number}".encode(), hashlib.sha256).digest()
    # base32, lower case: mail systems may change the case of a local part.
    return base64.b32encode(digest).decode().lower()[:_SIGNATURE_LENGTH]


def _matches(purpose: str, number: int, signature: str) -> bool:
    return hmac.compare_digest(_signature(purpose, number), signature.lower())


def support_address() -> str:
    return str(settings.FRONTLINE_SUPPORT_ADDRESS)


def reply_address(ticket_number: int, base_address: str | None = None) -> str:
    """The per-ticket reply address, e.g. support+FL-10427-<signature>@domain."""
    local, _, domain = (base_address or support_address()).rpartition("@")
    reference = format_reference(ticket_number)
    return f"{local}+{reference}-{_signature('reply', ticket_number)}@{domain}"


def ticket_from_reply_address(address: str) -> int | None:
    """The ticket number a reply address was signed for, or None if it is not one
    of ours or its signature is wrong (forged, or made for another ticket)."""
    local, _, _domain = (address or "").strip().rpartition("@")
    match = _REPLY_LOCAL.match(local)
    if match is None:
        return None
    if match.group("prefix").upper() != settings.FRONTLINE_REFERENCE_PREFIX.upper():
        return None
    number = int(match.group("number"))
    return number if _matches("reply", number, match.group("sig")) else None


def new_message_id(ticket_number: int) -> str:
    """A fresh Message-ID (without angle brackets) that names and signs the ticket."""
    domain = settings.FRONTLINE_MESSAGE_ID_DOMAIN
    nonce = secrets.token_hex(8)
    return f"fl.{ticket_number}.{nonce}.{_signature('msgid', ticket_number)}@{domain}"


def ticket_from_message_id(message_id: str) -> int | None:
    """The ticket number in one of our own signed Message-IDs, or None."""
    match = _MESSAGE_ID.match((message_id or "").strip().strip("<>"))
    if match is None:
        return None
    number = int(match.group("number"))
    return number if _matches("msgid", number, match.group("sig")) else None
