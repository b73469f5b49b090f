"""Tickets and time entries made directly (no lifecycle hooks): for cost and report tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from frontline.core.models import User
from frontline.costs.models import TimeEntry
from frontline.customers.models import Contact
from frontline.tickets.models import Ticket, TicketClock
from tests.factories import set_clock

# Fields of the ticket's clock row (TicketClock), set with set_clock.
_CLOCK = {field.name for field in TicketClock._meta.concrete_fields} - {"ticket"}


def make_ticket(requester: Contact, subject: str = "Export fails", *, tier: int = 1,
                at: datetime | None = None, **fields: Any) -> Ticket:
    at = at or timezone.now()
    # The customer wrote first, as on every path but a ticket we open ourselves.
    fields.setdefault("last_customer_message_at", at)
    clock = {name: fields.pop(name) for name in list(fields) if name in _CLOCK}
    ticket = Ticket.objects.create(subject=subject, requester=requester,
                                   organization=requester.organization, tier=tier,
                                   created_at=at, updated_at=at, **fields)
    return set_clock(ticket, **clock) if clock else ticket


def log(ticket: Ticket, user: User, minutes: int, *, at: datetime | None = None,
        tier: int | None = None, note: str = "") -> TimeEntry:
    """A stopped entry of `minutes` that started at `at` (default: an hour ago)."""
    start = at or timezone.now() - timedelta(hours=1)
    return TimeEntry.objects.create(ticket=ticket, user=user, tier=tier or user.tier,
                                    started_at=start, ended_at=start + timedelta(minutes=minutes),
                                    seconds=minutes * 60, manual=True, note=note)
