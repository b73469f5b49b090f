"""The SLA clock columns move out of tickets_ticket into tickets_ticketclock, one
row per ticket (issue 11, part 2: the SLA recompute at a million tickets).

Every recomputed ticket changes sla_due and sla_check_at, which are indexed, so
its UPDATE of tickets_ticket was never HOT and wrote an entry into each of that
table's 23 indexes. The narrow table has three (its key, the breach scan's
clock_sla_check and the queues' clock_sla_due).

In order, so that it runs in reasonable time at a million tickets on both
engines:
1. the table, without its secondary indexes;
2. the values copied with ONE set-based INSERT ... SELECT (every ticket gets its
   row, with or without a clock);
3. the two indexes, built once over the filled table;
4. the columns and their indexes removed from tickets_ticket. PostgreSQL's DROP
   COLUMN only marks the column dropped. On SQLite the plain columns go with
   ALTER TABLE DROP COLUMN (SQLite >= 3.35; Django uses it for a column with no
   index or constraint, once RemoveIndex took sla_due's and sla_check_at's);
   for plan_id and sla_policy_id, which carry a foreign key, Django's
   RemoveField would rebuild the whole table, so their foreign-key index goes
   with a plain DROP INDEX and the column with ALTER TABLE DROP COLUMN (SQLite
   refuses to drop an indexed column, not one with a column REFERENCES clause),
   as 0014_fewer_ticket_indexes did for other foreign keys;
5. ANALYZE of the new table.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ("plan_id", "sla_policy_id", "first_response_due", "next_response_due",
           "resolution_due", "sla_due", "sla_check_at", "sla_paused_at",
           "sla_paused_seconds", "sla_warned", "sla_breached")
_LIST = ", ".join(f'"{column}"' for column in COLUMNS)

COPY = (f'INSERT INTO "tickets_ticketclock" ("ticket_id", {_LIST}) '
        f'SELECT "id", {_LIST} FROM "tickets_ticket"')
# Backwards: the columns were added back (empty) by the operations undone before.
COPY_BACK = (f'UPDATE "tickets_ticket" SET ({_LIST}) = (SELECT {_LIST} FROM '
             f'"tickets_ticketclock" c WHERE c."ticket_id" = "tickets_ticket"."id")')

# field -> (the foreign-key index Django named for it, column, referenced table)
FOREIGN_KEYS = {
    "plan": ("tickets_ticket_plan_id_49994dd8", "plan_id", "customers_plan"),
    "sla_policy": ("tickets_ticket_sla_policy_id_ead5adac", "sla_policy_id", "sla_slapolicy"),
}


def _drop_foreign_key(field: str) -> migrations.SeparateDatabaseAndState:
    index, column, table = FOREIGN_KEYS[field]
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RemoveField(model_name="ticket", name=field)],
        database_operations=[migrations.RunSQL(
            [f'DROP INDEX IF EXISTS "{index}"',
             f'ALTER TABLE "tickets_ticket" DROP COLUMN "{column}"'],
            reverse_sql=[
                f'ALTER TABLE "tickets_ticket" ADD COLUMN "{column}" bigint NULL '
                f'REFERENCES "{table}" ("id") DEFERRABLE INITIALLY DEFERRED',
                f'CREATE INDEX "{index}" ON "tickets_ticket" ("{column}")'])],
    )


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0007_contact_name_index"),
        ("sla", "0001_initial"),
        ("tickets", "0016_draft_recipients"),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketClock",
            fields=[
                ("ticket", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                    related_name="clock", serialize=False, to="tickets.ticket")),
                ("first_response_due", models.DateTimeField(blank=True, null=True)),
                ("next_response_due", models.DateTimeField(blank=True, null=True)),
                ("resolution_due", models.DateTimeField(blank=True, null=True)),
                ("sla_due", models.DateTimeField(blank=True, null=True)),
                ("sla_check_at", models.DateTimeField(blank=True, null=True)),
                ("sla_paused_at", models.DateTimeField(blank=True, null=True)),
                ("sla_paused_seconds", models.PositiveIntegerField(blank=True, null=True)),
                ("sla_warned", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("sla_breached", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("plan", models.ForeignKey(
                    blank=True, db_index=False, null=True,
                    on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to="customers.plan")),
                ("sla_policy", models.ForeignKey(
                    blank=True, db_index=False, null=True,
                    on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to="sla.slapolicy")),
            ],
        ),
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
        migrations.AddIndex(
            model_name="ticketclock",
            index=models.Index(condition=models.Q(("sla_check_at__isnull", False)),
                               fields=["sla_check_at"], name="clock_sla_check"),
        ),
        migrations.AddIndex(
            model_name="ticketclock",
            index=models.Index(condition=models.Q(("sla_due__isnull", False)),
                               fields=["sla_due", "ticket"], name="clock_sla_due"),
        ),
        migrations.RemoveIndex(model_name="ticket", name="ticket_sla_check"),
        migrations.RemoveIndex(model_name="ticket", name="ticket_active_sla_due"),
        *(migrations.RemoveField(model_name="ticket", name=name) for name in (
            "first_response_due", "next_response_due", "resolution_due", "sla_due",
            "sla_check_at", "sla_paused_at", "sla_paused_seconds", "sla_warned",
            "sla_breached")),
        _drop_foreign_key("plan"),
        _drop_foreign_key("sla_policy"),
        # Statistics for the new table at once: without them SQLite's planner
        # knows nothing of clock_sla_due and sorts a whole queue by time left.
        migrations.RunSQL('ANALYZE "tickets_ticketclock"', reverse_sql=migrations.RunSQL.noop),
    ]
