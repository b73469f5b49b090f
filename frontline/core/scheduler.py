"""Periodic jobs: what runs every so often, and which worker gets to enqueue it.

Apps register their jobs in their `tasks.py` (discovered on the first tick):

    scheduler.register("tickets.close_quiet_resolved", timedelta(minutes=15),
                       close_quiet_resolved)

Every worker ticks the scheduler. A job's next slot lives in one `PeriodicJob`
row; a worker claims the slot with a compare-and-set UPDATE (`WHERE name = ?
AND next_run_at = <the value it read>`), and enqueues the task in the same
transaction. Two workers that read the same slot both try the UPDATE; the
database lets exactly one of them change the row, so a slot is enqueued once
however many workers run, on SQLite and PostgreSQL alike, with no lock held
between the read and the write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from frontline.core.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    interval: timedelta
    # A django_tasks Task (anything with .enqueue()); typed loosely so that core
    # does not depend on the apps that define the tasks.
    task: Any


_registry: dict[str, JobSpec] = {}
_discovered = False


def register(name: str, interval: timedelta, task: Any) -> None:
    if interval <= timedelta(0):
        raise ValueError(f"Periodic job {name} needs a positive interval.")
    _registry[name] = JobSpec(name=name, interval=interval, task=task)


def jobs() -> dict[str, JobSpec]:
    """Every registered job, after importing each installed app's tasks module."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return dict(_registry)


def next_slot(spec: JobSpec, seen: datetime, now: datetime) -> datetime:
    """The slot after `seen`. After downtime, missed slots are skipped rather than
    run back to back: one run catches up on everything these jobs do."""
    following = seen + spec.interval
    return following if following > now else now + spec.interval


def ensure_rows(now: datetime | None = None) -> None:
    """A PeriodicJob row for every registered job, due at once when new."""
    now = now or timezone.now()
    existing = set(PeriodicJob.objects.values_list("name", flat=True))
    for name in jobs():
        if name in existing:
            continue
        try:
            with transaction.atomic():
                PeriodicJob.objects.create(name=name, next_run_at=now)
        except IntegrityError:
            pass  # another worker created it first


def claim(spec: JobSpec, seen: datetime, *, now: datetime, worker_id: str) -> bool:
    """Move the job's slot on from `seen`; True only for the one caller that did."""
    moved = PeriodicJob.objects.filter(name=spec.name, next_run_at=seen).update(
        next_run_at=next_slot(spec, seen, now), last_run_at=now, last_worker=worker_id[:64]
    )
    return moved == 1


def tick(*, worker_id: str, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose slot is due and that this worker wins. Returns their names."""
    now = now or timezone.now()
    specs = jobs()
    ensure_rows(now)
    due = PeriodicJob.objects.filter(name__in=list(specs), next_run_at__lte=now)
    enqueued = []
    for name, seen in due.values_list("name", "next_run_at"):
        spec = specs[name]
        # The claim and the enqueue commit together: a crash between them can
        # neither lose the slot's run nor let another worker repeat it.
        with transaction.atomic():
            if not claim(spec, seen, now=now, worker_id=worker_id):
                continue
            spec.task.enqueue()
        logger.info("Enqueued periodic job %s (worker %s)", name, worker_id)
        enqueued.append(name)
    return enqueued
