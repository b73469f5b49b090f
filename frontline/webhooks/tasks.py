"""The worker's webhook work: one attempt per task, a sweep every minute, and a daily
prune of the delivery log. Thin."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.webhooks import delivery


@task()
def deliver(delivery_id: int) -> str:
    """One attempt at one delivery (frontline.webhooks.delivery.attempt)."""
    return delivery.attempt(delivery_id)


@task()
def deliver_due() -> dict[str, int]:
    """Every pending delivery that is due and was not queued (a lost task)."""
    return delivery.run_due()


@task()
def prune() -> int:
    """Finished deliveries older than FRONTLINE_WEBHOOK_KEEP_DAYS leave the log."""
    return delivery.prune()


scheduler.register("webhooks.deliver_due", timedelta(minutes=1), deliver_due)
scheduler.register("webhooks.prune", timedelta(days=1), prune)
