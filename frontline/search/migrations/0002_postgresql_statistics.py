"""Keep statistics on more lexemes in the PostgreSQL index (bench/RESULTS.md, finding 3).

With the default target PostgreSQL knows about ~1,000 lexemes and guesses
~10,000 matches for any other word; for a rare or absent word it then walked
every message document backwards instead of asking the GIN index (1.5-2.5 s at
4 million messages). With 1,000 the guess for an unknown word is small and the
index is used (0.05 ms). SQLite's FTS5 needs nothing of the kind.
"""

from django.db import migrations

TABLES = ("search_ticketdocument", "search_messagedocument")


def _statistics(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN document SET STATISTICS {int(target)}")
            schema_editor.execute(f"ANALYZE {table}")

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(_statistics(1000), _statistics(-1))]
