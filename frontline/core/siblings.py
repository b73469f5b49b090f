"""A task that finds siblings of its own kind waiting takes them along.

Every inbound mail costs a few tasks (processing, the acknowledgement's delivery,
detection), each claimed by the worker on its own: the claim, and whatever the
task sets up (an SMTP connection, a signature build), is paid once per mail. Under
a backlog (issue 11, part 3: 20 mails/s offered, ~5 done) that is most of the
worker's time. A task that may do several items at once asks here for the waiting
tasks of its own kind, does them together with its own item, and records each one's
outcome on its own row:

    with siblings.taken(context, limit=25) as waiting:
        value = do(own_id)                            # the task's own item first
        waiting.run_each(lambda sibling: do(sibling.id_argument()))  # each on its row

A single item keeps today's latency: with nothing waiting, the task runs alone
after one look at the queue.

What is decided here, once for every such task:

- Which rows: READY rows of the same task path, backend and queue, taken in the
  worker's order (priority, then run_after, then enqueued_at: django-tasks-db's
  ordering) with FOR UPDATE SKIP LOCKED, so two workers taking siblings at the same
  moment take different rows, and neither waits for the other. SQLite has no row
  locks: the claim runs in an exclusive transaction, as the worker's own claim does
  (core/worker.py), which serialises the claims.
- A claim is the worker's claim: RUNNING, `started_at` now and this worker's id
  appended to `worker_ids`. So a worker killed mid-batch leaves its siblings as it
  leaves its own task, and `core.reap_lost_tasks` (lost_tasks.py) queues them again
  once its heartbeat stops. Every write of an outcome is compare-and-set on
  (status RUNNING, started_at), as the reaper's: a row the reaper gave to another
  worker meanwhile is not overwritten.
- Outcomes are per row: one bad item fails with its own error, its siblings not.
- What the task did not finish (it raised, or stopped early) goes back to READY.
  A sibling never started gets its `worker_ids` back as they were: it was not an
  attempt. The one in hand when a transient database error struck keeps its claim,
  and waits the worker's backoff, as the task itself does (core/worker.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from frontline.core import outages

logger = logging.getLogger(__name__)


@dataclass
class Sibling:
    """One waiting task taken along: its row, its arguments, how it ended."""

    row_id: str
    args: list[Any]
    kwargs: dict[str, Any]
    started_at: datetime
    worker_ids: list[str]  # as they were before this claim
    outcome: str = ""  # "", or the TaskResultStatus it was finished with
    started: bool = False

    def id_argument(self) -> int:
        """The one argument of a task that takes a row's id (they all do here)."""
        values = [*self.args, *self.kwargs.values()]
        if len(values) != 1 or not isinstance(values[0], int) or isinstance(values[0], bool):
            raise TypeError(f"Task {self.row_id} was queued with {values!r}, "
                            "not with one id")
        return values[0]


@dataclass
class Taken:
    """The siblings a task took; see the module docstring."""

    worker_id: str
    siblings: list[Sibling] = field(default_factory=list)

    def __iter__(self) -> Iterator[Sibling]:
        for sibling in self.siblings:
            if not sibling.outcome:
                sibling.started = True
                yield sibling

    def __len__(self) -> int:
        return len(self.siblings)

    def succeeded(self, sibling: Sibling, value: Any = None) -> None:
        """Record `value` as the sibling's return value (JSON, as a task's)."""
        sibling.started = True
        _claimed(sibling).update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now(),
                                 return_value=value, exception_class_path="", traceback="")
        # Only once written: a write the database refused leaves it to `release`.
        sibling.outcome = TaskResultStatus.SUCCESSFUL

    def failed(self, sibling: Sibling, error: BaseException) -> None:
        """Record the sibling as failed with its own error (its siblings go on)."""
        sibling.started = True
        logger.warning("Task %s failed: %s", sibling.row_id, f"{type(error).__name__}: {error}")
        _claimed(sibling).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
            exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
            traceback="".join(format_exception(error)))
        sibling.outcome = TaskResultStatus.FAILED

    def run_each(self, item: Callable[[Sibling], Any]) -> None:
        """`item(sibling)` for each sibling not finished yet, in the queue's order,
        each one's value or error recorded on its own row. A transient database error
        is raised (the batch stops; what is left goes back to the queue); any other
        error fails that sibling only."""
        for sibling in self:
            try:
                value = item(sibling)
            except Exception as error:
                if outages.is_transient(error):
                    raise
                self.failed(sibling, error)
                continue
            self.succeeded(sibling, value)

    def unfinished(self) -> list[Sibling]:
        return [sibling for sibling in self.siblings if not sibling.outcome]


def take_waiting(context: TaskContext | None, limit: int) -> Taken:
    """Claim up to `limit` READY tasks of the same kind as the running one (`context`:
    the task's TaskContext, from `@task(takes_context=True)`), for this worker.

    Nothing is taken when the task does not run from the database queue (called
    directly, or another backend), or `limit` is not positive."""
    if context is None or limit <= 0:
        return Taken(worker_id="")
    result = context.task_result
    if not result.worker_ids or not isinstance(getattr(result, "db_result", None),
                                               DBTaskResult):
        return Taken(worker_id="")
    worker_id = str(result.worker_ids[-1])
    task = result.task
    waiting = (DBTaskResult.objects.ready()
               .filter(task_path=task.module_path, backend_name=result.backend,
                       queue_name=task.queue_name)
               .exclude(pk=result.id))
    now = timezone.now()
    taken = Taken(worker_id=worker_id)
    with exclusive_transaction(waiting.db):
        rows = list(waiting.select_for_update(skip_locked=True)
                    .only("id", "args_kwargs", "worker_ids")[:limit])
        by_claims: dict[tuple[str, ...], list[Any]] = {}
        for row in rows:
            before = [str(worker) for worker in (row.worker_ids or [])]
            by_claims.setdefault(tuple(before), []).append(row.pk)
            arguments = row.args_kwargs or {}
            taken.siblings.append(Sibling(
                row_id=str(row.pk), args=list(arguments.get("args") or []),
                kwargs=dict(arguments.get("kwargs") or {}), started_at=now,
                worker_ids=before))
        # Fresh rows share their (empty) claims: one UPDATE for them all.
        for claims, ids in by_claims.items():
            DBTaskResult.objects.filter(pk__in=ids).update(
                status=TaskResultStatus.RUNNING, started_at=now,
                worker_ids=[*claims, worker_id])
    return taken


@contextmanager
def taken(context: TaskContext | None, limit: int) -> Iterator[Taken]:
    """`take_waiting`, and on the way out every sibling not finished goes back to
    the queue (the task raised, or left some undone)."""
    siblings = take_waiting(context, limit)
    try:
        yield siblings
    except BaseException as error:
        release(siblings, error)
        raise
    release(siblings, None)


def release(siblings: Taken, error: BaseException | None) -> None:
    """Queue the unfinished siblings again. Written through a short outage (a few
    tries with backoff): a sibling left RUNNING under a live worker would wait for
    its own sweep (stored mail, due deliveries, pending detection) instead."""
    left = siblings.unfinished()
    if not left:
        return
    transient = error is not None and outages.is_transient(error)
    for attempt in range(1, settings.FRONTLINE_TASK_MAX_ATTEMPTS + 1):
        try:
            _requeue(left, siblings.worker_id, transient=transient)
            return
        except DatabaseError as failure:
            if not outages.is_transient(failure):
                raise
            outages.discard_broken_connections()
            logger.warning("Could not queue %s taken tasks again (%s); attempt %s", len(left),
                           outages.describe(failure), attempt)
            time.sleep(outages.backoff(attempt))
    logger.error("%s taken tasks stay claimed by worker %s (the database stayed away); "
                 "their sweeps will find their work", len(left), siblings.worker_id)


def _requeue(left: list[Sibling], worker_id: str, *, transient: bool) -> None:
    # After a database outage, they wait the worker's first backoff, as the task does.
    later = ({"run_after": timezone.now() + timedelta(seconds=outages.backoff(1))}
             if transient else {})
    for sibling in left:
        # The one in hand when the database went away was an attempt; the others not.
        claims = ([*sibling.worker_ids, worker_id] if sibling.started and transient
                  else sibling.worker_ids)
        _claimed(sibling).update(status=TaskResultStatus.READY, worker_ids=claims, **later)
        sibling.outcome = TaskResultStatus.READY


def _claimed(sibling: Sibling) -> Any:
    """The sibling's row while it is still this claim's (compare-and-set)."""
    return DBTaskResult.objects.filter(pk=sibling.row_id, status=TaskResultStatus.RUNNING,
                                       started_at=sibling.started_at)
