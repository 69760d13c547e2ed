from django.tasks import task

from .services import cases_flag_breaches


@task()
def flag_breaches() -> int:
    return cases_flag_breaches()
