"""Whether a promise was kept: "met" or "missed by 14 h 45 min", decided once.

A target is met when it was answered by its due time and never breached; every
other target that is due (answered late, breached, or past due and still open)
is missed, by the time from its due time to its answer (or to now, while it is
still open). /reports counts with `MET` in the database; the ticket's Promises
panel, the queues' time-left column and the developers' desk judge one target
with `judge`. Both are this rule: before it lived only in the reports, the panel
said "met" of a first reply that came 14 hours late (issue 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from frontline.sla.models import SlaMeasurement

MET = Q(met_at__isnull=False, met_at__lte=F("due_at"), breached_at__isnull=True)

DAY, HOUR, MINUTE = 86400, 3600, 60


@dataclass(frozen=True)
class Outcome:
    """One target judged at a moment: kept, missed (and by how long), or still running."""

    met: bool
    missed: bool
    late_seconds: int

    @property
    def late_text(self) -> str:
        return late_text(self.late_seconds)

    @property
    def text(self) -> str:
        """"met", "missed by 2 h 05 min", or "" for a target still within its time."""
        if self.met:
            return "met"
        if not self.missed:
            return ""
        # Breached before its due time and answered in it: missed, by nothing measurable.
        return f"missed by {self.late_text}" if self.late_seconds > 0 else "missed"


def judge(due_at: datetime | None, met_at: datetime | None, breached_at: datetime | None,
          now: datetime) -> Outcome:
    """The MET rule for one target. A target with no due time was never promised:
    neither met nor missed."""
    if due_at is None:
        return Outcome(met=False, missed=False, late_seconds=0)
    if met_at is not None and met_at <= due_at and breached_at is None:
        return Outcome(met=True, missed=False, late_seconds=0)
    until = met_at if met_at is not None else now
    late = max(0, int((until - due_at).total_seconds()))
    # Breached before its due time (a warning policy that breaches early) or answered
    # after it, or past due now: missed, even by under a minute.
    missed = breached_at is not None or met_at is not None or now >= due_at
    return Outcome(met=False, missed=missed, late_seconds=late)


def late_text(seconds: int) -> str:
    """`3 d 4 h`, `2 h 05 min`, `12 min`, `under a minute` (calendar time)."""
    if seconds >= DAY:
        days, rest = divmod(seconds, DAY)
        return f"{days} d {rest // HOUR} h"
    minutes = seconds // MINUTE
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def tickets_outcomes(ticket_ids: list[int], now: datetime) -> dict[int, Outcome]:
    """For tickets with no promise running (finished, or every target answered): the
    worst of their targets' outcomes, any miss before a meeting of them all, the
    latest miss first. One query for a page of tickets; tickets never measured are
    left out."""
    worst: dict[int, Outcome] = {}
    if not ticket_ids:
        return worst
    rows = (SlaMeasurement.objects.filter(ticket_id__in=ticket_ids)
            .values_list("ticket_id", "due_at", "met_at", "breached_at"))
    for ticket_id, due_at, met_at, breached_at in rows:
        outcome = judge(due_at, met_at, breached_at, now)
        kept = worst.get(ticket_id)
        if (kept is None or (outcome.missed and not kept.missed)
                or (outcome.missed and outcome.late_seconds > kept.late_seconds)):
            worst[ticket_id] = outcome
    return worst
