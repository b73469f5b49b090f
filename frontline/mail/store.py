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
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.core.errors import InvalidInput
from frontline.mail.charsets import strip_bom
from frontline.mail.models import InboundMail, InboundSource, InboundState

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


def read_headers(raw: bytes) -> Message:
    """The mail's header block, as written (compat32: nothing decoded), after a byte-
    order mark if it has one (charsets.strip_bom; the stored bytes keep it)."""
    head, _ = _split(strip_bom(raw))
    return BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")


def dedupe_key(raw: bytes, headers: Message | None = None) -> tuple[str, str]:
    """(key, message_id): the same mail delivered twice gets the same key.
    `headers`: read_headers(raw), when the caller has it already."""
    _, body = _split(raw)
    if headers is None:
        headers = read_headers(raw)
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


def _checked(raw: bytes, source: str) -> bytes:
    if not isinstance(raw, bytes | bytearray) or not raw.strip():
        raise InvalidInput("The mail is empty.", field="raw")
    if len(raw) > MAX_RAW_BYTES:
        raise InvalidInput(f"The mail is larger than {MAX_RAW_BYTES // (1024 * 1024)} MB.",
                           field="raw")
    if source not in InboundSource.values:
        raise InvalidInput(f"'{source}' is not a mail source.", field="source")
    return bytes(raw)


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
    raw = _checked(raw, source)
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


@dataclass(frozen=True)
class RawMail:
    """One mail of a batch to store (see accept_raw_many). `dated`: when it was
    received, read from its headers (an import keeps the mail's own date)."""

    raw: bytes
    source_detail: str = ""
    received_at: datetime | None = None
    dated: Callable[[Message], datetime | None] | None = None
    # Addresses that count as ours for this mail, like an envelope's recipients
    # (an import names the old help desk's address so it joins no ticket).
    envelope_recipients: tuple[str, ...] = ()


def accept_raw_many(mails: list[RawMail], *, source: str) -> list[Accepted | InvalidInput]:
    """`accept_raw(..., process=False)` for many mails at once (an import): one
    look-up and one multi-row INSERT in one transaction, committed before this
    returns. One result per mail, in order: what accept_raw returns, or the
    InvalidInput it raises. A mail twice in `mails` is stored once; the second
    gets the first's row with created=False.
    """
    results: list[Accepted | InvalidInput | None] = [None] * len(mails)
    keyed: list[tuple[int, bytes, str, str]] = []
    for position, mail in enumerate(mails):
        try:
            raw = _checked(mail.raw, source)
        except InvalidInput as error:
            results[position] = error
            continue
        headers = read_headers(raw)
        key, message_id = dedupe_key(raw, headers)
        keyed.append((position, raw, key, message_id))
        if mails[position].dated is not None:
            dated = mails[position].dated
            assert dated is not None
            mails[position] = replace(mails[position], received_at=dated(headers), dated=None)
    # Rows stored before: their bytes are read back only if they still need
    # processing (a run that stopped between storing and processing).
    existing = {row.dedupe_key: row for row in InboundMail.objects.filter(
        dedupe_key__in={key for _, _, key, _ in keyed}).defer("raw")}
    new: dict[str, InboundMail] = {}
    now = timezone.now()
    for position, raw, key, message_id in keyed:
        if key in existing:
            row = existing[key]
            if row.state == InboundState.STORED:
                row.raw = bytes(InboundMail.objects.values_list("raw", flat=True).get(pk=row.pk))
            results[position] = Accepted(row, False)
        elif key in new:
            results[position] = Accepted(new[key], False)
        else:
            mail = mails[position]
            new[key] = InboundMail(
                dedupe_key=key, sha256=hashlib.sha256(raw).hexdigest(),
                header_message_id=message_id, raw=raw, size=len(raw), source=source,
                source_detail=mail.source_detail[:300],
                envelope_recipients=list(mail.envelope_recipients),
                received_at=mail.received_at or now,
            )
            results[position] = Accepted(new[key], True)
    if new:
        try:
            with transaction.atomic():
                InboundMail.objects.bulk_create(list(new.values()))
        except IntegrityError:
            # Someone stored one of them meanwhile: store these one by one instead.
            return [result if isinstance(result, InvalidInput) else _accept_one(mails[position],
                                                                               source)
                    for position, result in enumerate(results)]
    return [result for result in results if result is not None]


def _accept_one(mail: RawMail, source: str) -> Accepted | InvalidInput:
    if mail.dated is not None and mail.received_at is None:
        mail = replace(mail, received_at=mail.dated(read_headers(mail.raw)))
    try:
        return accept_raw(mail.raw, source=source, source_detail=mail.source_detail,
                          received_at=mail.received_at, process=False,
                          envelope_recipients=list(mail.envelope_recipients))
    except InvalidInput as error:
        return error
