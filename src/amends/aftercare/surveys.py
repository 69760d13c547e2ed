"""The follow-up survey (P10): scheduled when a case is resolved, sent after the company's delay in the customer's
language, answered in one click (or on the status page, or through the API), reminded once at most, never sent
to a suppressed address. A dissatisfied answer reopens the case."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from functools import cache, partial
from string import Formatter
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.cases.lifecycle import Priority, Status
from amends.cases.models import ActorKind, Case, CaseEvent
from amends.cases.services import PUBLIC_EVENTS, event_record
from amends.core import languages
from amends.customers.services import customer_label
from amends.outbox.services import outbox_email_enqueue
from amends.outbox.suppression import is_suppressed

from . import links, tone
from .models import AftercareSettings, Survey, SurveyText
from .notify import staff_mail

MAX_COMMENT = 2000
SCORES = range(1, 6)
RECOMMEND = range(0, 11)
# A detractor (0-6 on the recommend scale) whose own words are negative is dissatisfied, like a 1 or a 2.
DETRACTOR = 6
DISSATISFIED_SCORES = (1, 2)
TEXT_VARIABLES = ("customer_name", "case_reference", "score_links", "status_link", "brand_name")


def aftercare_settings() -> AftercareSettings:
    found = AftercareSettings.objects.order_by("pk").first()
    return found if found is not None else AftercareSettings.objects.create()


def aftercare_settings_save(
    *, survey_enabled: bool, survey_delay_hours: int, reminder_after_hours: int, link_valid_days: int, actor
) -> AftercareSettings:
    errors: dict[str, list[str]] = {}
    if not 0 <= survey_delay_hours <= 24 * 60:
        errors["survey_delay_hours"] = [_("Between 0 hours and 60 days, please.")]
    if not 1 <= reminder_after_hours <= 24 * 60:
        errors["reminder_after_hours"] = [_("Between 1 hour and 60 days, please.")]
    if not 1 <= link_valid_days <= 365:
        errors["link_valid_days"] = [_("Between 1 and 365 days, please.")]
    elif reminder_after_hours >= link_valid_days * 24:
        errors["reminder_after_hours"] = [_("The reminder must go before the links run out.")]
    if errors:
        raise ValidationError(errors)
    current = aftercare_settings()
    current.survey_enabled = survey_enabled
    current.survey_delay_hours = survey_delay_hours
    current.reminder_after_hours = reminder_after_hours
    current.link_valid_days = link_valid_days
    current.updated_by = actor
    current.updated_at = timezone.now()
    current.save()
    return current


# ---------------------------------------------------------------- scheduling (cases.hooks)


def survey_on_transition(case: Case, current: str, to: str, at: datetime) -> None:
    """Resolved: the survey is scheduled. Reopened: the unanswered survey is cancelled and its links die."""
    if to == Status.RESOLVED:
        config = aftercare_settings()
        if not config.survey_enabled:
            return
        Survey.objects.get_or_create(
            case=case,
            resolved_at=at,
            defaults={
                "nonce": secrets.token_hex(8),
                "language": case.language,
                "due_at": at + timedelta(hours=config.survey_delay_hours),
                "created_at": at,
            },
        )
    elif current in (Status.RESOLVED, Status.CLOSED) and to not in (Status.RESOLVED, Status.CLOSED):
        Survey.objects.filter(case=case, state__in=[Survey.State.SCHEDULED, Survey.State.SENT]).update(
            state=Survey.State.CANCELLED, nonce="", cancelled_at=at
        )


# ---------------------------------------------------------------- texts


def _check_text(text: str, field: str) -> None:
    try:
        names = [name for _lit, name, _spec, _conv in Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValidationError({field: [_("Unbalanced braces: write {{ and }} for a literal brace.")]}) from None
    unknown = [n for n in names if n not in TEXT_VARIABLES]
    if unknown:
        raise ValidationError(
            {
                field: [
                    _("Unknown variable {%(name)s}; use %(known)s.")
                    % {"name": unknown[0][:40], "known": ", ".join("{" + v + "}" for v in TEXT_VARIABLES)}
                ]
            }
        )


def survey_text_save(*, purpose: str, language: str, subject: str, body: str, actor) -> SurveyText:
    errors: dict[str, list[str]] = {}
    if purpose not in SurveyText.Purpose.values:
        errors["purpose"] = [_("Choose the survey or its reminder.")]
    code = languages.normalize(language or "")
    if not code:
        errors["language"] = [_("Choose a language.")]
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or len(subject) > 200:
        errors["subject"] = [_("Give a subject of at most 200 characters.")]
    if not body:
        errors["body"] = [_("Write the text of the e-mail.")]
    elif "{score_links}" not in body:
        errors["body"] = [_("The text must hold {score_links}: the links the customer answers with.")]
    for field, text in (("subject", subject), ("body", body)):
        if field not in errors:
            try:
                _check_text(text, field)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    saved, _created = SurveyText.objects.update_or_create(
        purpose=purpose,
        language=code,
        defaults={"subject": subject, "body": body, "updated_by": actor, "updated_at": timezone.now()},
    )
    return saved


def _text_for(purpose: str, language: str) -> SurveyText | None:
    base = language.split("-")[0]
    found = {t.language: t for t in SurveyText.objects.filter(purpose=purpose, language__in={language, base})}
    return found.get(language) or found.get(base)


def score_lines(survey: Survey) -> list[tuple[int, str]]:
    return [(score, links.survey_url(survey_id=survey.public_id, nonce=survey.nonce, score=score)) for score in SCORES]


def survey_compose(*, survey: Survey, reminder: bool = False) -> tuple[str, str]:
    """The survey e-mail (or its reminder) in the customer's language: the manager's text if there is one."""
    from amends.portal.services import status_link_create

    case = survey.case
    _link, status_url = status_link_create(case=case)
    lines = score_lines(survey)
    with translation.override(survey.language):
        words = {score: str(SCORE_WORDS[score]) for score in SCORES}
        block = "\n".join(f"{score} – {words[score]}: {url}" for score, url in lines)
        own = _text_for(SurveyText.Purpose.REMINDER if reminder else SurveyText.Purpose.SURVEY, survey.language)
        values = {
            "customer_name": case.customer.name or _("customer"),
            "case_reference": case.reference,
            "score_links": block,
            "status_link": status_url,
            "brand_name": case.brand.sender_name,
        }
        if own is not None:
            return own.subject.format_map(values), own.body.format_map(values)
        subject = _("How did we do? Your case %(reference)s") % {"reference": case.reference}
        if reminder:
            subject = _("A reminder: how did we do? Your case %(reference)s") % {"reference": case.reference}
        body = render_to_string(
            "aftercare/email/survey.txt",
            {
                "case": case,
                "customer": case.customer,
                "lines": lines,
                "words": words,
                "status_url": status_url,
                "reminder": reminder,
            },
        )
        return subject, body


SCORE_WORDS: dict[int, object] = {}  # filled below with lazy translations


def _score_words() -> None:
    from django.utils.translation import gettext_lazy

    SCORE_WORDS.update(
        {
            1: gettext_lazy("Very dissatisfied"),
            2: gettext_lazy("Dissatisfied"),
            3: gettext_lazy("Neither"),
            4: gettext_lazy("Satisfied"),
            5: gettext_lazy("Very satisfied"),
        }
    )


_score_words()


def _sender(case: Case) -> str:
    return formataddr((case.brand.sender_name, case.brand.sender_email))


def _still_resolved(survey: Survey, case: Case) -> bool:
    return case.status in (Status.RESOLVED, Status.CLOSED) and case.resolved_at == survey.resolved_at


def surveys_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the surveys whose delay has passed (the worker runs this every minute). Each in its own short
    transaction, claimed by a conditional update, so two workers never send one twice."""
    now = now or timezone.now()
    config = aftercare_settings()
    sent = 0
    due = list(
        Survey.objects.filter(state=Survey.State.SCHEDULED, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        with transaction.atomic():
            survey = (
                Survey.objects.select_for_update(of=("self",))
                .select_related("case", "case__customer", "case__brand")
                .filter(pk=pk, state=Survey.State.SCHEDULED)
                .first()
            )
            if survey is None:
                continue
            case = survey.case
            if not _still_resolved(survey, case):
                Survey.objects.filter(pk=pk).update(state=Survey.State.CANCELLED, nonce="", cancelled_at=now)
                continue
            # No address (a customer known only by a public handle) is treated as a suppressed one: no mail.
            if not case.customer.email or is_suppressed(case.customer.email):
                Survey.objects.filter(pk=pk).update(state=Survey.State.SUPPRESSED, nonce="", cancelled_at=now)
                continue
            subject, body = survey_compose(survey=survey)
            outbox_email_enqueue(
                recipient=case.customer.email,
                subject=subject,
                body=body,
                sender=_sender(case),
                case_id=case.pk,
                headers={"X-Amends-Case": case.reference},
                dedupe_key=f"survey:{survey.pk}",
            )
            Survey.objects.filter(pk=pk).update(
                state=Survey.State.SENT, sent_at=now, expires_at=now + timedelta(days=config.link_valid_days)
            )
            event_record(
                case=case,
                kind=CaseEvent.Kind.SURVEY_SENT,
                actor_kind=ActorKind.SYSTEM,
                actor_label="amends",
                data={"language": survey.language},
                at=now,
            )
            sent += 1
    return sent


def surveys_remind_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """One reminder at most, to a survey still unanswered after the company's wait, while its links are good."""
    now = now or timezone.now()
    config = aftercare_settings()
    reminded = 0
    due = list(
        Survey.objects.filter(
            state=Survey.State.SENT,
            reminder_sent_at__isnull=True,
            sent_at__lte=now - timedelta(hours=config.reminder_after_hours),
            expires_at__gt=now,
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        with transaction.atomic():
            if not Survey.objects.filter(pk=pk, state=Survey.State.SENT, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue  # answered, cancelled or reminded meanwhile
            survey = Survey.objects.select_related("case", "case__customer", "case__brand").get(pk=pk)
            case = survey.case
            if not _still_resolved(survey, case) or not case.customer.email or is_suppressed(case.customer.email):
                continue  # the claim stands: no reminder will go for this survey
            subject, body = survey_compose(survey=survey, reminder=True)
            outbox_email_enqueue(
                recipient=case.customer.email,
                subject=subject,
                body=body,
                sender=_sender(case),
                case_id=case.pk,
                headers={"X-Amends-Case": case.reference},
                dedupe_key=f"survey-reminder:{survey.pk}",
            )
            event_record(
                case=case,
                kind=CaseEvent.Kind.SURVEY_REMINDED,
                actor_kind=ActorKind.SYSTEM,
                actor_label="amends",
                at=now,
            )
            reminded += 1
    return reminded


# ---------------------------------------------------------------- answering


class SurveyRefused(Exception):
    """Why an answer was not recorded: `code` for machines (invalid, expired, reopened, answered, range), `message`
    for the customer, `status` for HTTP."""

    def __init__(self, code: str, message: str, *, status: int, survey: Survey | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.survey = survey


def _refuse_link(code: str, survey: Survey | None = None) -> SurveyRefused:
    messages = {
        "invalid": (_("This survey link is not valid: it may have been copied incompletely."), 404),
        "expired": (_("This survey link has expired. Thank you all the same for your trust."), 410),
        "reopened": (
            _("Your case was reopened after this survey was sent, so it no longer asks about the current state."),
            409,
        ),
        "answered": (_("You have already answered this survey; your first answer stands. Thank you!"), 409),
        "cancelled": (_("This survey is no longer open."), 409),
    }
    message, status = messages[code]
    return SurveyRefused(code, message, status=status, survey=survey)


def _check_score(value: object, *, field: str, allowed: range) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValidationError(
            {field: [_("Give a whole number from %(low)s to %(high)s.") % {"low": allowed[0], "high": allowed[-1]}]}
        )
    return value


def survey_by_token(token: str) -> tuple[Survey, int]:
    try:
        read = links.survey_token_read(token)
    except links.BadSurveyLink:
        raise _refuse_link("invalid") from None
    # One query, no ORDER BY: the hot path of the one-click answer (benchmarks/survey.py).
    survey = (
        Survey.objects.select_related("case", "case__customer", "case__brand")
        .filter(public_id=read.survey)
        .order_by()
        .first()
    )
    if survey is None or (not secrets.compare_digest(survey.nonce or "-", read.nonce) and survey.state != "cancelled"):
        # A survey cancelled by a reopening tells its customer so; any other mismatch is a forgery.
        raise _refuse_link("invalid")
    if survey.state == Survey.State.CANCELLED:
        raise _refuse_link("reopened" if survey.case.resolved_at != survey.resolved_at else "cancelled", survey)
    return survey, read.score


@dataclass
class Answered:
    survey: Survey
    reopened: bool


def _open_check(survey: Survey, now: datetime) -> None:
    if survey.state == Survey.State.ANSWERED or survey.answered_at is not None:
        raise _refuse_link("answered", survey)
    if survey.state not in (Survey.State.SENT, Survey.State.SCHEDULED):
        raise _refuse_link("cancelled", survey)
    if survey.expires_at is not None and survey.expires_at <= now:
        raise _refuse_link("expired", survey)
    if not _still_resolved(survey, survey.case):
        raise _refuse_link("reopened", survey)


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    satisfaction: object,
    via: str,
    remedy_worth: str = "",
    recommend: object = None,
    comment: str = "",
    now: datetime | None = None,
) -> Answered:
    """Record the customer's answer once: the first stands, a second is told so. The score decides at once; the
    rest (remedy worth it, recommend, a sentence) may come with it or later (survey_details)."""
    now = now or timezone.now()
    score = _check_score(satisfaction, field="satisfaction", allowed=SCORES)
    details = _details_check(remedy_worth=remedy_worth, recommend=recommend, comment=comment, language=survey.language)
    _open_check(survey, now)
    claimed = Survey.objects.filter(
        pk=survey.pk, answered_at__isnull=True, state__in=[Survey.State.SENT, Survey.State.SCHEDULED]
    ).update(state=Survey.State.ANSWERED, answered_at=now, answered_via=via, satisfaction=score)
    if not claimed:
        raise _refuse_link("answered", survey)
    survey.state, survey.answered_at, survey.answered_via, survey.satisfaction = "answered", now, via, score
    event_record(
        case=survey.case,
        kind=CaseEvent.Kind.SURVEY_ANSWERED,
        actor_kind=ActorKind.CUSTOMER,
        actor_label=customer_label(survey.case.customer),
        data={"satisfaction": score, "via": via},
        at=now,
    )
    reopened = False
    if details is not None:
        reopened = _apply_details(survey, details, now)
    if not reopened and score in DISSATISFIED_SCORES:
        reopened = _dissatisfied(survey, reason="score")
    return Answered(survey=survey, reopened=reopened)


@dataclass(frozen=True)
class Details:
    remedy_worth: str
    recommend: int | None
    comment: str
    negative: bool


def _details_check(*, remedy_worth: str, recommend: object, comment: str, language: str) -> Details | None:
    if not remedy_worth and recommend in (None, "") and not (comment or "").strip():
        return None
    errors: dict[str, list[str]] = {}
    if remedy_worth and remedy_worth not in Survey.Worth.values:
        errors["remedy_worth"] = [_("Answer yes, partly or no.")]
    score: int | None = None
    if recommend not in (None, ""):
        try:
            score = _check_score(recommend, field="recommend", allowed=RECOMMEND)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        errors["comment"] = [_("At most %(limit)s characters, please.") % {"limit": MAX_COMMENT}]
    elif "\x00" in text:
        errors["comment"] = [_("The text holds a character that cannot be stored.")]
    if errors:
        raise ValidationError(errors)
    mood = tone.read(text, language=language) if text else None
    return Details(
        remedy_worth=remedy_worth or "", recommend=score, comment=text, negative=bool(mood and mood.is_negative)
    )


def _apply_details(survey: Survey, details: Details, now: datetime) -> bool:
    sentiment = tone.read(details.comment, language=survey.language).score if details.comment else None
    updated = Survey.objects.filter(pk=survey.pk, details_at__isnull=True).update(
        remedy_worth=details.remedy_worth,
        recommend=details.recommend,
        comment=details.comment,
        comment_sentiment=sentiment,
        details_at=now,
    )
    if not updated:
        raise _refuse_link("answered", survey)
    survey.remedy_worth, survey.recommend, survey.comment = details.remedy_worth, details.recommend, details.comment
    survey.comment_sentiment, survey.details_at = sentiment, now
    detractor = details.recommend is not None and details.recommend <= DETRACTOR and details.negative
    if detractor and not survey.dissatisfied:
        return _dissatisfied(survey, reason="detractor")
    return False


@transaction.atomic
def survey_details(
    *, survey: Survey, remedy_worth: str = "", recommend: object = None, comment: str = "", now: datetime | None = None
) -> Answered:
    """The rest of an answered survey (once): remedy worth it, recommend 0-10, a sentence."""
    now = now or timezone.now()
    if survey.answered_at is None:
        raise SurveyRefused("unanswered", _("Choose how satisfied you are first."), status=409, survey=survey)
    if survey.details_at is not None:
        raise _refuse_link("answered", survey)
    details = _details_check(remedy_worth=remedy_worth, recommend=recommend, comment=comment, language=survey.language)
    if details is None:
        raise ValidationError({"comment": [_("Answer at least one of the questions.")]})
    reopened = _apply_details(survey, details, now)
    return Answered(survey=survey, reopened=reopened)


def _dissatisfied(survey: Survey, *, reason: str) -> bool:
    """Mark the answer dissatisfied; the reopening, the priority and the assignee's mail follow from the task queue
    once this transaction commits (survey_followup_run). Returns whether the case is to be reopened."""
    Survey.objects.filter(pk=survey.pk).update(dissatisfied=True)
    survey.dissatisfied = True
    followup_enqueue(survey_id=survey.pk, reason=reason)
    return _still_resolved(survey, survey.case)


def followup_enqueue(*, survey_id: int, reason: str) -> None:
    """After the commit, never inside it (a worker could look before the answer is there). Should the enqueue fail
    or the process die in between, surveys_followups_due finds the survey again (the case is still resolved)."""
    transaction.on_commit(partial(_followup_enqueue_now, survey_id, reason), robust=True)


def _followup_enqueue_now(survey_id: int, reason: str) -> None:
    from .tasks import survey_followup

    survey_followup.enqueue(survey_id=survey_id, reason=reason)


def _followup_pending() -> QuerySet[Survey]:
    """Dissatisfied answers whose case is still resolved as the survey asked about: the follow-up has not run."""
    return Survey.objects.filter(
        state=Survey.State.ANSWERED,
        dissatisfied=True,
        case__status__in=[Status.RESOLVED, Status.CLOSED],
        case__resolved_at=F("resolved_at"),
    )


@transaction.atomic
def survey_followup_run(*, survey_id: int, reason: str, now: datetime | None = None) -> bool:
    """The follow-up of a dissatisfied answer (the task survey_followup runs it): reopen the case with an event,
    raise its priority, tell the assignee (or the managers). Idempotent: it acts only while the case is still
    resolved as the survey asked about, under the case's row lock, so a retry or a second worker does nothing.
    Returns whether it reopened the case."""
    from amends.cases.services import case_transition
    from amends.playbooks.routing import case_category_id, case_targets

    now = now or timezone.now()
    survey = _followup_pending().filter(pk=survey_id).first()
    if survey is None:
        return False
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("customer", "assignee", "brand")
        .get(pk=survey.case_id)
    )
    if not _still_resolved(survey, case):
        return False
    case_transition(
        case=case,
        to=Status.IN_PROGRESS,
        actor_kind=ActorKind.CUSTOMER,
        actor_label=_("Satisfaction survey"),
        at=now,
    )
    if case.priority > Priority.HIGH:
        old = case.priority
        first, resolution = case_targets(category_id=case_category_id(case_id=case.pk), priority=Priority.HIGH)
        Case.objects.filter(pk=case.pk).update(
            priority=Priority.HIGH,
            first_response_due_at=case.created_at + first,
            resolution_due_at=now + resolution,
            next_due_at=now + resolution,
            updated_at=now,
        )
        event_record(
            case=case,
            kind=CaseEvent.Kind.PRIORITY_CHANGED,
            actor_kind=ActorKind.SYSTEM,
            actor_label=_("Satisfaction survey"),
            data={"from": old, "to": int(Priority.HIGH)},
            at=now,
        )
    people = [case.assignee] if case.assignee and case.assignee.is_active else []
    if not people:
        from .notify import managers

        people = managers()
    staff_mail(
        people=people,
        template="aftercare/email/dissatisfied.txt",
        subject=_("A customer is not satisfied: %(reference)s reopened") % {"reference": case.reference},
        context={"case": case, "survey": survey, "reason": reason, "url": _case_url(case)},
        case_id=case.pk,
        dedupe=f"survey-dissatisfied:{survey.pk}",
    )
    return True


def _case_url(case: Case) -> str:
    from django.urls import reverse

    return f"{settings.BASE_URL}{reverse('cases:case', kwargs={'public_id': case.public_id})}"


def surveys_followups_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """The safety net of followup_enqueue (the worker runs it every minute with surveys_send): a dissatisfied
    answer of the last week whose case is still resolved after two minutes has lost its task; run it here."""
    now = now or timezone.now()
    due = list(
        _followup_pending()
        .filter(answered_at__lte=now - timedelta(minutes=2), answered_at__gte=now - timedelta(days=7))
        .order_by()
        .values_list("pk", "satisfaction")[:limit]
    )
    return sum(
        survey_followup_run(survey_id=pk, reason="score" if score in DISSATISFIED_SCORES else "detractor", now=now)
        for pk, score in due
    )


# ---------------------------------------------------------------- the one click from the e-mail (the hot path)


@dataclass(frozen=True)
class Click:
    """What the page after a one-click answer shows, read without building a model instance (benchmarks/survey.py:
    the ORM's instances of a survey, its case, customer and brand cost more than the rest of the request)."""

    survey_id: int
    language: str
    brand_name: str
    satisfaction: int
    dissatisfied: bool
    details_open: bool


_CLICK_FIELDS = (
    "pk",
    "case_id",
    "nonce",
    "state",
    "language",
    "resolved_at",
    "expires_at",
    "answered_at",
    "satisfaction",
    "dissatisfied",
    "details_at",
    "case__status",
    "case__resolved_at",
    "case__brand__sender_name",
    "case__customer__name",
    "case__customer__email",
)


def survey_click(*, token: str, now: datetime | None = None, _again: bool = True) -> Click:
    """The customer's one click on a score in the survey e-mail: one read, then one transaction that claims the
    survey with a conditional UPDATE (single use is the database's: of two clicks at once one updates a row, the
    other none and is told the first answer stands) and writes the case's event. What may wait (the reopening of
    a dissatisfied answer, the priority, the assignee's mail) is a task enqueued when the transaction commits.
    Refusals as survey_by_token and survey_answer give them: invalid, reopened, cancelled, answered, expired."""
    try:
        read = links.survey_token_read(token)
    except links.BadSurveyLink:
        raise _refuse_link("invalid") from None
    if read.score not in SCORES:
        raise SurveyRefused(
            "range", _("Give a whole number from %(low)s to %(high)s.") % {"low": 1, "high": 5}, status=422
        )
    now = now or timezone.now()
    row = _click_row(read.survey)
    if row is None:
        raise _refuse_link("invalid")
    state = row["state"]
    if state == Survey.State.CANCELLED:
        if row["case__resolved_at"] != row["resolved_at"]:
            raise _refuse_link("reopened")
        raise _refuse_link("cancelled")
    if not secrets.compare_digest(row["nonce"] or "-", read.nonce):
        raise _refuse_link("invalid")
    if state == Survey.State.ANSWERED or row["answered_at"] is not None:
        raise SurveyAnswered(_click(row, satisfaction=row["satisfaction"]))
    if state not in (Survey.State.SENT, Survey.State.SCHEDULED):
        raise _refuse_link("cancelled")
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise _refuse_link("expired")
    if row["case__status"] not in (Status.RESOLVED, Status.CLOSED) or row["case__resolved_at"] != row["resolved_at"]:
        raise _refuse_link("reopened")
    dissatisfied = read.score in DISSATISFIED_SCORES
    with transaction.atomic():
        claimed = Survey.objects.filter(
            pk=row["pk"],
            nonce=read.nonce,
            answered_at__isnull=True,
            state__in=[Survey.State.SENT, Survey.State.SCHEDULED],
        ).update(
            state=Survey.State.ANSWERED,
            answered_at=now,
            answered_via=Survey.Via.EMAIL,
            satisfaction=read.score,
            dissatisfied=dissatisfied,
        )
        if claimed:
            CaseEvent.objects.create(
                case_id=row["case_id"],
                kind=CaseEvent.Kind.SURVEY_ANSWERED,
                actor_kind=ActorKind.CUSTOMER,
                actor_label=row["case__customer__name"]
                or row["case__customer__email"]
                or _customer_label(row["case_id"]),
                public=CaseEvent.Kind.SURVEY_ANSWERED in PUBLIC_EVENTS,
                data={"satisfaction": read.score, "via": Survey.Via.EMAIL},
                created_at=now,
            )
            if dissatisfied:
                followup_enqueue(survey_id=row["pk"], reason="score")
    if not claimed:
        # Another click (or a reopening) came between the read and the update: say which, as the read would have.
        if _again:
            return survey_click(token=token, now=now, _again=False)
        raise _refuse_link("answered")
    return _click(row, satisfaction=read.score, dissatisfied=dissatisfied)


class SurveyAnswered(SurveyRefused):
    """Answered before: the first answer stands, and the rest of the survey may still be given once."""

    def __init__(self, click: Click) -> None:
        refused = _refuse_link("answered")
        super().__init__(refused.code, refused.message, status=refused.status)
        self.click = click


@cache
def _click_query() -> QuerySet[Survey, dict[str, Any]]:
    # Built once per process: setting up the joins of .values() costs more than the query (benchmarks/survey.py).
    return Survey.objects.order_by().values(*_CLICK_FIELDS)


def _click_row(public_id: uuid.UUID) -> dict[str, Any] | None:
    return next(iter(_click_query().filter(public_id=public_id)[:1]), None)


def _click(row: dict[str, Any], *, satisfaction: int, dissatisfied: bool | None = None) -> Click:
    return Click(
        survey_id=row["pk"],
        language=row["language"],
        brand_name=row["case__brand__sender_name"] or "",
        satisfaction=satisfaction,
        dissatisfied=row["dissatisfied"] if dissatisfied is None else dissatisfied,
        details_open=row["details_at"] is None,
    )


def _customer_label(case_id: int) -> str:
    return customer_label(Case.objects.select_related("customer").get(pk=case_id).customer)
