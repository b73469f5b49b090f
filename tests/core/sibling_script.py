"""Run in a child process by tests/core/test_siblings.py, on the database its
environment names: `enqueue MARKER SECONDS N...` queues a tally per number,
`rows` prints every tally row as JSON (its number, status, claims), `reap` reaps."""

from __future__ import annotations

import json
import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from django_tasks_db.models import DBTaskResult

    from frontline.core import lost_tasks
    from tests.core.sibling_tasks import tally

    command = argv[0]
    if command == "enqueue":
        marker, seconds = argv[1], float(argv[2])
        for number in argv[3:]:
            tally.enqueue(marker, int(number), seconds)
    elif command == "rows":
        rows = DBTaskResult.objects.filter(task_path=tally.module_path).order_by("enqueued_at")
        print(json.dumps([{"number": row.args_kwargs["args"][1], "status": row.status,
                           "worker_ids": row.worker_ids} for row in rows]))
    elif command == "reap":
        print(json.dumps(lost_tasks.reap()))


if __name__ == "__main__":
    main(sys.argv[1:])
