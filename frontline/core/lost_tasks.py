"""Tasks lost with their worker: found by the worker's stopped heartbeat, run again.

A worker claims a task (django-tasks-db marks it RUNNING and appends the worker's
id to `worker_ids`) and records how it ended when it ends. A worker killed in
between (`kill -9`, the machine lost, the container moved) records nothing: the
task stayed RUNNING for good, nobody ran it again, and only some tasks' work was
found again by a sweep of its own (stored mail, due deliveries).

Every worker now writes a heartbeat (`WorkerHeartbeat.seen_at`, every
`heartbeat_seconds()`, from a thread of its own, so also while a long task runs).
`reap`, a periodic job, looks at the RUNNING tasks: one whose worker has not
been seen for `FRONTLINE_WORKER_LOST_SECONDS` was lost with it, and goes back in
the queue (every task is safe to run again: core/worker.py); one that has already
been tried `FRONTLINE_TASK_MAX_ATTEMPTS` times fails, saying why, rather than
taking the next worker down with it forever. The change is compare-and-set on
the row (status RUNNING and the same claims), so a task that finished or was
claimed again meanwhile is left alone, and two reapers cannot both act on it.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker beats every HEARTBEAT_SECONDS, or four times within the silence allowed
# when that is shorter (tests allow seconds).
HEARTBEAT_SECONDS = 10.0
# A worker gone this long is forgotten (its row only helps find its lost tasks).
FORGET_AFTER = timedelta(days=1)
LOST_CLASS_PATH = "frontline.core.lost_tasks.WorkerLost"


def lost_after() -> timedelta:
    return timedelta(seconds=settings.FRONTLINE_WORKER_LOST_SECONDS)


def heartbeat_seconds() -> float:
    return min(HEARTBEAT_SECONDS, settings.FRONTLINE_WORKER_LOST_SECONDS / 4)


def beat(worker_id: str, *, now: datetime | None = None) -> None:
    """Record that `worker_id` is alive (its first beat also says where it runs)."""
    now = now or timezone.now()
    moved = WorkerHeartbeat.objects.filter(worker_id=worker_id[:64]).update(seen_at=now)
    if not moved:
        WorkerHeartbeat.objects.get_or_create(
            worker_id=worker_id[:64],
            defaults={"started_at": now, "seen_at": now, "host": socket.gethostname()[:255],
                      "pid": os.getpid()})


def forget(worker_id: str) -> None:
    """A worker that stops cleanly leaves no heartbeat behind."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id[:64]).delete()


def _alive(now: datetime) -> QuerySet[WorkerHeartbeat]:
    """The workers heard from within the silence allowed."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=now - lost_after())


def live_workers(now: datetime | None = None) -> int:
    """How many workers are alive (at least 1: the one asking, when a worker asks)."""
    return _alive(now or timezone.now()).count()


def reap(now: datetime | None = None) -> dict[str, int]:
    """Queue again (or fail, when tried too often) every task whose worker is gone.
    Returns counts: requeued, failed, and running tasks whose worker is alive."""
    now = now or timezone.now()
    cutoff = now - lost_after()
    alive = set(_alive(now).values_list("worker_id", flat=True))
    counts = {"requeued": 0, "failed": 0, "alive": 0}
    # A task claimed within the window may belong to a worker that has not beaten
    # yet (it beats when it starts, before its first claim, but clocks differ).
    running = (DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
               .filter(Q(started_at__lt=cutoff) | Q(started_at__isnull=True))
               .only("id", "worker_ids", "task_path", "started_at"))
    for task in running:
        claims = list(task.worker_ids or [])
        if claims and str(claims[-1])[:64] in alive:
            counts["alive"] += 1
            continue
        unchanged = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING,
                                                started_at=task.started_at)
        worker = claims[-1] if claims else "no worker"
        if len(claims) < settings.FRONTLINE_TASK_MAX_ATTEMPTS:
            if unchanged.update(status=TaskResultStatus.READY, run_after=now):
                counts["requeued"] += 1
                logger.warning("Task %s (%s) was lost with worker %s; queued again "
                               "(attempt %s of %s)", task.pk, task.task_path, worker,
                               len(claims) + 1, settings.FRONTLINE_TASK_MAX_ATTEMPTS)
            continue
        reason = (f"WorkerLost: the worker running it ({worker}) stopped without a word, "
                  f"{len(claims)} times; not tried again")
        if unchanged.update(status=TaskResultStatus.FAILED, finished_at=now,
                            exception_class_path=LOST_CLASS_PATH, traceback=reason,
                            return_value=None):
            counts["failed"] += 1
            logger.error("Task %s (%s): %s", task.pk, task.task_path, reason)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return counts
