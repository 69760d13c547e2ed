from django.tasks import task

from .services import remedy_expire_due


@task()
def remedies_expire() -> int:
    """Offers whose time ran out become expired (scheduled by the worker every minute)."""
    return remedy_expire_due()
