"""The worker's part in time tracking: stopping timers whose page went quiet."""

from __future__ import annotations

from datetime import datetime, timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.costs import services


@task()
def stop_idle_timers(now: str | None = None) -> dict[str, int]:
    """Timers with no beat from their page for FRONTLINE_TIMER_IDLE_MINUTES end at
    their last beat (frontline.costs.services.stop_idle_timers). `now` (ISO 8601) is
    for replaying a moment; the worker's schedule passes nothing."""
    moment = datetime.fromisoformat(now) if now else None
    return {"stopped": len(services.stop_idle_timers(moment))}


# Every minute: a timer ends at its last beat whenever the sweep finds it, so the
# interval only decides how long the desk shows it running; the query reads the
# handful of running timers through their own partial index.
scheduler.register("costs.stop_idle_timers", timedelta(minutes=1), stop_idle_timers)
