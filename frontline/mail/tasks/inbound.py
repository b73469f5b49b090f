"""Tasks: processing stored inbound mail (the processing service is being written)."""

from __future__ import annotations

from django_tasks import task


@task()
def process_inbound_task(inbound_id: int) -> None:
    """Placeholder until frontline.mail.services.process_inbound lands: mail stays stored."""
    return None
