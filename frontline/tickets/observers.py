"""Who hears what happens to a ticket: listeners registered by the apps above.

`tickets` records events and messages but imports none of the apps that act on
them (outbound webhooks today). Such an app registers a listener from its
`AppConfig.ready()`, as channels register their senders (`channels.py`), and is
called inside the caller's transaction with the saved row. A listener only
queues work (rows written in the same transaction, delivery after commit): a
ticket change never waits for it.

Rows written in bulk (the batched mail import, facts read from a message) are
history or bookkeeping and are not announced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontline.tickets.models import Event, Message

EventListener = Callable[["Event"], object]
MessageListener = Callable[["Message"], object]

_event_listeners: dict[str, EventListener] = {}
_message_listeners: dict[str, MessageListener] = {}


def listen(name: str, *, events: EventListener | None = None,
           messages: MessageListener | None = None) -> None:
    """Register (or, under the same name, replace) a listener."""
    if events is not None:
        _event_listeners[name] = events
    if messages is not None:
        _message_listeners[name] = messages


def event_recorded(event: Event) -> None:
    for listener in _event_listeners.values():
        listener(event)


def message_added(message: Message) -> None:
    for listener in _message_listeners.values():
        listener(message)
