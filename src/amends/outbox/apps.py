from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "amends.outbox"
    label = "outbox"

    def ready(self) -> None:
        from amends.core.display import display_register

        from .models import OutboxMessage

        # Core shows an outbox row's state without importing the outbox: the words are lent to it here.
        display_register(outbox_states=lambda: dict(OutboxMessage.State.choices))
