from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "amends.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from amends.outbox.channels import deliverer_register
        from amends.outbox.models import OutboxMessage

        from .delivery import webhooks_deliver

        deliverer_register(OutboxMessage.Kind.WEBHOOK, webhooks_deliver)
