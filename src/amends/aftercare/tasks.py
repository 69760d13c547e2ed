from django.tasks import task

from .surveys import survey_followup_run, surveys_followups_due, surveys_remind_due, surveys_send_due


@task()
def surveys_send() -> int:
    """Surveys whose delay passed go out, and the one reminder (scheduled by the worker every minute); and the
    follow-ups of dissatisfied answers whose task was lost (the safety net of surveys.followup_enqueue)."""
    return surveys_send_due() + surveys_remind_due() + surveys_followups_due()


@task()
def survey_followup(survey_id: int, reason: str) -> bool:
    """A dissatisfied answer: reopen the case with an event, raise its priority, tell the assignee. Enqueued when
    the answer's transaction commits; safe to run twice (surveys.survey_followup_run)."""
    return survey_followup_run(survey_id=survey_id, reason=reason)
