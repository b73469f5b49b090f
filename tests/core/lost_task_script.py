"""Run in a child process by tests/core/test_lost_tasks.py, on the database its
environment names: `enqueue MARKER SECONDS` prints the task's id, `show ID` prints
the task's row as JSON, `workers` the living workers' ids, `reap` reaps and prints the counts."""

from __future__ import annotations

import json
import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from django_tasks_db.models import DBTaskResult

    from frontline.core import lost_tasks
    from tests.core.slow_tasks import slow

    command = argv[0]
    if command == "enqueue":
        print(slow.enqueue(argv[1], float(argv[2])).id)
    elif command == "show":
        row = DBTaskResult.objects.get(pk=argv[1])
        print(json.dumps({"status": row.status, "worker_ids": row.worker_ids,
                          "return_value": row.return_value}))
    elif command == "workers":
        from frontline.core.models import WorkerHeartbeat

        print(json.dumps(list(WorkerHeartbeat.objects.values_list("worker_id", flat=True))))
    elif command == "reap":
        print(json.dumps(lost_tasks.reap()))


if __name__ == "__main__":
    main(sys.argv[1:])
