"""Fewer indexes on tickets_ticket (issue 11, part 2: the SLA recompute at a million
tickets). Every update that changes an indexed column (the clock's sla_due and
sla_check_at do) writes an entry into each index of the table, so indexes that
another one already serves cost writes and buy nothing:

- the plain foreign-key indexes on team, assignee, requester and organization:
  ticket_team_updated, ticket_assignee_updated, ticket_requester_updated and
  ticket_org_updated start with the same column and serve the same lookups
  (the ON DELETE SET NULL / PROTECT checks included);
- ticket_team_status and ticket_assignee_status (team|assignee, status,
  updated_at): a queue's active statuses walk ticket_active_team /
  ticket_active_assignee, a finished status walks (team|assignee, updated_at, id);
- the foreign-key index on merged_into becomes a partial one, ticket_merged_into,
  holding the few merged tickets instead of one NULL entry per ticket.

The foreign keys lose their index with a plain DROP INDEX: Django's AlterField
would rebuild the whole table on SQLite for a change of db_index.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# field -> the index Django named for it (the same name on SQLite and PostgreSQL)
FOREIGN_KEY_INDEXES = {
    "assignee": ("tickets_ticket_assignee_id_3a5aa407", "assignee_id"),
    "merged_into": ("tickets_ticket_merged_into_id_3a36ad40", "merged_into_id"),
    "organization": ("tickets_ticket_organization_id_7128da48", "organization_id"),
    "requester": ("tickets_ticket_requester_id_2072a2f2", "requester_id"),
    "team": ("tickets_ticket_team_id_5a4e7469", "team_id"),
}


def _drop(field: str, new: models.Field) -> migrations.SeparateDatabaseAndState:
    name, column = FOREIGN_KEY_INDEXES[field]
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name="ticket", name=field, field=new)],
        database_operations=[migrations.RunSQL(
            f'DROP INDEX IF EXISTS "{name}"',
            reverse_sql=f'CREATE INDEX "{name}" ON "tickets_ticket" ("{column}")')],
    )


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0007_contact_name_index"),
        ("routing", "0003_team_calendar_team_last_assigned_and_more"),
        ("tickets", "0013_composer_drafts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_assignee_status"),
        migrations.RemoveIndex(model_name="ticket", name="ticket_team_status"),
        _drop("assignee", models.ForeignKey(
            blank=True, db_index=False, null=True,
            on_delete=django.db.models.deletion.SET_NULL, related_name="assigned_tickets",
            to=settings.AUTH_USER_MODEL)),
        _drop("merged_into", models.ForeignKey(
            blank=True, db_index=False, null=True,
            on_delete=django.db.models.deletion.SET_NULL, related_name="merged_tickets",
            to="tickets.ticket")),
        _drop("organization", models.ForeignKey(
            blank=True, db_index=False, null=True,
            on_delete=django.db.models.deletion.SET_NULL, related_name="tickets",
            to="customers.organization")),
        _drop("requester", models.ForeignKey(
            db_index=False, on_delete=django.db.models.deletion.PROTECT,
            related_name="tickets", to="customers.contact")),
        _drop("team", models.ForeignKey(
            blank=True, db_index=False, null=True,
            on_delete=django.db.models.deletion.SET_NULL, to="routing.team")),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("merged_into__isnull", False)),
                               fields=["merged_into"], name="ticket_merged_into"),
        ),
    ]
