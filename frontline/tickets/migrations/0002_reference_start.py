"""Start ticket references at 10001 (FL-10001) on SQLite and PostgreSQL."""

from django.db import migrations

START = 10001


def start_sequence(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # AUTOINCREMENT keeps its high-water mark in sqlite_sequence; numbers
            # are never reused, even after a delete.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'tickets_ticket'")
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ('tickets_ticket', %s)",
                    [START - 1],
                )
            elif row[0] < START - 1:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = 'tickets_ticket'",
                    [START - 1],
                )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                "GREATEST(%s, (SELECT COALESCE(MAX(id), 0) FROM tickets_ticket)), true)",
                [START - 1],
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(start_sequence, migrations.RunPython.noop)]
