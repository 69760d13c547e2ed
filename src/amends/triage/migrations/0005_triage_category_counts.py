"""Kept counts of triage_casetriage: triggers write a delta row per change (see amends.core.tallies)."""

from django.db import migrations

from amends.core import tallies


def forwards(apps, schema_editor):
    tallies.install(schema_editor, "triage_casetriage")


def backwards(apps, schema_editor):
    tallies.uninstall(schema_editor, "triage_casetriage")


class Migration(migrations.Migration):
    dependencies = [("triage", "0004_casetriage_customer_id_and_more"), ("core", "0002_kept_counts")]
    operations = [migrations.RunPython(forwards, backwards)]
