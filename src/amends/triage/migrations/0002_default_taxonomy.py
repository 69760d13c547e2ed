from django.db import migrations

from amends.triage.defaults import DEFAULT_CATEGORIES


def forwards(apps, schema_editor):
    Category = apps.get_model("triage", "Category")
    for slug, name, description in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
