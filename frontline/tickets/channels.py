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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontline.tickets.models import Message


@dataclass(frozen=True)
class Sender:
    """What a channel does for the workflow. Each runs inside the caller's
    transaction and only queues: delivery happens after commit."""

    reply: Callable[[Message], object]
    """An agent's reply (or a system message such as a reminder) to the customer."""
    reminder: Callable[[Message], object]
    """The "we resolved it, reply if not" reminder before a quiet close."""


_senders: dict[str, Sender] = {}


def register(channel: str, sender: Sender) -> None:
    _senders[channel] = sender


def sender_for(channel: str) -> Sender | None:
    return _senders.get(channel)
