from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "amends.replies"
    label = "replies"
