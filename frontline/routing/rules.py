"""Routing rules applied to new tickets. (Being built.)"""

from __future__ import annotations

from datetime import datetime

from frontline.tickets.models import Ticket


def route_new_ticket(ticket: Ticket, text: str, at: datetime) -> None:
    """Apply the ordered routing rules (team, tier, priority, tags) and the
    on-arrival escalation rules to a ticket that has just been opened."""
