"""Background tasks for routing. Thin: each calls a service."""

from __future__ import annotations

from datetime import datetime, timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.routing import escalation_rules


@task()
def escalate_due(now: str | None = None) -> dict[str, int]:
    """Escalate tickets that time-based escalation rules now apply to. `now` (ISO
    8601) is for replaying a moment; the worker's schedule passes nothing."""
    return escalation_rules.escalate_due(datetime.fromisoformat(now) if now else None)


# Rules count in business minutes, usually hours; every two minutes keeps an
# escalation within two minutes of its moment, and each run is one indexed
# query per rule.
scheduler.register("routing.escalate_due", timedelta(minutes=2), escalate_due)
