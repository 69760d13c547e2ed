"""Full-text search structures, one per database (see amends.cases.search)."""

from django.db import migrations

from amends.core.text import FOLD_FROM, FOLD_TO

# The expression the first search indexed (replaced by the stored documents of 0010), kept here as it was.
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, translate(coalesce(subject, '') || ' ' || coalesce(description, ''), "
    f"'{FOLD_FROM}', '{FOLD_TO}'))"
)

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE cases_case_fts USING fts5(subject, description, content='cases_case', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER cases_case_fts_ai AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(rowid, subject, description) VALUES (new.id, new.subject, new.description); END",
    "CREATE TRIGGER cases_case_fts_ad AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description); END",
    "CREATE TRIGGER cases_case_fts_au AFTER UPDATE OF subject, description ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description); "
    "INSERT INTO cases_case_fts(rowid, subject, description) VALUES (new.id, new.subject, new.description); END",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TABLE IF EXISTS cases_case_fts",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX case_fulltext ON cases_case USING gin (({PG_DOCUMENT}))")
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_fulltext")
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
