"""Storing a mail first, before anything reads it.

Every way a mail arrives (IMAP, LMTP/SMTP, provider webhooks, import, API)
ends in `accept_raw`: the raw bytes are committed to the database, and only
then is processing queued. A crash at any later point loses nothing: the row
stays `stored` until processing succeeds, and `frontline mail reprocess`
re-runs what did not finish.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.core.errors import InvalidInput
from frontline.mail.models import InboundMail, InboundSource

MAX_RAW_BYTES = 50 * 1024 * 1024

# The headers that say who wrote what; transport headers (Received, Delivered-To,
# Return-Path, DKIM and ARC seals, spam scores) differ between two deliveries of
# one mail and are left out of the content hash.
_CONTENT_HEADERS = ("message-id", "from", "to", "cc", "subject", "date", "in-reply-to")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class Accepted:
    inbound: InboundMail
    created: bool


def _split(raw: bytes) -> tuple[bytes, bytes]:
    found = _BLANK_LINE.search(raw)
    if found is None:
        return raw, b""
    return raw[: found.start()], raw[found.end():]


def dedupe_key(raw: bytes) -> tuple[str, str]:
    """(key, message_id): the same mail delivered twice gets the same key."""
    head, body = _split(raw)
    headers = BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    digest = hashlib.sha256()
    for name in _CONTENT_HEADERS:
        for value in headers.get_all(name, []) or []:
            digest.update(name.encode() + b":" + " ".join(str(value).split()).encode(
                "utf-8", "surrogateescape") + b"\n")
    digest.update(b"\n")
    digest.update(body.replace(b"\r\n", b"\n").rstrip(b"\n"))
    message_id = " ".join(str(headers.get("Message-ID", "") or "").split()).strip().strip("<>")
    key = hashlib.sha256(message_id.encode("utf-8", "surrogateescape") + b"\0"
                         + digest.digest()).hexdigest()
    return key, message_id[:998]


def accept_raw(
    raw: bytes,
    *,
    source: str,
    source_detail: str = "",
    envelope_recipients: list[str] | None = None,
    received_at: datetime | None = None,
    process: bool = True,
) -> Accepted:
    """Store `raw` durably (once per mail) and queue its processing after commit.

    Returns the stored row and whether this call created it; a second delivery of
    the same mail returns the first row with created=False and queues nothing.
    """
    if not isinstance(raw, bytes | bytearray) or not raw.strip():
        raise InvalidInput("The mail is empty.", field="raw")
    if len(raw) > MAX_RAW_BYTES:
        raise InvalidInput(f"The mail is larger than {MAX_RAW_BYTES // (1024 * 1024)} MB.",
                           field="raw")
    if source not in InboundSource.values:
        raise InvalidInput(f"'{source}' is not a mail source.", field="source")
    raw = bytes(raw)
    key, message_id = dedupe_key(raw)
    existing = InboundMail.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return Accepted(existing, False)
    try:
        with transaction.atomic():
            inbound = InboundMail.objects.create(
                dedupe_key=key, sha256=hashlib.sha256(raw).hexdigest(),
                header_message_id=message_id, raw=raw, size=len(raw), source=source,
                source_detail=source_detail[:300],
                envelope_recipients=list(envelope_recipients or []),
                received_at=received_at or timezone.now(),
            )
            if process:
                transaction.on_commit(lambda: _queue_processing(inbound.pk))
    except IntegrityError:
        # The same mail arrived twice at the same moment: the other one stored it.
        return Accepted(InboundMail.objects.get(dedupe_key=key), False)
    return Accepted(inbound, True)


def _queue_processing(inbound_id: int) -> None:
    from frontline.mail.tasks.inbound import process_inbound_task

    process_inbound_task.enqueue(inbound_id)
