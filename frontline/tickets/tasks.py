"""Background tasks for tickets. Thin: each calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.tickets import services


@task()
def close_quiet_resolved() -> dict[str, int]:
    """Remind, then close, resolved tickets the customer has left unanswered."""
    return services.close_quiet_resolved()


# Reminders and closures are counted in days; a quarter-hour is prompt enough
# and keeps the job's queries rare.
scheduler.register("tickets.close_quiet_resolved", timedelta(minutes=15), close_quiet_resolved)
