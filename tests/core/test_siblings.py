"""A task that finds siblings of its own kind waiting takes them along (core/siblings.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import timedelta

from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline.core import lost_tasks, siblings
from frontline.core.worker import FrontlineWorker
from tests.core.sibling_tasks import TAKE_WAITING, noted, tally
from tests.core.slow_tasks import slow
from tests.core.test_lost_tasks import (  # shared_env: a fixture, child processes' database
    FRONTLINE,
    ROOT,
    shared_env,  # noqa: F401
    wait_for,
)
from tests.processes import stop


def rows() -> dict[int, DBTaskResult]:
    """The tally rows by their number."""
    return {row.args_kwargs["args"][1]: row
            for row in DBTaskResult.objects.filter(task_path=tally.module_path)}


def run_worker() -> FrontlineWorker:
    worker = FrontlineWorker(batch=True, schedule=False, interval=0)
    worker.run()
    return worker


def test_a_backlog_is_done_in_batches_each_task_on_its_own_row(db, tmp_path):
    """25 waiting tasks, 10 taken along at a time: three claims of the worker, every
    number counted once in the queue's order, every row with its own return value."""
    marker = tmp_path / "tally.txt"
    for number in range(25):
        tally.enqueue(str(marker), number)

    worker = run_worker()

    assert worker._run_tasks == 3
    assert [number for number, _ in noted(marker)] == list(range(25))
    done = rows()
    assert {row.status for row in done.values()} == {TaskResultStatus.SUCCESSFUL}
    assert {number: row.return_value for number, row in done.items()} == {
        number: number * 2 for number in range(25)}
    assert all(len(row.worker_ids) == 1 and row.finished_at is not None
               for row in done.values())
    assert len({row.worker_ids[0] for row in done.values()}) == 1


def test_a_bad_item_fails_alone_with_its_own_error(db, tmp_path):
    marker = tmp_path / "tally.txt"
    for number in (7, 3, -4, 12):
        tally.enqueue(str(marker), number)

    run_worker()

    done = rows()
    assert done[-4].status == TaskResultStatus.FAILED
    assert done[-4].exception_class_path == "builtins.ValueError"
    assert "-4 is not a number we count" in done[-4].traceback
    assert {number: (row.status, row.return_value) for number, row in done.items()
            if number != -4} == {7: ("SUCCESSFUL", 14), 3: ("SUCCESSFUL", 6),
                                 12: ("SUCCESSFUL", 24)}
    assert [number for number, _ in noted(marker)] == [7, 3, 12]


def test_only_ready_tasks_of_the_same_kind_and_queue_are_taken(db, tmp_path):
    """Another task, a task for another queue and one due later stay in the queue."""
    marker = tmp_path / "tally.txt"
    tally.enqueue(str(marker), 1)
    other_kind = slow.enqueue(str(tmp_path / "slow.txt"), 0)
    other_queue = tally.enqueue(str(marker), 2)
    # A queue this worker does not serve (a queue name the settings do not list).
    DBTaskResult.objects.filter(pk=other_queue.id).update(queue_name="imports")
    later = tally.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(str(marker), 3)
    tally.enqueue(str(marker), 4)

    worker = run_worker()

    assert worker._run_tasks == 2  # the tally with its sibling 4, then the slow task
    assert [number for number, _ in noted(marker)] == [1, 4]
    status = {str(pk): state for pk, state in DBTaskResult.objects.values_list("pk", "status")}
    assert status[other_kind.id] == TaskResultStatus.SUCCESSFUL
    assert status[other_queue.id] == TaskResultStatus.READY
    assert status[later.id] == TaskResultStatus.READY


def test_nothing_is_taken_without_the_queue_or_with_no_room(db, tmp_path):
    """A task called directly (no context from the queue) or asking for none runs alone."""
    marker = tmp_path / "tally.txt"
    first = tally.enqueue(str(marker), 5)
    tally.enqueue(str(marker), 6)
    leader = DBTaskResult.objects.get(pk=first.id)
    leader.claim("w-1")

    assert len(siblings.take_waiting(None, 10)) == 0
    assert len(siblings.take_waiting(TaskContext(task_result=leader.task_result), 0)) == 0

    assert rows()[6].status == TaskResultStatus.READY


def test_two_workers_at_once_take_different_siblings(transactional_db, tmp_path):
    """Two workers drain 60 tasks at the same moment: each number counted exactly
    once, by one of them, and both did a share. (On SQLite in memory a worker meets
    the other's lock at once, not after a busy timeout: those tasks wait a second
    and are run again, as after any transient error.)"""
    marker = tmp_path / "tally.txt"
    for number in range(60):
        tally.enqueue(str(marker), number, 0.02)
    workers = [FrontlineWorker(schedule=False, interval=0.05) for _ in range(2)]
    threads = [threading.Thread(target=worker.run) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: _finished() == 60, "the workers never finished the 60 tasks", 120)
    finally:
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(timeout=60)

    done = rows()
    assert {row.status for row in done.values()} == {TaskResultStatus.SUCCESSFUL}
    counted = noted(marker)
    assert {number for number, _ in counted} == set(range(60))
    assert {worker for _, worker in counted} == {worker.worker_id for worker in workers}
    # A number is counted once per claim of its row, by the worker of that claim: never
    # twice under one claim (two workers on one row). A second claim follows only a
    # transient error (SQLite in memory); on PostgreSQL every number is counted once.
    for number, row in done.items():
        by = [worker for counted_number, worker in counted if counted_number == number]
        assert len(by) <= len(row.worker_ids) and by[-1] == row.worker_ids[-1], (number, by)
    if connection.vendor == "postgresql":
        assert len(counted) == 60


def _finished() -> int:
    try:
        return DBTaskResult.objects.filter(task_path=tally.module_path).exclude(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).count()
    except OperationalError:
        return 0  # SQLite in memory, locked by a worker this moment


def test_a_batch_taken_by_a_worker_that_died_is_queued_again_by_the_reaper(db, tmp_path,
                                                                           settings):
    """A worker claimed a task and took its siblings, then died before finishing any:
    the reaper queues the whole batch again, and the next worker runs it."""
    settings.FRONTLINE_WORKER_LOST_SECONDS = 60
    marker = tmp_path / "tally.txt"
    for number in (10, 20, 30, 40):
        tally.enqueue(str(marker), number)
    lost_tasks.beat("gone-1", now=timezone.now() - timedelta(minutes=5))
    leader = DBTaskResult.objects.get(pk=next(iter(
        DBTaskResult.objects.ready().order_by(*DBTaskResult._meta.ordering)
        .values_list("pk", flat=True))))
    leader.claim("gone-1")
    taken = siblings.take_waiting(TaskContext(task_result=leader.task_result), TAKE_WAITING)
    assert len(taken) == 3
    assert {row.status for row in rows().values()} == {TaskResultStatus.RUNNING}
    assert all(row.worker_ids == ["gone-1"] for row in rows().values())
    DBTaskResult.objects.update(started_at=timezone.now() - timedelta(minutes=5))

    assert lost_tasks.reap() == {"requeued": 4, "failed": 0, "alive": 0}
    run_worker()

    done = rows()
    assert {row.status for row in done.values()} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(row.worker_ids) == 2 and row.worker_ids[0] == "gone-1"
               for row in done.values())
    assert sorted(number for number, _ in noted(marker)) == [10, 20, 30, 40]


def test_siblings_not_done_when_the_task_fails_go_back_unclaimed(db, tmp_path):
    """The task fails on its own item: its siblings were not attempted, and go back to
    the queue as they were (no claim counted), to be run by the next claim."""
    marker = tmp_path / "tally.txt"
    for number in (-1, 2, 3):
        tally.enqueue(str(marker), number)

    worker = run_worker()

    assert worker._run_tasks == 2
    done = rows()
    assert done[-1].status == TaskResultStatus.FAILED
    assert (done[2].status, done[3].status) == ("SUCCESSFUL", "SUCCESSFUL")
    # Taken by the failing task, handed back, then claimed once for good.
    assert len(done[2].worker_ids) == 1 and len(done[3].worker_ids) == 1


def script(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tests.core.sibling_script", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_worker_killed_mid_batch_loses_nothing(shared_env, tmp_path):  # noqa: F811
    """A real worker process takes a batch and is killed (SIGKILL) after two of its
    six items; the reaper queues the batch again once its heartbeat stops, and the
    next worker does all six, each row claimed by both."""
    marker = tmp_path / "tally.txt"
    script(shared_env, "enqueue", str(marker), "1.5", *[str(n) for n in range(100, 106)])
    worker = [FRONTLINE, "worker", "--no-periodic", "--interval", "0.2"]
    victim = subprocess.Popen(worker, env=shared_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(noted(marker)) >= 2, "the first worker never began the batch")
    finally:
        victim.kill()
        victim.wait()
    held = json.loads(script(shared_env, "rows"))
    assert {row["status"] for row in held} == {TaskResultStatus.RUNNING}
    assert len({row["worker_ids"][0] for row in held}) == 1  # one worker took them all
    time.sleep(4)  # FRONTLINE_WORKER_LOST_SECONDS is 3 here
    assert json.loads(script(shared_env, "reap"))["requeued"] == 6

    heir = subprocess.Popen(worker, env=shared_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: {row["status"] for row in json.loads(script(shared_env, "rows"))}
                 == {TaskResultStatus.SUCCESSFUL}, "the batch was never finished", 90)
    finally:
        _, errors = stop(heir)
    final = json.loads(script(shared_env, "rows"))
    assert all(len(row["worker_ids"]) == 2 for row in final)
    heir_id = final[0]["worker_ids"][1]
    assert sorted(number for number, worker in noted(marker) if worker == heir_id) == list(
        range(100, 106))
    assert "Traceback" not in errors
