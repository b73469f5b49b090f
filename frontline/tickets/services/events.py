"""Recording what happened to a ticket."""

from __future__ import annotations

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
    event = Event.objects.create(
        ticket=ticket, kind=kind, actor=actor, actor_contact=actor_contact, at=at,
        before=before, after=after, detail=detail,
    )
    observers.event_recorded(event)
    return event
