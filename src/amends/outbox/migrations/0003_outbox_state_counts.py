"""Kept counts of outbox_outboxmessage: triggers write a delta row per change (see amends.core.tallies)."""

from django.db import migrations

from amends.core import tallies


def forwards(apps, schema_editor):
    tallies.install(schema_editor, "outbox_outboxmessage")


def backwards(apps, schema_editor):
    tallies.uninstall(schema_editor, "outbox_outboxmessage")


class Migration(migrations.Migration):
    dependencies = [("outbox", "0002_suppression"), ("core", "0002_kept_counts")]
    operations = [migrations.RunPython(forwards, backwards)]
