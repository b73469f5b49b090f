"""Detection in the worker: each new ticket (queued by the workflow when its opening
commits) and, every minute, whatever is pending (the mail import queues nothing)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from frontline.core import scheduler
from frontline.insights import detection


@task()
def detect_ticket(ticket_id: int) -> dict[str, int]:
    """A new ticket's signature, then whether it makes a group raise an alert."""
    result = detection.detect_ticket(ticket_id)
    return {"signatures": result.signatures, "raised": len(result.raised)}


@task()
def detect() -> dict[str, int]:
    """Signatures and detection for the tickets still pending (imports, lost tasks)."""
    result = detection.run()
    return {"signatures": result.signatures, "groups": result.groups,
            "joined": result.joined, "raised": len(result.raised)}


# A minute: an imported ticket is grouped within a minute or two of the import;
# RUN_LIMIT tickets a run keeps a run under a minute (bench/similar.py).
scheduler.register("insights.detect", timedelta(minutes=1), detect)
