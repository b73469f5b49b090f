"""Background tasks of the SLA app. Thin: each calls frontline.sla.recompute."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from frontline.core import scheduler
from frontline.core.task_priorities import BACKGROUND
from frontline.sla import recompute


# Below the default: a backlog of ranges (a million tickets is 50 of them) must not
# hold back the breach scan or a customer's mail; the due times follow a minute later.
@task(priority=BACKGROUND)
def recompute_range(range_id: int) -> int:
    """Recompute the due times of one range a large plan, policy, calendar or contract
    change left to the workers; returns how many tickets changed."""
    return recompute.run_range(range_id)


@task()
def sweep_recompute_ranges() -> dict[str, Any]:
    """Queue again the ranges whose task was lost before it ran; forget old ones."""
    return recompute.sweep()


scheduler.register("sla.sweep_recompute_ranges", timedelta(minutes=15), sweep_recompute_ranges)
