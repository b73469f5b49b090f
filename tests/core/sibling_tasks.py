"""A task that takes its waiting siblings (core/siblings.py), for tests/core/test_siblings.py.

`tally(marker, number, seconds)` appends "<number> <worker>" to the file `marker` for
its own number and then for each sibling it took, sleeping `seconds` after each; a
negative number is refused (ValueError), as a bad item among good ones."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import TaskContext, task

from frontline.core import siblings

TAKE_WAITING = 10


@task(takes_context=True)
def tally(context: TaskContext, marker: str, number: int, seconds: float = 0.0) -> int:
    worker = str(context.task_result.worker_ids[-1])
    with siblings.taken(context, TAKE_WAITING) as waiting:
        own = _note(marker, number, seconds, worker)
        waiting.run_each(lambda sibling: _note(*sibling.args, worker=worker))
    return own


def _note(marker: str, number: int, seconds: float = 0.0, worker: str = "") -> int:
    if number < 0:
        raise ValueError(f"{number} is not a number we count")
    with Path(marker).open("a") as out:
        out.write(f"{number} {worker}\n")
    time.sleep(seconds)
    return number * 2


def noted(marker: Path) -> list[tuple[int, str]]:
    """(number, worker) per line written so far."""
    if not marker.exists():
        return []
    return [(int(number), worker) for number, _, worker in
            (line.partition(" ") for line in marker.read_text().splitlines())]
