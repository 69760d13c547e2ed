"""The stored case search documents (amends.cases.search): one row per case, indexed per database, and the
documents of the cases there are already. Replaces 0002's index, which PostgreSQL had to recompute per row."""

import django.db.models.deletion
from django.db import migrations, models

PG_CREATE = [
    # 'simple': the words are search keys already (lower-case, folded, stemmed by amends.cases.search_text).
    "ALTER TABLE cases_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, identity), 'A') || to_tsvector('simple'::regconfig, words)) STORED",
    "CREATE INDEX case_search_vector ON cases_searchdocument USING gin (vector)",
    "DROP INDEX IF EXISTS case_fulltext",
]
SQLITE_CREATE = [
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TABLE IF EXISTS cases_case_fts",
    "CREATE VIRTUAL TABLE cases_searchdocument_fts USING fts5(identity, words, content='cases_searchdocument', "
    "content_rowid='case_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER cases_searchdocument_fts_ai AFTER INSERT ON cases_searchdocument BEGIN "
    "INSERT INTO cases_searchdocument_fts(rowid, identity, words) VALUES (new.case_id, new.identity, new.words); END",
    "CREATE TRIGGER cases_searchdocument_fts_ad AFTER DELETE ON cases_searchdocument BEGIN "
    "INSERT INTO cases_searchdocument_fts(cases_searchdocument_fts, rowid, identity, words) "
    "VALUES ('delete', old.case_id, old.identity, old.words); END",
    "CREATE TRIGGER cases_searchdocument_fts_au AFTER UPDATE ON cases_searchdocument BEGIN "
    "INSERT INTO cases_searchdocument_fts(cases_searchdocument_fts, rowid, identity, words) "
    "VALUES ('delete', old.case_id, old.identity, old.words); "
    "INSERT INTO cases_searchdocument_fts(rowid, identity, words) VALUES (new.case_id, new.identity, new.words); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_au",
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_ad",
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_ai",
    "DROP TABLE IF EXISTS cases_searchdocument_fts",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}.get(vendor, []):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    # PostgreSQL: the column and its index go with the table.


def backfill(apps, schema_editor):
    from amends.cases.search_documents import search_documents_build

    models = (
        apps.get_model("cases", "Case"),
        apps.get_model("cases", "Message"),
        apps.get_model("cases", "SearchDocument"),
    )
    search_documents_build(models=models)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_all_event_kinds")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("identity", models.TextField()),
                ("words", models.TextField()),
            ],
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
