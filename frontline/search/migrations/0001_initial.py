"""The full-text index tables: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Each vendor gets only its own tables; on any other database this does nothing
and search finds nothing. The index starts empty: run `frontline search reindex`
to fill it for existing tickets (new ones are indexed as they are written).
The DDL is copied here, not imported, so this migration stays as it was written;
frontline.search.engines.* must create the same tables when it rebuilds.
"""

from django.db import migrations

SQLITE_TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='3'"
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_ticket_fts USING fts5(reference, subject, emails, "
    + SQLITE_TOKENIZE + ")",
    "CREATE VIRTUAL TABLE search_message_fts USING fts5(body, content='', "
    + SQLITE_TOKENIZE + ")",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_ticket_fts",
    "DROP TABLE IF EXISTS search_message_fts",
]
POSTGRESQL_CREATE = [
    "CREATE TABLE search_ticketdocument (ticket_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX search_ticketdocument_gin ON search_ticketdocument USING gin (document)",
    "CREATE TABLE search_messagedocument (message_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX search_messagedocument_gin ON search_messagedocument USING gin (document)",
]
POSTGRESQL_DROP = [
    "DROP TABLE IF EXISTS search_ticketdocument",
    "DROP TABLE IF EXISTS search_messagedocument",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_reference_start")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
