from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "amends.remedies"
    label = "remedies"
