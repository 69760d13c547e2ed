from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "amends.playbooks"
    label = "playbooks"
