import logging

from django.tasks import task

from .services import rollups_refresh

logger = logging.getLogger("amends.insights")


@task()
def refresh_rollups() -> int:
    """Scheduled by the worker every minute: the dashboard's figures follow the cases within about a minute."""
    days = rollups_refresh()
    if days:
        logger.debug("dashboard figures of %s day(s) refreshed", days)
    return days
