"""The background worker: runs queued tasks (django-tasks-db) and ticks the scheduler.

It is django_tasks_db's Worker with three changes. It ticks `core.scheduler`
between tasks, so periodic jobs need no separate process. It looks for a
ready task with a plain read before taking the write lock: on SQLite the stock
loop opens an exclusive transaction every second even when the queue is empty,
which makes every web request that writes queue behind an idle worker. And a
task that fails because the database was briefly away (`outages.is_transient`)
goes back in the queue with backoff instead of failing for good: the stock
worker tried to mark it failed over the lost connection, could not, and left it
claimed ("running") until a sweep, if any, found its work minutes later. Every
task gets this, so every task must be safe to run again after an error (they
are: each runs in its own transactions and skips what is done).

`stop()` may be called from another thread (the `serve` command runs the
worker in a thread beside the web server); a running task is finished first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from traceback import format_exception

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, TaskResultStatus
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from frontline.core import lost_tasks, outages, scheduler

logger = logging.getLogger(__name__)

SCHEDULER_TICK_SECONDS = 30.0
RETRY_SECONDS = 5.0


class FrontlineWorker(Worker):
    def __init__(
        self,
        *,
        interval: float = 1.0,
        batch: bool = False,
        schedule: bool = True,
        queue_names: list[str] | None = None,
        backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
        worker_id: str | None = None,
        tick_seconds: float = SCHEDULER_TICK_SECONDS,
    ) -> None:
        super().__init__(
            queue_names=queue_names or [DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        self.schedule = schedule
        self.tick_seconds = tick_seconds
        self._wake = threading.Event()
        self._heart: threading.Thread | None = None
        self._heart_stop = threading.Event()

    def stop(self) -> None:
        """Finish the task in hand, then leave `run()`."""
        self.running = False
        self._wake.set()

    def run_one(self) -> bool | None:
        """Claim and run one ready task: True if one ran, False if the queue is
        empty, None if the database was too busy to tell."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        try:
            if not tasks.exists():
                return False
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None
            raise
        if task_result is None:
            return False
        self.run_task(task_result)
        return True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed task and record how it ended, as the stock worker does, except
        that a transient database error queues it again (`_retry_later`) while it has
        attempts left (each claim is one: `worker_ids` grows by one per claim)."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            args, kwargs = task_result.args, task_result.kwargs
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *args, **kwargs)
            else:
                value = task.call(*args, **kwargs)
            # Recorded inside the try: if the database goes away now, the task's work
            # may have committed or not; it runs again and skips what is done.
            db_task_result.set_successful(value)
        except BaseException as error:
            attempts = len(db_task_result.worker_ids)
            if outages.is_transient(error) and attempts < settings.FRONTLINE_TASK_MAX_ATTEMPTS:
                self._retry_later(db_task_result, error, attempts)
                return
            self._write_through_outage(db_task_result, partial(db_task_result.set_failed, error))
            # Inside the except block, so that the failure's log line has its traceback.
            _send_finished(db_task_result)
            return
        finally:
            self.running_task = False
            self._run_tasks += 1
        _send_finished(db_task_result)

    def _retry_later(self, db_task_result: DBTaskResult, error: BaseException,
                     attempts: int) -> None:
        """Put the task back in the queue, due after `outages.backoff(attempts)`."""
        delay = outages.backoff(attempts)
        logger.warning("Task %s (%s) failed on the database (%s); attempt %s of %s, "
                       "again in %g s", db_task_result.id, db_task_result.task_path,
                       outages.describe(error), attempts, settings.FRONTLINE_TASK_MAX_ATTEMPTS,
                       delay)

        def requeue() -> None:
            DBTaskResult.objects.filter(pk=db_task_result.pk,
                                        status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY,
                run_after=timezone.now() + timedelta(seconds=delay),
                exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
                traceback="".join(format_exception(error)))

        self._write_through_outage(db_task_result, requeue)

    def _write_through_outage(self, db_task_result: DBTaskResult,
                              write: Callable[[], object]) -> None:
        """Record a task's fate, though the database may still be away: the write is
        tried again with backoff until it goes through or the worker is stopped. Then
        the task stays claimed, as if this worker had died (the inbound-mail and
        delivery sweeps find their work again, as after a crash)."""
        failures = 0
        while True:
            outages.discard_broken_connections()
            try:
                write()
                return
            except DatabaseError as error:
                failures += 1
                # A batch run (`worker --batch`) stops on an outage, as between tasks.
                gave_up = self.batch and failures >= settings.FRONTLINE_TASK_MAX_ATTEMPTS
                if not outages.is_transient(error) or not self.running or gave_up:
                    logger.error("Task %s: its outcome could not be recorded (%s); it stays "
                                 "claimed", db_task_result.id, outages.describe(error))
                    return
                self._wake.wait(outages.backoff(failures))

    def tick(self) -> None:
        try:
            scheduler.tick(worker_id=self.worker_id)
        except OperationalError as error:
            # A busy database only delays the slot to the next tick.
            if not is_locked_database_exception(error):
                raise

    def _beat(self) -> None:
        try:
            lost_tasks.beat(self.worker_id)
        except DatabaseError as error:
            # A missed beat only matters if they stop for FRONTLINE_WORKER_LOST_SECONDS.
            logger.warning("Worker %s: heartbeat not recorded (%s)", self.worker_id,
                           outages.describe(error))
            outages.discard_broken_connections()

    def _keep_beating(self) -> None:
        """The heartbeat thread: beats until the worker stops, also while a task runs."""
        try:
            while not self._heart_stop.wait(lost_tasks.heartbeat_seconds()):
                self._beat()
        finally:
            connection.close()

    def _start_heart(self) -> None:
        """The first beat before the first claim, then a beat every few seconds. Not
        inside a caller's transaction (a test's): its thread's writes would wait
        on that transaction's locks."""
        if connection.in_atomic_block:
            return
        self._beat()
        self._heart_stop.clear()
        self._heart = threading.Thread(target=self._keep_beating, daemon=True,
                                       name=f"heartbeat-{self.worker_id[:8]}")
        self._heart.start()

    def _stop_heart(self) -> None:
        if self._heart is None:
            return
        self._heart_stop.set()
        self._heart.join(timeout=lost_tasks.heartbeat_seconds() + 5)
        self._heart = None
        try:
            lost_tasks.forget(self.worker_id)
        except DatabaseError as error:
            logger.warning("Worker %s: heartbeat not removed (%s)", self.worker_id,
                           outages.describe(error))

    def run(self) -> None:
        logger.info("Worker %s started (queues: %s%s)", self.worker_id,
                    ",".join(self.queue_names), ", with periodic jobs" if self.schedule else "")
        next_tick = 0.0
        failures = 0
        self._start_heart()
        try:
            while self.running:
                # Inside a caller's transaction (tests run the worker in one) the
                # connection is not the worker's to recycle.
                if not connection.in_atomic_block:
                    close_old_connections()
                try:
                    if self.schedule and time.monotonic() >= next_tick:
                        self.tick()
                        next_tick = time.monotonic() + self.tick_seconds
                    ran = self.run_one()
                except Exception as error:
                    if self.batch:
                        raise
                    # A database restart or a network blip must not end background
                    # work for good (in `serve` nobody would notice): log, wait, retry,
                    # soon at first (a restart takes seconds), then every RETRY_SECONDS.
                    failures += 1
                    wait = outages.backoff(failures, cap=RETRY_SECONDS)
                    if outages.is_transient(error):
                        logger.warning("Worker %s: the database is away (%s); retrying in "
                                       "%g s", self.worker_id, outages.describe(error), wait)
                    else:
                        logger.exception("Worker %s: error between tasks; retrying in %g s",
                                         self.worker_id, wait)
                    connection.close()
                    self._wake.wait(wait)
                    continue
                failures = 0
                if self.batch and ran is False:
                    return
                if not ran and self.running:
                    self._wake.wait(self.interval)
        finally:
            self._stop_heart()
            if threading.current_thread() is not threading.main_thread():
                connection.close()
            logger.info("Worker %s stopped", self.worker_id)


def _send_finished(db_task_result: DBTaskResult) -> None:
    try:
        sender = type(db_task_result.task.get_backend())
        finished = db_task_result.task_result
    except (ImportError, SuspiciousOperation):
        logger.exception("Task %s failed unexpectedly", db_task_result.id)
        return
    task_finished.send(sender=sender, task_result=finished)
