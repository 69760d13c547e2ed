import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
application = get_wsgi_application()


def preload_models(log: logging.Logger | None = None) -> None:
    """Import every view and load every model in this process (gunicorn's master, with preload_app), so the
    workers it forks share them. Nothing fails for it: without a database yet, each worker loads its own."""
    from django.db import connections
    from django.urls import get_resolver

    log = log or logging.getLogger(__name__)
    try:
        get_resolver().url_patterns  # noqa: B018 - imports every app's views and the API
        from amends.replies.coach_model import compiled
        from amends.triage.models import CategoryModelVersion
        from amends.triage.services import category_model_active

        compiled()
        # The category learner, the language detector and the sentiment weights. A database without a trained
        # model (a fresh one) is left to the first complaint: training belongs in no master process.
        if CategoryModelVersion.objects.filter(is_active=True).exists():
            category_model_active()
    except Exception:
        log.exception("the models could not be loaded before forking; each worker loads its own")
    finally:
        # A connection opened here must not be inherited: two processes on one socket corrupt each other.
        connections.close_all()
    # What the master loaded lives as long as the workers: keep their garbage collector from walking it. Unfrozen,
    # a full collection in a worker walked it all (56-97 ms pauses, one request in thirty, measured on the API
    # list at 1M cases); frozen, the shared pages are also not written to by the collector (copy-on-write kept).
    gc.collect()
    gc.freeze()
