from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amends.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import ratelimit  # noqa: F401 - registers the check that rate limits have a shared cache

        post_migrate.connect(_keep_tally_triggers, sender=self)


def _keep_tally_triggers(using: str = "default", **kwargs: object) -> None:
    from .tallies import ensure_sqlite_triggers, tallies_recount

    ensure_sqlite_triggers(using)
    if "plan" not in kwargs:
        # Sent by `flush`, not by `migrate`: SQLite empties the tables one by one, so the counts' table may be
        # emptied before a counted table, whose delete triggers then leave negative counts behind.
        tallies_recount(using)
