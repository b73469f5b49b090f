"""A task for the lost-task test: it marks its start in a file, then takes its time,
so that the test can kill the worker running it (tests/core/test_lost_tasks.py)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow(marker: str, seconds: float) -> int:
    """Appends "start" to `marker`, sleeps, appends "end"; returns the starts seen."""
    path = Path(marker)
    with path.open("a") as out:
        out.write("start\n")
    time.sleep(seconds)
    with path.open("a") as out:
        out.write("end\n")
    return path.read_text().count("start")
