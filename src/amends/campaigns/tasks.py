import logging

from django.tasks import task

from .affected import affected_staging_sweep
from .services import campaigns_deliver_due

logger = logging.getLogger("amends.campaigns")

# A sweep sends for at most this long, so one worker's sweep does not hold its queue for a whole campaign; the
# scheduler enqueues the next one within a second, and every worker running one shares the campaign's rate.
SWEEP_SECONDS = 20.0


@task(queue_name="outbox")
def campaigns_sweep() -> int:
    """Send what the apology campaigns may send now (within each campaign's rate)."""
    sent = campaigns_deliver_due(seconds=SWEEP_SECONDS)
    if sent:
        logger.info("campaigns: %s message(s) sent", sent)
    return sent


@task()
def staging_sweep() -> int:
    """Delete the staged rows of CSV uploads that were killed half-way."""
    deleted = affected_staging_sweep()
    if deleted:
        logger.info("campaigns: %s staged row(s) of unfinished uploads deleted", deleted)
    return deleted
