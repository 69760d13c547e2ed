from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "amends.webhooks"
    label = "webhooks"
