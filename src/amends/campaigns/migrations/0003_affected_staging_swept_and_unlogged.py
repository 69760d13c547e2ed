import django.db.models.functions.datetime
from django.db import migrations, models


def unlogged(apps, schema_editor):  # type: ignore[no-untyped-def]
    """PostgreSQL: the staging table skips the write-ahead log (see AffectedStaging)."""
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("campaigns", "AffectedStaging")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


def logged(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("campaigns", "AffectedStaging")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_affected_source_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="affectedstaging",
            name="staged_at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.RunPython(unlogged, logged, elidable=False),
    ]
