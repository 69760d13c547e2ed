"""Kept counts of cases_case: triggers write a delta row per change (see amends.core.tallies)."""

from django.db import migrations

from amends.core import tallies


def forwards(apps, schema_editor):
    tallies.install(schema_editor, "cases_case")


def backwards(apps, schema_editor):
    tallies.uninstall(schema_editor, "cases_case")


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_inbox_keyset_indexes"), ("core", "0002_kept_counts")]
    operations = [migrations.RunPython(forwards, backwards)]
