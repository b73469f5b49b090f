"""Which tasks a worker claimed, in order: for tests of how a backlog is taken."""

from __future__ import annotations

from typing import Any

from django_tasks_db.compat import task_started

from frontline.core.worker import FrontlineWorker


def claims_while_working() -> list[str]:
    """Run a worker until the queue is empty; the task names it claimed, in order."""
    claimed: list[str] = []

    def note(sender: Any, task_result: Any, **kwargs: Any) -> None:
        claimed.append(task_result.task.name)

    task_started.connect(note, weak=False)
    try:
        FrontlineWorker(batch=True, schedule=False, interval=0).run()
    finally:
        task_started.disconnect(note)
    return claimed
