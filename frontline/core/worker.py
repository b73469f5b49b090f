"""The background worker: runs queued tasks (django-tasks-db) and ticks the scheduler.

It is django_tasks_db's Worker with two changes. It ticks `core.scheduler`
between tasks, so periodic jobs need no separate process. And it looks for a
ready task with a plain read before taking the write lock: on SQLite the stock
loop opens an exclusive transaction every second even when the queue is empty,
which makes every web request that writes queue behind an idle worker.

`stop()` may be called from another thread (the `serve` command runs the
worker in a thread beside the web server); a running task is finished first.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import OperationalError, close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from frontline.core import scheduler

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

    def tick(self) -> None:
        try:
            scheduler.tick(worker_id=self.worker_id)
        except OperationalError as error:
            # A busy database only delays the slot to the next tick.
            if not is_locked_database_exception(error):
                raise

    def run(self) -> None:
        logger.info("Worker %s started (queues: %s%s)", self.worker_id,
                    ",".join(self.queue_names), ", with periodic jobs" if self.schedule else "")
        next_tick = 0.0
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
                except Exception:
                    if self.batch:
                        raise
                    # A database restart or a network blip must not end background
                    # work for good (in `serve` nobody would notice): log, wait, retry.
                    logger.exception("Worker %s: error between tasks; retrying in %s s",
                                     self.worker_id, RETRY_SECONDS)
                    connection.close()
                    self._wake.wait(RETRY_SECONDS)
                    continue
                if self.batch and ran is False:
                    return
                if not ran and self.running:
                    self._wake.wait(self.interval)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()
            logger.info("Worker %s stopped", self.worker_id)
