"""How a ticket's messages leave Frontline: one sender per channel.

The ticket layer knows channels only by name. Each channel app registers its
sender in its `AppConfig.ready()` (the email channel registers the mail
sender), the way periodic jobs register with `core.scheduler`, and the
workflow dispatches on the message's channel. A channel without a sender (a
phone call logged by an agent) sends nothing: the message is on the timeline,
which is where the customer-facing record lives.

Acknowledging a new ticket stays with each channel's intake: what it says and
whether it may be sent at all (rate limits, automatic mail, RFC 3834) depends
on what came in, which only the intake has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from frontline.tickets.models import Message, Ticket


@dataclass(frozen=True)
class Recipients:
    """Who an agent's reply goes to, in the channel's stored form (for email, the
    canonical addresses of frontline.core.email_address)."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.to or self.cc)


class ReplySender(Protocol):
    def __call__(self, message: Message, *, recipients: Recipients | None = None,
                 hold: timedelta | None = None) -> object: ...


@dataclass(frozen=True)
class Sender:
    """What a channel does for the workflow. Each runs inside the caller's
    transaction and only queues: delivery happens after commit."""

    reply: ReplySender
    """An agent's reply (or a system message such as a reminder) to the customer:
    to `recipients` (None: the channel's default, `recipients` below), delivered
    no sooner than `hold` from now (the desk's undo-send window)."""
    reminder: Callable[[Message], object]
    """The "we resolved it, reply if not" reminder before a quiet close."""
    recipients: Callable[[Ticket, Sequence[str] | None, Sequence[str] | None], Recipients] = (
        lambda ticket, to, cc: Recipients())
    """Who a reply on `ticket` goes to: the default for None, else the agent's To and
    Cc checked (InvalidInput naming `to` or `cc`, before anything is written)."""
    withdraw: Callable[[Message, datetime], bool] = lambda message, at: False
    """Take back the reply's delivery while it is still held (undo send): True when
    nothing of it left, False when it is sent or being sent."""


_senders: dict[str, Sender] = {}


def register(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


def sender_for(channel: str) -> Sender | None:
    return _senders.get(channel)
