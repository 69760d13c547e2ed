from django.db import migrations
from django.utils import timezone

from amends.replies.defaults import DEFAULTS


def forwards(apps, schema_editor):
    ReplyTemplate = apps.get_model("replies", "ReplyTemplate")
    now = timezone.now()
    for language, templates in DEFAULTS.items():
        for purpose, (subject, body) in templates.items():
            ReplyTemplate.objects.get_or_create(
                purpose=purpose,
                language=language,
                category=None,
                defaults={"subject": subject, "body": body, "updated_at": now},
            )


class Migration(migrations.Migration):
    dependencies = [("replies", "0001_initial"), ("triage", "0004_casetriage_customer_id_and_more")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
