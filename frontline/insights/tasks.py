"""Detection in the worker: each new ticket (queued by the workflow when its opening
commits) and, every minute, whatever is pending (the mail import queues nothing)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import TaskContext, task

from frontline.core import outages, scheduler, siblings, task_priorities
from frontline.insights import detection

# New tickets waiting in the queue that one task detects with its own: their
# signatures in one build (core/siblings.py; issue 11, part 3).
TAKE_WAITING = 50


@task(takes_context=True, priority=task_priorities.BACKGROUND)
def detect_ticket(context: TaskContext, ticket_id: int) -> dict[str, int]:
    """A new ticket's signature, then whether it makes a group raise an alert; and
    the same for the new tickets waiting behind it, together."""
    with siblings.taken(context, TAKE_WAITING) as waiting:
        ids = [ticket_id]
        for sibling in waiting:
            try:
                ids.append(sibling.id_argument())
            except TypeError as error:
                waiting.failed(sibling, error)
        try:
            results = detection.detect_tickets(ids)
        except Exception as error:
            if outages.is_transient(error) or not len(waiting):
                raise
            # Something in the batch is bad: each on its own, with its own outcome.
            own = _summary(detection.detect_ticket(ticket_id))
            waiting.run_each(lambda sibling: _summary(
                detection.detect_ticket(sibling.id_argument())))
            return own
        waiting.run_each(lambda sibling: _summary(results[sibling.id_argument()]))
    return _summary(results[ticket_id])


def _summary(result: detection.Detection) -> dict[str, int]:
    return {"signatures": result.signatures, "raised": len(result.raised)}


@task(priority=task_priorities.BACKGROUND)
def detect() -> dict[str, int]:
    """Signatures and detection for the tickets still pending (imports, lost tasks)."""
    result = detection.run()
    return {"signatures": result.signatures, "groups": result.groups,
            "joined": result.joined, "raised": len(result.raised)}


# A minute: an imported ticket is grouped within a minute or two of the import;
# RUN_LIMIT tickets a run keeps a run under a minute (bench/similar.py).
scheduler.register("insights.detect", timedelta(minutes=1), detect)
