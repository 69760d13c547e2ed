from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "amends.remedies"
    label = "remedies"

    def ready(self) -> None:
        from amends.core.display import display_register

        from .models import KIND_CHOICES
        from .presenting import approval_reason, money_words

        # Core shows remedy events without importing remedies: the vocabulary is lent to it here.
        display_register(remedy_kinds=lambda: dict(KIND_CHOICES), money=money_words, approval_reason=approval_reason)
