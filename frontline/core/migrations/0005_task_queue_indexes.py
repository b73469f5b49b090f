"""Indexes on django-tasks-db's table that match the worker's two queries exactly.

The worker's claim (core/worker.py) filters READY rows by backend and queue and
takes the first in the queue's order; a task taking its waiting siblings
(core/siblings.py) filters by task path as well. django-tasks-db's partial index
orders READY rows but holds neither column, so the plan depends on statistics: on a
task table PostgreSQL had not analysed yet (a busy day's table, or a new one) it
took a BitmapAnd of that index and the backend_name index, reading every READY row
(issue 11, part 3: 2.7 ms a claim with 6,000 waiting, 15 ms with 10,000, growing
with the backlog). With the equality columns first, the claim is an index walk that
stops at the first row whatever the backlog (0.04 ms with 10,000 waiting, stale
statistics or none; bench/RESULTS.md). Partial (READY rows only) on both engines,
as the stock index is, so a finished task costs these indexes nothing.

Raw SQL: the table is django-tasks-db's (its model's Meta is not ours to change),
and the statement is the same on SQLite and PostgreSQL.
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
ORDER = "priority DESC, run_after, enqueued_at"


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_worker_heartbeat"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX fl_task_claim_idx ON {TABLE} (backend_name, queue_name, {ORDER}) "
            "WHERE status = 'READY'",
            "DROP INDEX fl_task_claim_idx"),
        migrations.RunSQL(
            f"CREATE INDEX fl_task_siblings_idx ON {TABLE} "
            f"(task_path, backend_name, queue_name, {ORDER}) WHERE status = 'READY'",
            "DROP INDEX fl_task_siblings_idx"),
    ]
