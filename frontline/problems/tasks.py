"""The problems app's background work: delivering its webhooks. Thin."""

from __future__ import annotations

from django_tasks import task

from frontline.problems import webhooks


@task()
def deliver_webhook(url: str, body: str, attempt: int) -> str:
    """One POST to one receiver (frontline.problems.webhooks.deliver)."""
    return webhooks.deliver(url, body, attempt)
