"""Background tasks of core. Thin: each calls a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import lost_tasks, scheduler


@task()
def reap_lost_tasks() -> dict[str, int]:
    """Queue again the tasks whose worker died while running them."""
    return lost_tasks.reap()


# A lost task waits FRONTLINE_WORKER_LOST_SECONDS plus at most this for its rerun.
scheduler.register("core.reap_lost_tasks", timedelta(minutes=1), reap_lost_tasks)
