"""Word indexes on customers' names, so people search finds any word of a name.

"Robotics" finds "Acme Robotics", "moreno" finds "Alice Moreno", "ines" finds
"Inês" (frontline.search.people). A LIKE '%word%' would read every contact; these
are indexes the query can use, kept by the database itself, so every writer of a
contact or organization (the desk, the API, the batched mail import's bulk_create)
keeps them right without calling anything:

- SQLite: FTS5 tables with external content (the rows stay in customers' tables)
  and the unicode61 tokenizer with remove_diacritics 2, as the ticket index;
  triggers follow inserts, updates and deletes; 'rebuild' indexes existing rows.
- PostgreSQL: GIN indexes on to_tsvector('simple', frontline_fold(name)), where
  frontline_fold is lower(unaccent(name)) declared IMMUTABLE (unaccent itself is
  only STABLE, since its dictionary could change; ours is the fixed default one).
  unaccent is a trusted extension (PostgreSQL 13+): a database owner may create
  it. Where it is not installed, frontline_fold only lower-cases: words are found,
  accents must then be typed.

The DDL is copied here, not imported, so this migration stays as it was written.
"""

from django.db import migrations

TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"
# (FTS table, content table)
SQLITE_TABLES = [("search_contact_name_fts", "customers_contact"),
                 ("search_organization_name_fts", "customers_organization")]
POSTGRESQL_INDEXES = [("search_contact_name_words", "customers_contact"),
                      ("search_organization_name_words", "customers_organization")]
FOLD_WITH_UNACCENT = (
    "CREATE OR REPLACE FUNCTION frontline_fold(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    "AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$")
FOLD_LOWER_ONLY = (
    "CREATE OR REPLACE FUNCTION frontline_fold(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT lower($1) $$")


def _sqlite_create(table: str, content: str) -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5(name, content='{content}', "
        f"content_rowid='id', {TOKENIZE})",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON {content} BEGIN "
        f"INSERT INTO {table}(rowid, name) VALUES (new.id, new.name); END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON {content} BEGIN "
        f"INSERT INTO {table}({table}, rowid, name) VALUES ('delete', old.id, old.name); END",
        f"CREATE TRIGGER {table}_update AFTER UPDATE OF name ON {content} BEGIN "
        f"INSERT INTO {table}({table}, rowid, name) VALUES ('delete', old.id, old.name); "
        f"INSERT INTO {table}(rowid, name) VALUES (new.id, new.name); END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, content in SQLITE_TABLES:
            for statement in _sqlite_create(table, content):
                schema_editor.execute(statement)
    elif vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
            available = cursor.fetchone() is not None
        if available:
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
        schema_editor.execute(FOLD_WITH_UNACCENT if available else FOLD_LOWER_ONLY)
        for index, table in POSTGRESQL_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX {index} ON {table} "
                f"USING gin (to_tsvector('simple', frontline_fold(name)))")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, _content in SQLITE_TABLES:
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
    elif vendor == "postgresql":
        for index, _table in POSTGRESQL_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute("DROP FUNCTION IF EXISTS frontline_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgresql_statistics"),
                    ("customers", "0007_contact_name_index")]
    operations = [migrations.RunPython(create, drop)]
