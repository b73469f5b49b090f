"""The SMTP/LMTP listener a mail server delivers to: `frontline mail listen`.

It says 250 only once `store.accept_raw` has committed the raw message, so a
mail server that got 250 can forget the mail: it is ours. Anything else gets a
reply that tells the server what to do next: 4xx (try again later) when the
database is unavailable, 552 when the mail is too large, 550 for recipients we
do not serve, 554 for a mail we can never take.

Recipients we serve (RCPT TO):
- the support address (FRONTLINE_SUPPORT_ADDRESS) and its +tagged variants,
  which include every per-ticket reply address (support+FL-10427-<sig>@domain);
  whether a reply address is genuine is decided by processing, not here;
- every address at a domain in FRONTLINE_RECIPIENT_DOMAINS (comma-separated),
  for an MTA that routes a whole domain to Frontline.
IMAP mailboxes are polled, never delivered to, so their addresses are not listed.

Put it behind a real MTA (Postfix `lmtp:inet:127.0.0.1:2525` or a transport map):
the listener does no TLS, no authentication and no relaying.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections

from frontline.core.errors import FrontlineError
from frontline.mail.addresses import support_address
from frontline.mail.models import InboundSource
from frontline.mail.store import MAX_RAW_BYTES, accept_raw

logger = logging.getLogger(__name__)

# Storing is a short database write; a few threads keep one slow commit from
# holding up every other connection without letting SQLite writers pile up.
STORE_THREADS = 4


def max_message_bytes() -> int:
    """FRONTLINE_MAX_MESSAGE_MB, but never more than the store keeps: a mail it would
    refuse is better refused with 552 before its bytes have crossed the network."""
    return min(int(float(settings.FRONTLINE_MAX_MESSAGE_MB) * 1024 * 1024), MAX_RAW_BYTES)


def recipient_domains() -> set[str]:
    return {domain.strip().lower().lstrip("@")
            for domain in settings.FRONTLINE_RECIPIENT_DOMAINS if domain.strip()}


def is_known_recipient(address: str) -> bool:
    """True for the addresses described at the top of this module."""
    local, at, domain = (address or "").strip().lower().rpartition("@")
    if not at or not local or not domain:
        return False
    if domain in recipient_domains():
        return True
    support_local, _, support_domain = support_address().lower().rpartition("@")
    return domain == support_domain and local.split("+", 1)[0] == support_local


def with_return_path(raw: bytes, mail_from: str | None) -> bytes:
    """RFC 5321 §4.4: the server making the final delivery records the envelope
    sender in Return-Path. A null sender (`<>`) is how a bounce says it is one."""
    if raw[:12].lower() == b"return-path:":
        return raw
    sender = (mail_from or "").strip().strip("<>").encode("utf-8", "surrogateescape")
    return b"Return-Path: <" + sender + b">\r\n" + raw


def store_delivery(raw: bytes, *, mail_from: str | None, recipients: list[str],
                   peer: str) -> int:
    """Store one delivered mail (in a worker thread); returns the InboundMail id."""
    try:
        accepted = accept_raw(
            with_return_path(raw, mail_from), source=InboundSource.LMTP,
            source_detail=f"from <{(mail_from or '').strip('<>')}> via {peer}",
            envelope_recipients=recipients)
        return accepted.inbound.pk
    finally:
        # The pool's threads outlive no listener, but nothing tells them it stopped:
        # a connection kept here would stay open after it. Connecting costs less
        # than a mail server's round trip.
        connections.close_all()


class DeliveryHandler:
    """aiosmtpd handler: checks recipients, stores the mail, then answers."""

    def __init__(self, *, lmtp: bool, store: Callable[..., int] = store_delivery) -> None:
        self.lmtp = lmtp
        self.store = store
        self.executor = ThreadPoolExecutor(max_workers=STORE_THREADS,
                                           thread_name_prefix="mail-listener")

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if not is_known_recipient(address):
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        recipients = list(envelope.rcpt_tos)
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        loop = asyncio.get_running_loop()
        try:
            inbound_id = await loop.run_in_executor(
                self.executor,
                lambda: self.store(raw, mail_from=envelope.mail_from, recipients=recipients,
                                   peer=peer))
        except FrontlineError as error:
            # The mail itself is unacceptable (empty, beyond the hard limit): retrying
            # would not help, so a permanent failure the sender is told about.
            status = f"554 5.6.0 {error.message}"
        except Exception:
            logger.exception("Could not store a delivered mail for %s", recipients)
            status = "451 4.3.0 Could not store the message now; try again later"
        else:
            status = f"250 2.0.0 Stored as inbound {inbound_id}"
        if self.lmtp:
            # RFC 2033 §4.2: one reply per accepted recipient, in RCPT order. The mail
            # is stored once for all of them, so they all share its fate.
            return "\r\n".join([status] * len(recipients))
        return status

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class _Controller(Controller):
    def __init__(self, handler: DeliveryHandler, *, lmtp: bool, **kwargs: Any) -> None:
        self.lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)


@dataclass
class Listener:
    """A running listener (its own thread and event loop); `stop()` ends it."""

    host: str
    port: int
    lmtp: bool
    controller: _Controller
    handler: DeliveryHandler

    def stop(self) -> None:
        self.controller.stop()
        self.handler.close()


def start_listener(host: str = "127.0.0.1", port: int = 2525, *, lmtp: bool = False,
                   store: Callable[..., int] = store_delivery) -> Listener:
    """Listen on host:port and return once it answers."""
    # aiosmtpd logs every command of every session at INFO (addresses included);
    # the store's own log lines and the replies are what an admin needs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = DeliveryHandler(lmtp=lmtp, store=store)
    controller = _Controller(
        handler, lmtp=lmtp, hostname=host, port=port,
        # Bytes in, bytes stored: the raw mail is kept exactly as it came.
        decode_data=False,
        # SIZE is advertised in EHLO/LHLO; a declared or actual size beyond it gets 552.
        data_size_limit=max_message_bytes(),
        enable_SMTPUTF8=True,
        ident="Frontline",
    )
    try:
        controller.start()
    except Exception:
        handler.close()
        raise
    return Listener(host=host, port=port, lmtp=lmtp, controller=controller, handler=handler)


def serve_forever(listener: Listener, stopped: threading.Event) -> None:
    """Block until `stopped` is set (by a signal handler), then stop the listener."""
    try:
        while not stopped.wait(1.0):
            pass
    finally:
        listener.stop()
