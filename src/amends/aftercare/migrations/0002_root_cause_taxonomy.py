from django.db import migrations

# The taxonomy the issue names; names are English msgids the pages translate (aftercare.display).
TAXONOMY = [
    ("product-defect", "Product defect"),
    ("supplier", "Supplier"),
    ("process", "Process"),
    ("staff-conduct", "Staff conduct"),
    ("it-outage", "IT outage"),
    ("logistics", "Logistics"),
    ("pricing", "Pricing"),
    ("policy", "Policy"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    RootCauseCategory = apps.get_model("aftercare", "RootCauseCategory")
    for position, (slug, name) in enumerate(TAXONOMY):
        RootCauseCategory.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


def unseed(apps, schema_editor):
    RootCauseCategory = apps.get_model("aftercare", "RootCauseCategory")
    RootCauseCategory.objects.filter(slug__in=[slug for slug, _name in TAXONOMY], root_causes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
