"""Advocates (P11): customers whose complaint ended in delight, found with the reasons in words, the recovery
paradox measured, and the manager's thanks, rewards and invitations recorded."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Min, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.cases.models import ActorKind, Case, CaseEvent, Channel, Message
from amends.cases.services import event_record
from amends.customers.models import Customer, Order
from amends.outbox.services import outbox_email_enqueue
from amends.outbox.suppression import is_suppressed

from . import tone
from .models import AdvocateAction, Survey

# Delight: the top of both scales.
MIN_SATISFACTION = 4
MIN_RECOMMEND = 9
LIMIT = 200
# Loyalty is measured over this many days after the complaint was resolved (and the same span for the baseline).
LOYALTY_DAYS = 90


@dataclass
class Advocate:
    customer: Customer
    case: Case
    survey: Survey
    reasons: list[str] = field(default_factory=list)
    orders_after: int = 0
    value_after: dict[str, Decimal] = field(default_factory=dict)
    actions: list[AdvocateAction] = field(default_factory=list)

    @property
    def strength(self) -> int:
        return len(self.reasons)


def advocates_find(*, actor: User | None, limit: int = LIMIT) -> list[Advocate]:
    """Customers whose last answered survey is delighted, strongest evidence first. Managers (and API keys, which
    speak for the company: `actor` None) only."""
    if actor is not None and not actor.is_manager:
        return []
    surveys = list(
        Survey.objects.filter(
            state=Survey.State.ANSWERED, satisfaction__gte=MIN_SATISFACTION, recommend__gte=MIN_RECOMMEND
        )
        .select_related("case", "case__customer")
        .order_by("-answered_at")[: limit * 2]
    )
    latest: dict[int, Survey] = {}
    for survey in surveys:
        latest.setdefault(survey.case.customer_id, survey)
    if not latest:
        return []
    customer_ids = list(latest)
    orders: dict[int, list[Order]] = {}
    for order in Order.objects.filter(customer_id__in=customer_ids).order_by("placed_at"):
        orders.setdefault(order.customer_id, []).append(order)
    praise = _public_praise([s.case for s in latest.values()])
    done: dict[int, list[AdvocateAction]] = {}
    for action in AdvocateAction.objects.filter(customer_id__in=customer_ids).select_related("actor"):
        done.setdefault(action.customer_id, []).append(action)
    found = []
    for customer_id, survey in latest.items():
        case = survey.case
        advocate = Advocate(customer=case.customer, case=case, survey=survey, actions=done.get(customer_id, []))
        advocate.reasons.append(
            _("satisfied %(score)s of 5 and would recommend us %(recommend)s of 10")
            % {"score": survey.satisfaction, "recommend": survey.recommend}
        )
        if survey.comment:
            mood = tone.read(survey.comment, language=survey.language)
            if mood.is_positive:
                words = ", ".join(mood.positive[:3])
                advocate.reasons.append(
                    _("kind words in their answer: %(words)s") % {"words": words}
                    if words
                    else _("their answer reads as warm")
                )
        after = [o for o in orders.get(customer_id, []) if o.placed_at >= case.created_at]
        if after:
            advocate.orders_after = len(after)
            for order in after:
                advocate.value_after[order.currency] = (
                    advocate.value_after.get(order.currency, Decimal(0)) + order.value
                )
            total = ", ".join(f"{value} {currency}" for currency, value in sorted(advocate.value_after.items()))
            advocate.reasons.append(
                _("%(count)s orders after the complaint (%(total)s)") % {"count": len(after), "total": total}
            )
        if case.pk in praise:
            advocate.reasons.append(_("praised us on the public thread after the fix"))
        found.append(advocate)
    found.sort(key=lambda a: (-a.strength, -(a.survey.answered_at.timestamp() if a.survey.answered_at else 0)))
    return found[:limit]


def _public_praise(cases: list[Case]) -> set[int]:
    """Cases that came from a public thread where the customer wrote warm words after the resolution."""
    public = {c.pk: c for c in cases if c.channel == Channel.PUBLIC_THREAD and c.resolved_at}
    if not public:
        return set()
    praised: set[int] = set()
    for message in Message.objects.filter(case_id__in=list(public), direction=Message.Direction.IN):
        case = public[message.case_id]
        after_fix = case.resolved_at is not None and message.created_at >= case.resolved_at
        if after_fix and tone.read(message.body, language=case.language).is_positive:
            praised.add(case.pk)
    return praised


# ---------------------------------------------------------------- the recovery paradox


@dataclass(frozen=True)
class Paradox:
    """Complainants measured over LOYALTY_DAYS after their complaint was resolved, against customers who never
    complained over the last LOYALTY_DAYS: orders per customer in the window."""

    complainants: int
    more_loyal: int
    complainant_rate: float | None
    baseline_rate: float | None
    baseline_customers: int
    days: int = LOYALTY_DAYS

    @property
    def share(self) -> float | None:
        return self.more_loyal / self.complainants if self.complainants and self.baseline_rate is not None else None


def recovery_paradox(*, now: datetime | None = None) -> Paradox:
    """Counted by the database in a fixed number of queries: no case or order row is read into Python, so the
    request does not grow with the cases (the orders table is read through its (customer, placed_at) index)."""
    now = now or timezone.now()
    window = timedelta(days=LOYALTY_DAYS)
    # Each complainant's first resolution old enough to have a whole window after it.
    resolutions = Case.objects.filter(resolved_at__isnull=False, resolved_at__lte=now - window)
    complainants = resolutions.values("customer_id").distinct().count()
    # Customers with orders and no complaint at all: the baseline.
    quiet = Customer.objects.filter(cases__isnull=True, orders__isnull=False).distinct()
    baseline_customers = quiet.count()
    baseline_orders = Order.objects.filter(
        customer__in=quiet.values("pk"), placed_at__gt=now - window, placed_at__lte=now
    ).count()
    baseline = baseline_orders / baseline_customers if baseline_customers else None
    # Each order of a complainant, beside that complainant's first resolution; kept when it falls in the window.
    first = (
        resolutions.filter(customer_id=OuterRef("customer_id"))
        .order_by()
        .values("customer_id")
        .annotate(first=Min("resolved_at"))
        .values("first")
    )
    in_window = (
        Order.objects.filter(customer_id__in=resolutions.values("customer_id"))
        .annotate(first=Subquery(first, output_field=DateTimeField()))
        .filter(
            placed_at__gt=F("first"),
            placed_at__lte=ExpressionWrapper(F("first") + window, output_field=DateTimeField()),
        )
    )
    per_customer = in_window.order_by().values("customer_id").annotate(n=Count("id"))
    orders = in_window.count()
    # More orders than the baseline's average: for a whole number of orders, more than that average's floor.
    more = per_customer.filter(n__gt=math.floor(baseline)).count() if baseline is not None else 0
    return Paradox(
        complainants=complainants,
        more_loyal=more,
        complainant_rate=orders / complainants if complainants else None,
        baseline_rate=baseline,
        baseline_customers=baseline_customers,
    )


# ---------------------------------------------------------------- thank, reward, invite


@dataclass(frozen=True)
class Reward:
    """A code (amount + currency, or percent) or a remedy of the catalogue (kind, value, currency)."""

    remedy_kind: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    currency: str = ""
    valid_days: int = 90


KIND_TEMPLATES = {
    AdvocateAction.Kind.THANK: "aftercare/email/advocate_thank.txt",
    AdvocateAction.Kind.REWARD: "aftercare/email/advocate_reward.txt",
    AdvocateAction.Kind.INVITE_REVIEW: "aftercare/email/advocate_invite_review.txt",
    AdvocateAction.Kind.INVITE_PROGRAMME: "aftercare/email/advocate_invite_programme.txt",
}


@transaction.atomic
def advocate_act(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    note: str = "",
    link: str = "",
    reward: Reward | None = None,
    case: Case | None = None,
) -> AdvocateAction:
    """Thank, reward or invite: the mail in the customer's language through the outbox, the record, an event on
    the case. A suppressed address gets no mail and the manager is told; nothing is stored then."""
    from amends.remedies import codes as code_text
    from amends.remedies.codes_service import code_issue
    from amends.remedies.services import RemedyError, remedy_grant, remedy_propose

    if not actor.is_manager:
        raise ValidationError(_("Only a manager can thank, reward or invite an advocate."))
    if kind not in AdvocateAction.Kind.values:
        raise ValidationError({"kind": [_("Choose thank, reward, or an invitation.")]})
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": [_("At most %(limit)s characters, please.") % {"limit": 1000}]})
    link = (link or "").strip()
    if link and (not link.startswith("https://") or len(link) > 500 or any(c.isspace() for c in link)):
        raise ValidationError({"link": [_("Give the address of the page as https://…")]})
    if kind in (AdvocateAction.Kind.INVITE_REVIEW, AdvocateAction.Kind.INVITE_PROGRAMME) and not link:
        raise ValidationError({"link": [_("An invitation needs the address of the page it invites to.")]})
    if not customer.email:
        raise ValidationError(_("This customer has no e-mail address: thank them where they wrote to you."))
    if is_suppressed(customer.email):
        raise ValidationError(_("This customer's address is on the suppression list: no mail may go to it."))
    case = case or Case.objects.filter(customer=customer).order_by("-created_at").first()
    language = (case.language if case else "") or customer.preferred_language or "en"
    now = timezone.now()
    remedy = code = None
    code_words = ""
    if kind == AdvocateAction.Kind.REWARD:
        if reward is None:
            raise ValidationError({"reward": [_("Choose the reward: a remedy from the catalogue, or a code.")]})
        if reward.remedy_kind:
            if case is None:
                raise ValidationError({"reward": [_("A remedy is granted on a case; this customer has none.")]})
            value = reward.amount if reward.amount is not None else reward.percent
            try:
                remedy = remedy_propose(
                    actor=actor, case=case, kind=reward.remedy_kind, value=value, currency=reward.currency
                )
                remedy_grant(actor=actor, remedy=remedy)
            except RemedyError as exc:
                raise ValidationError({"reward": [exc.message]}) from None
        else:
            if not 1 <= reward.valid_days <= 730:
                raise ValidationError({"reward": [_("A code is valid for 1 to 730 days.")]})
            code = code_issue(
                amount=reward.amount,
                percent=reward.percent,
                currency=reward.currency,
                expires_at=now + timedelta(days=reward.valid_days),
            )
            code_words = code_text.group(code.code)
    outbox = None
    # A remedy granted through the catalogue tells the customer itself (remedies' own mail); the rest say it here.
    if remedy is None:
        with translation.override(language):
            body = render_to_string(
                KIND_TEMPLATES[AdvocateAction.Kind(kind)],
                {"customer": customer, "case": case, "note": note, "link": link, "code": code_words, "reward": code},
            )
            subject = {
                AdvocateAction.Kind.THANK: _("Thank you for your trust"),
                AdvocateAction.Kind.REWARD: _("A thank-you from us"),
                AdvocateAction.Kind.INVITE_REVIEW: _("Would you tell others about us?"),
                AdvocateAction.Kind.INVITE_PROGRAMME: _("An invitation for you"),
            }[AdvocateAction.Kind(kind)]
        brand = case.brand if case else None
        outbox = outbox_email_enqueue(
            recipient=customer.email,
            subject=str(subject),
            body=body,
            sender=formataddr((brand.sender_name, brand.sender_email)) if brand else settings.DEFAULT_FROM_EMAIL,
            case_id=case.pk if case else None,
        )
    action = AdvocateAction.objects.create(
        customer=customer,
        case=case,
        kind=kind,
        remedy=remedy,
        code=code,
        note=note,
        outbox=outbox,
        actor=actor,
        created_at=now,
    )
    if case is not None:
        event_record(
            case=case,
            kind=CaseEvent.Kind.ADVOCATE_ACTION,
            actor_kind=ActorKind.AGENT,
            actor=actor,
            data={"kind": kind},
            at=now,
        )
    return action
