"""Tasks: processing stored inbound mail, and the sweep that recovers from crashes.

`store.accept_raw` queues `process_inbound_task` once the raw mail is committed.
If a worker dies while processing, the mail's transaction rolls back (it stays
`stored`) and its task stays claimed by the dead worker; the sweep queues such
mail again. A task that fails because the database was briefly away is not
left to the sweep: the worker queues it again within seconds (core/worker.py).
Processing is idempotent, so a mail queued twice still lands once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import TaskContext, task

from frontline.core import scheduler, siblings, task_priorities
from frontline.mail import batch, services

# While more mails than this wait in the queue, the sweep leaves the backlog be:
# it would only queue them a second time.
MAX_WAITING_CHECKED = 5000
# Stored mails waiting in the queue that one task processes after its own: one
# claim of the worker for many mails under a backlog (issue 11, part 3).
TAKE_WAITING = 20


@task(takes_context=True, priority=task_priorities.CUSTOMER_WAITING)
def process_inbound_task(context: TaskContext, inbound_id: int) -> str:
    """Process one stored mail into its ticket; returns the mail's state. The stored
    mails whose tasks wait behind it are processed with it, in one batch in the
    queue's order (mail/batch.py), each task ending with its own mail's outcome
    (core/siblings.py)."""
    with siblings.taken(context, TAKE_WAITING) as waiting:
        done = batch.process_stored([inbound_id, *_ids(waiting)]) if len(waiting) else {}

        def process(mail_id: int) -> str:
            # A mail the batch did not find: process_inbound says what became of it.
            row = done.get(mail_id) or services.process_inbound(mail_id)
            return str(row.state)

        state = process(inbound_id)
        waiting.run_each(lambda sibling: process(sibling.id_argument()))
    return state


def _ids(waiting: siblings.Taken) -> list[int]:
    """The mail ids the siblings were queued with (one queued otherwise fails alone,
    in run_each)."""
    ids = []
    for sibling in waiting.siblings:
        try:
            ids.append(sibling.id_argument())
        except TypeError:
            continue
    return ids


@task()
def requeue_stale_inbound() -> int:
    """Queue again the stored mail that no worker finished (crash recovery)."""
    return services.requeue_stale()


def waiting_inbound_ids() -> set[int] | None:
    """Ids of stored mails whose processing task waits in the queue; None when the
    queue is too long to tell cheaply (or is not the database queue)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: nothing to look at
        return set()
    waiting = DBTaskResult.objects.ready().filter(task_path=process_inbound_task.module_path)
    rows = list(waiting.values_list("args_kwargs", flat=True)[:MAX_WAITING_CHECKED + 1])
    if len(rows) > MAX_WAITING_CHECKED:
        return None
    found: set[int] = set()
    for row in rows:
        args = (row or {}).get("args") or []
        if args and isinstance(args[0], int):
            found.add(args[0])
    return found


scheduler.register("mail.requeue_stale_inbound",
                   timedelta(seconds=settings.FRONTLINE_INBOUND_SWEEP_SECONDS),
                   requeue_stale_inbound)
