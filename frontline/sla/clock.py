"""The SLA clock: which plan and policy a ticket is served on, its due times,
pauses, warnings and breaches. (Being built: the lifecycle calls `refresh`.)"""

from __future__ import annotations

from datetime import datetime

from frontline.tickets.models import Ticket


def refresh(ticket: Ticket, at: datetime) -> None:
    """Recompute the ticket's promises after something that matters happened."""
