"""Tasks: sending outbound mail. Thin: they call frontline.mail.outbound."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.mail import outbound


@task()
def deliver_task(outbound_id: int) -> str | None:
    """Send one queued mail (enqueued when it is queued, after commit)."""
    return outbound.deliver(outbound_id)


@task()
def deliver_due_task() -> dict[str, int]:
    """Send the mails whose retry time has come, and any whose enqueue was lost."""
    return outbound.deliver_due()


# Retries wait a minute at the least (FRONTLINE_MAIL_RETRY_SECONDS), so a
# one-minute sweep keeps them on time without busy polling.
scheduler.register("mail.deliver_due", timedelta(minutes=1), deliver_due_task)
