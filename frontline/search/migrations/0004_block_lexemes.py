"""Give every PostgreSQL search document its block lexeme (issue 11, part 2).

frontline.search.engines.postgresql now finds the newest matches of a query a
window of recent id blocks at a time, through a lexeme `~w<id // 65536>` that
every document carries (see that module's docstring): documents written before
it lack the lexeme and would never be found. This adds it to each of them.

The GIN indexes are dropped first and built again after the rewrite: updating
millions of rows through a GIN index entry by entry is many times slower. At a
million tickets (5.3 million documents) it took 8 minutes on a busy 2-core
machine, with search unavailable meanwhile, and it leaves one dead row per
document: run `VACUUM (ANALYZE) search_messagedocument, search_ticketdocument`
afterwards rather than wait for autovacuum (until then each read in id order
also visits the dead rows). SQLite's FTS5 index is unchanged. The block size is copied here (not imported), so this migration stays
as it was written; the engine's WINDOW_IDS must stay equal to it.
"""

from django.db import migrations

BLOCK_IDS = 65_536
# (table, id column, GIN index)
TABLES = (
    ("search_ticketdocument", "ticket_id", "search_ticketdocument_gin"),
    ("search_messagedocument", "message_id", "search_messagedocument_gin"),
)


def _rewrite(add: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, key, index in TABLES:
            lexeme = f"('~w' || ({key} / {BLOCK_IDS}))"
            change = (f"document || array_to_tsvector(ARRAY[{lexeme}])" if add
                      else f"ts_delete(document, {lexeme})")
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
            schema_editor.execute(f"UPDATE {table} SET document = {change}")
            schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin (document)")
            schema_editor.execute(f"ANALYZE {table}")

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_people_names")]
    operations = [migrations.RunPython(_rewrite(add=True), _rewrite(add=False))]
