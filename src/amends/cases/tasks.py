import logging

from django.tasks import task

from .services import cases_flag_breaches

logger = logging.getLogger("amends.cases")


@task()
def flag_breaches() -> int:
    flagged = cases_flag_breaches()
    if flagged:
        logger.info("%s case(s) missed a target and were raised", flagged)
    return flagged
