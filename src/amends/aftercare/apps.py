from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "amends.aftercare"
    label = "aftercare"

    def ready(self) -> None:
        # Intake and the case lifecycle know nothing of aftercare: it listens to their hooks (no import circle).
        from . import hooks

        hooks.connect()
