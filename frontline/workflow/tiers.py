"""A tier change asked for from a generic face (a field in the desk, the API's PATCH).

The tier has one writer: escalation (frontline.routing.escalation), which checks
who may move it, records the decision with its figures and carries the
promises. A generic change is an escalation (up) or a de-escalation (down)
under the same rule as the escalation dialog, never a bare field update.
"""

from __future__ import annotations

from datetime import datetime

from frontline.core import permissions
from frontline.core.models import User
from frontline.core.tiers import parse_tier
from frontline.routing.escalation import de_escalate, escalate, prefill_tried
from frontline.tickets.models import Ticket


def set_tier(ticket: Ticket, actor: User, tier: int | str, *, reason: str = "",
             at: datetime | None = None) -> Ticket:
    """Move `ticket` to `tier`, saying why. Refused to whoever may not escalate it,
    with the error the escalation gives."""
    permissions.check_can_change_tier(actor, ticket)
    new = parse_tier(tier)
    if new == ticket.tier:
        return ticket
    if new > ticket.tier:
        return escalate(ticket, actor, new, reason=reason, tried=prefill_tried(ticket),
                        at=at).ticket
    return de_escalate(ticket, actor, note=reason, tier=new, at=at)
