"""The remedy policy amends ships with (data/default_policy.toml) becomes version 1, active, in a new
installation. An installation that already holds a policy keeps its own."""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "data" / "default_policy.toml"


def forwards(apps, schema_editor):
    RemedyPolicy = apps.get_model("remedies", "RemedyPolicy")
    if RemedyPolicy.objects.exists():
        return
    now = timezone.now()
    RemedyPolicy.objects.create(
        version=1,
        source=DEFAULT_POLICY.read_text(encoding="utf-8"),
        note="The default policy amends ships with",
        is_active=True,
        created_at=now,
        activated_at=now,
    )


class Migration(migrations.Migration):
    dependencies = [("remedies", "0002_remedy_offered_by_and_grant_actor")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
