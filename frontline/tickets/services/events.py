"""Recording what happened to a ticket.

`record_event` writes one event at once. A batch path (the SLA scan over a
backlog) records inside `events_together()`: the same calls then queue their
events and write them with one INSERT when the block ends, or when it calls
`flush()` (before a step that writes events of its own at once, so every
ticket's timeline keeps the order the one-by-one path gives it). The listeners
hear each event after the INSERT, with the saved row, as one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from frontline.core.models import User
from frontline.customers.models import Contact
from frontline.tickets import event_kinds, observers
from frontline.tickets.models import Event, Ticket


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None = None,
    actor_contact: Contact | None = None,
    at: datetime,
    before: Any = None,
    after: Any = None,
    **detail: Any,
) -> Event:
    """Record one event of a declared kind (frontline.tickets.event_kinds); an
    undeclared kind raises UndeclaredEventKind (a ValueError) and writes nothing."""
    event_kinds.check(kind)
    # Empty values (no reason given) are left out, so the detail only says what was said.
    detail = {key: value for key, value in detail.items() if value not in (None, "")}
    event = Event(ticket=ticket, kind=kind, actor=actor, actor_contact=actor_contact, at=at,
                  before=before, after=after, detail=detail)
    pending = _pending.get()
    if pending is not None:
        pending.events.append(event)
        return event
    event.save(force_insert=True)
    observers.event_recorded(event)
    return event


class PendingEvents:
    """Events recorded inside events_together(), not yet written."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def flush(self) -> None:
        """Write the queued events (one INSERT), then tell the listeners."""
        events, self.events = self.events, []
        if events:
            Event.objects.bulk_create(events)
            for event in events:
                observers.event_recorded(event)


_pending: ContextVar[PendingEvents | None] = ContextVar("pending_events", default=None)


@contextmanager
def events_together() -> Iterator[PendingEvents]:
    """Queue the events record_event records in this block; write them at its end.
    The caller holds a transaction around the block: a failure inside it writes
    none of them (nested blocks share the outer queue)."""
    outer = _pending.get()
    if outer is not None:
        yield outer
        return
    pending = PendingEvents()
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)
    # After the reset: listeners that record events of their own write them at once.
    pending.flush()
