from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone


@task()
def prune_task_results() -> int:
    """The database queue keeps a row per finished task; a day of history is plenty, the sweeps add up fast."""
    if settings.TASK_BACKEND != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=timezone.now() - timedelta(days=1)).delete()
    return deleted


@task()
def fold_tallies() -> int:
    """Fold the kept counts' delta rows (core.tallies), so reading a count sums a handful of rows."""
    from .tallies import tallies_fold

    return tallies_fold()
