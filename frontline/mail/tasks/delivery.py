"""Tasks: sending outbound mail. Thin: they call frontline.mail.outbound."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django_tasks import TaskContext, task

from frontline.core import scheduler, siblings, task_priorities
from frontline.mail import outbound

# Deliveries waiting in the queue that one task sends with its own, over its
# connection (core/siblings.py): under a backlog a connection is opened per
# TAKE_WAITING + 1 mails instead of per mail (issue 11, part 3).
TAKE_WAITING = 25


@task(takes_context=True, priority=task_priorities.CUSTOMER_WAITING)
def deliver_task(context: TaskContext, outbound_id: int) -> str | None:
    """Send one queued mail (enqueued when it is queued, after commit), and the
    deliveries waiting behind it over the same connection, leased and finished
    together (outbound.deliver_many); each task row records its own mail's state."""
    with siblings.taken(context, TAKE_WAITING) as waiting, outbound.Connection() as connection:
        states = outbound.deliver_many([outbound_id, *_ids(waiting)], over=connection)
        state = states.pop(outbound_id, None)
        # A second task for the same mail finds it done by the first: None, as it would
        # alone. A sibling queued with other arguments fails alone (TypeError).
        waiting.run_each(lambda sibling: states.pop(sibling.id_argument(), None))
    return state


def _ids(waiting: siblings.Taken) -> list[int]:
    found = []
    for sibling in waiting.siblings:
        with contextlib.suppress(TypeError):
            found.append(sibling.id_argument())
    return found


@task()
def deliver_due_task() -> dict[str, int]:
    """Send the mails whose retry time has come, and any whose enqueue was lost."""
    return outbound.deliver_due()


# Retries wait a minute at the least (FRONTLINE_MAIL_RETRY_SECONDS), so a
# one-minute sweep keeps them on time without busy polling.
scheduler.register("mail.deliver_due", timedelta(minutes=1), deliver_due_task)
