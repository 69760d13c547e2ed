"""Where case reference numbers come from: a sequence on PostgreSQL, a counter row on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS cases_case_reference_seq")
    else:
        apps.get_model("cases", "ReferenceCounter").objects.get_or_create(name="case")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS cases_case_reference_seq")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_full_text_search")]
    operations = [migrations.RunPython(forwards, backwards)]
