"""The company's default targets, seeded from the factory defaults that used to be code (cases.lifecycle.TARGETS).
From here on they are data: managers edit them under Console → Playbooks."""

from django.db import migrations

from amends.cases.lifecycle import TARGETS


def forwards(apps, schema_editor):
    ResponseTarget = apps.get_model("playbooks", "ResponseTarget")
    for priority, (first, resolution) in TARGETS.items():
        if not ResponseTarget.objects.filter(playbook__isnull=True, priority=int(priority)).exists():
            ResponseTarget.objects.create(priority=int(priority), first_response=first, resolution=resolution)


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0001_playbooks")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
