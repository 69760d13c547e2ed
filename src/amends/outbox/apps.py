from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "amends.outbox"
    label = "outbox"
