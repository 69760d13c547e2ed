from django.tasks import task

from .surveys import surveys_remind_due, surveys_send_due


@task()
def surveys_send() -> int:
    """Surveys whose delay passed go out, and the one reminder (scheduled by the worker every minute)."""
    return surveys_send_due() + surveys_remind_due()
