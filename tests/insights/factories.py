"""SLA measurements as the clock writes them (frontline.sla.models.SlaMeasurement)."""

from __future__ import annotations

from datetime import datetime, timedelta

from frontline.customers.models import Plan
from frontline.routing.models import Team
from frontline.sla.models import SlaMeasurement
from frontline.tickets.models import Ticket


def measure(ticket: Ticket, target: str = "first_response", *, due: datetime,
            met_after: timedelta | None = None, breached: bool = False,
            plan: Plan | None = None, team: Team | None = None,
            business_seconds: int | None = None, formal: bool = True,
            allowed: timedelta = timedelta(hours=2)) -> SlaMeasurement:
    """A target of `ticket` due at `due` (started `allowed` before it), met `met_after`
    its start (None: not met yet), breached (the scan saw it pass) or not."""
    started = due - allowed
    met_at = started + met_after if met_after is not None else None
    if business_seconds is None and met_after is not None:
        business_seconds = int(met_after.total_seconds())
    return SlaMeasurement.objects.create(
        ticket=ticket, target=target, plan=plan or ticket.clock.plan, team=team or ticket.team,
        priority=ticket.priority, formal=formal, started_at=started, due_at=due, met_at=met_at,
        breached_at=due if breached else None, business_seconds=business_seconds)
