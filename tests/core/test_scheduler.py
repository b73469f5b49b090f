"""Periodic jobs: every worker ticks the scheduler, and each slot is enqueued once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontline.core import scheduler
from frontline.core.models import PeriodicJob

QUIET_JOB = "tickets.close_quiet_resolved"
QUIET_TASK = "frontline.workflow.tasks.close_quiet_resolved"


def queued(task_path: str = QUIET_TASK) -> int:
    return DBTaskResult.objects.filter(task_path=task_path).count()


def test_the_quiet_period_job_is_registered_from_the_tickets_app():
    spec = scheduler.jobs()[QUIET_JOB]
    assert spec.interval == timedelta(minutes=15)
    assert spec.task.module_path == QUIET_TASK


def test_two_workers_reading_the_same_slot_claim_it_once(db):
    now = timezone.now()
    scheduler.ensure_rows(now)
    seen = PeriodicJob.objects.get(name=QUIET_JOB).next_run_at
    spec = scheduler.jobs()[QUIET_JOB]

    assert scheduler.claim(spec, seen, now=now, worker_id="worker-a") is True
    assert scheduler.claim(spec, seen, now=now, worker_id="worker-b") is False

    job = PeriodicJob.objects.get(name=QUIET_JOB)
    assert job.last_worker == "worker-a"
    assert job.next_run_at == now + spec.interval


def test_a_due_job_is_enqueued_once_per_slot(db):
    # Other apps register jobs of their own (mail polling, delivery): only this one is watched.
    now = timezone.now()
    assert QUIET_JOB in scheduler.tick(worker_id="worker-a", now=now)
    assert QUIET_JOB not in scheduler.tick(worker_id="worker-b", now=now)
    assert QUIET_JOB not in scheduler.tick(worker_id="worker-b", now=now + timedelta(minutes=14))
    assert queued() == 1

    assert QUIET_JOB in scheduler.tick(worker_id="worker-b", now=now + timedelta(minutes=15))
    assert queued() == 2


def test_slots_missed_while_no_worker_ran_are_not_replayed(db):
    now = timezone.now()
    scheduler.tick(worker_id="worker-a", now=now)
    later = now + timedelta(days=3)

    assert QUIET_JOB in scheduler.tick(worker_id="worker-a", now=later)
    assert QUIET_JOB not in scheduler.tick(worker_id="worker-a", now=later + timedelta(minutes=1))
    assert queued() == 2
    assert PeriodicJob.objects.get(name=QUIET_JOB).next_run_at == later + timedelta(minutes=15)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="a real race needs a server with row locks and concurrent writers")
def test_racing_workers_on_postgresql_claim_each_slot_once(transactional_db):
    now = timezone.now()
    scheduler.ensure_rows(now)
    spec = scheduler.jobs()[QUIET_JOB]

    for round_ in range(5):
        seen = PeriodicJob.objects.get(name=QUIET_JOB).next_run_at
        barrier = threading.Barrier(2)
        wins: list[str] = []

        def worker(name: str, seen=seen, barrier=barrier, wins=wins) -> None:
            try:
                barrier.wait(timeout=10)
                with transaction.atomic():
                    if scheduler.claim(spec, seen, now=now, worker_id=name):
                        spec.task.enqueue()
                        wins.append(name)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(f"w{round_}-{i}",)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert len(wins) == 1, wins
    assert queued() == 5
