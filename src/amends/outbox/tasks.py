import logging

from django.tasks import task

from .services import outbox_deliver_due

logger = logging.getLogger("amends.outbox")


@task(queue_name="outbox")
def outbox_sweep() -> int:
    """Deliver everything due: retries whose backoff ended, leases of dead workers, rows whose enqueue was lost.
    It runs every second; it says something only when it sent something."""
    sent = outbox_deliver_due()
    if sent:
        logger.info("outbox: %s message(s) delivered", sent)
    return sent
