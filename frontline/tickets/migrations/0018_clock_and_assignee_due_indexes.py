"""Indexes on the SLA clock's plan and policy (tickets_ticketclock.plan_id and
sla_policy_id), which 0017_ticket_clock left without one, and on one person's open
tickets by id (ticket_active_assignee_id), for their queue sorted by time left.

A plan's or policy's tickets are looked up when it changes (the recompute of its
active tickets, frontline.sla.services.affected_tickets), when a plan is deleted
(the check that no ticket was served on it) and when a policy is deleted (Django's
SET NULL of the clocks naming it). Without an index each of these read the whole
clock table. Both indexes are partial on NOT NULL, as 0017's are: every lookup
names a plan or a policy.

The queue sorted by time left walks clock_sla_due; filtered to one assignee it asks
of every ticket it passes whether it is theirs. Without ticket_active_assignee_id
each such question read the ticket's row; with it, an index-only probe
(frontline.tickets.models.Ticket.Meta).

Plain CREATE INDEX, as 0017 built its two: a second or two at a million tickets
(bench/RESULTS.md), in which writes to the table being indexed wait.
"""

from typing import Any

from django.db import migrations, models

NEW_INDEXES = ("ticket_active_assignee_id", "clock_plan", "clock_sla_policy")


def _analyze_on_sqlite(apps: Any, schema_editor: Any) -> None:
    """SQLite keeps its statistics per index (sqlite_stat1) and guesses for an index
    without them that an equality finds ten rows, so it would take the default
    plan's hundreds of thousands of clocks for a handful. ANALYZE of the new indexes
    alone: the whole tables at a million tickets would take far longer. PostgreSQL
    keeps its statistics per column; the columns' are there already."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in NEW_INDEXES:
        schema_editor.execute(f'ANALYZE "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0017_ticket_clock"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "open", "pending_customer",
                                                   "pending_internal"))),
                fields=["assignee", "id"], name="ticket_active_assignee_id"),
        ),
        migrations.AddIndex(
            model_name="ticketclock",
            index=models.Index(condition=models.Q(("plan__isnull", False)),
                               fields=["plan"], name="clock_plan"),
        ),
        migrations.AddIndex(
            model_name="ticketclock",
            index=models.Index(condition=models.Q(("sla_policy__isnull", False)),
                               fields=["sla_policy"], name="clock_sla_policy"),
        ),
        migrations.RunPython(_analyze_on_sqlite, migrations.RunPython.noop, elidable=True),
    ]
