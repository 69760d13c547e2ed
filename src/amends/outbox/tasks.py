from django.tasks import task

from .services import outbox_deliver_due


@task(queue_name="outbox")
def outbox_sweep() -> int:
    """Deliver everything due: retries whose backoff ended, leases of dead workers, rows whose enqueue was lost."""
    return outbox_deliver_due()
