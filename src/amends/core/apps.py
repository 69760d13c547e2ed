from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amends.core"
    label = "core"

    def ready(self) -> None:
        from . import ratelimit  # noqa: F401 - registers the check that rate limits have a shared cache
