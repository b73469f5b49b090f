"""Tasks: sending outbound mail. Thin: they call frontline.mail.outbound."""

from __future__ import annotations

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
    deliveries waiting behind it over the same connection, each recorded on its own
    task row and leased on its own outbound row."""
    with siblings.taken(context, TAKE_WAITING) as waiting, outbound.Connection() as connection:
        state = outbound.deliver(outbound_id, over=connection)
        waiting.run_each(lambda sibling: outbound.deliver(sibling.id_argument(),
                                                          over=connection))
    return state


@task()
def deliver_due_task() -> dict[str, int]:
    """Send the mails whose retry time has come, and any whose enqueue was lost."""
    return outbound.deliver_due()


# Retries wait a minute at the least (FRONTLINE_MAIL_RETRY_SECONDS), so a
# one-minute sweep keeps them on time without busy polling.
scheduler.register("mail.deliver_due", timedelta(minutes=1), deliver_due_task)
