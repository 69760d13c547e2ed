from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "amends.triage"
    label = "triage"

    def ready(self) -> None:
        from amends.core.display import display_register

        from .defaults import DEFAULT_CATEGORIES
        from .models import Category

        def stored_name(slug: str) -> str | None:
            return Category.objects.filter(slug=slug).values_list("name", flat=True).first()

        # Core names categories without importing triage: the default taxonomy and the stored names are lent here.
        display_register(category_defaults=lambda: DEFAULT_CATEGORIES, category_stored_name=stored_name)
