"""The background worker: runs queued tasks on the configured backend and schedules the periodic ones.

The periodic jobs are enqueued as ordinary tasks, so with several workers any of them may run a sweep; the
jobs claim their rows atomically, so running one twice at once does no harm.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger("amends.worker")

# (seconds between runs, task path)
PERIODIC = [
    (1.0, "amends.outbox.tasks.outbox_sweep"),
    (1.0, "amends.campaigns.tasks.campaigns_sweep"),
    (60.0, "amends.cases.tasks.flag_breaches"),
    (10.0, "amends.core.tasks.fold_tallies"),
    (60.0, "amends.remedies.tasks.remedies_expire"),
    (60.0, "amends.aftercare.tasks.surveys_send"),
    (60.0, "amends.insights.tasks.refresh_rollups"),
    (3600.0, "amends.core.tasks.prune_task_results"),
    (3600.0, "amends.campaigns.tasks.staging_sweep"),
]


def _schedule(stop: threading.Event) -> None:
    from django.utils.module_loading import import_string

    last: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for every, path in PERIODIC:
            if now - last.get(path, 0.0) >= every:
                last[path] = now
                try:
                    import_string(path).enqueue()
                except Exception:
                    logger.exception("could not enqueue %s", path)
        close_old_connections()
        stop.wait(1.0)


def _quiet_db_worker() -> BaseCommand:
    """django-tasks-db's worker, minus its own logging set-up: at verbosity 1 it sets its loggers to INFO and
    prints two lines for every task, i.e. for the outbox sweep every second. Our LOGGING keeps them at WARNING,
    so a failed task still shows; what a sweep did is logged by the sweep, and only when it did something."""
    from django_tasks_db.management.commands.db_worker import Command as DbWorker

    class QuietDbWorker(DbWorker):
        def configure_logging(self, verbosity: int) -> None:
            return None

    return QuietDbWorker()


class Command(BaseCommand):
    help = "Run background tasks (outbox delivery, deadline checks) on the configured task backend."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-schedule", action="store_true", help="run queued tasks only, schedule nothing")
        parser.add_argument("--interval", type=float, default=0.2, help="seconds between polls of an empty queue")

    def handle(self, *args: object, **options: object) -> None:
        stop = threading.Event()
        if not options["no_schedule"]:
            threading.Thread(target=_schedule, args=(stop,), daemon=True, name="scheduler").start()
        try:
            if settings.TASK_BACKEND == "redis":
                # Verbosity 0 is rq's WARNING: a line per job at INFO would be two a second from the outbox sweep.
                call_command("rqworker", "outbox", "default", "--job-class=django_tasks_rq.Job", verbosity=0)
            else:
                call_command(
                    _quiet_db_worker(),
                    "--queue-name=*",
                    f"--interval={options['interval']}",
                    "--no-startup-delay",
                    "--no-reload",
                )
        finally:
            stop.set()
