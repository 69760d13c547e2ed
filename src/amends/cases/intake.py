"""One door for every channel: the form, the API, e-mail and the demo all open cases through `case_open`.

Validation happens here, at the service edge, so each channel gets the same rules and the same clear
messages (in the caller's active language), and a rejected complaint stores nothing at all.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.brands.selectors import brand_default
from amends.core import languages, money
from amends.core.text import clean_text, single_line
from amends.core.validators import order_value_refusal, text_refusal
from amends.customers.models import Customer
from amends.customers.services import (
    customer_by_handle,
    customer_for_handle,
    customer_get_or_create,
    customer_handle_attach,
    customer_label,
)
from amends.playbooks.routing import Plan, intake_plan
from amends.remedies.facts import case_facts, complaint_days_from_counts
from amends.remedies.selectors import ActivePolicy, policy_active
from amends.remedies.services import Pricing, option_lines, remedies_evaluate, remedies_price
from amends.triage.language import reply_language
from amends.triage.services import case_cluster, case_triage_record, category_by_slug, triage_text

from . import hooks
from .lifecycle import Priority, Status
from .models import ActorKind, Attachment, Case, CaseEvent, Channel, Message, ReferenceCounter
from .public_threads import (
    PublicFacts,
    PublicPost,
    public_post_clean,
    public_thread_open_case,
    public_thread_open_case_locked,
    public_thread_record,
    public_thread_seen_again,
)
from .references import format_reference
from .search_documents import search_document_create, search_identity_refresh
from .services import _emit, _refresh_due, message_create
from .subjects import subject_from_story

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from amends.portal.models import StatusLink
    from amends.remedies.models import Remedy
    from amends.triage.engine import Triage
    from amends.triage.models import Category

MAX_STORY = 20_000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Images and PDF only, recognised by their bytes. SVG is refused on purpose: it can carry script.
ALLOWED_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


@dataclass
class Upload:
    name: str
    content: bytes


@dataclass
class IntakeRequest:
    email: str
    description: str
    channel: str = Channel.FORM
    name: str = ""
    language: str = ""
    # The language of the page the customer wrote on: a hint, overruled by a confident reading of their words.
    ui_language: str = ""
    subject: str = ""
    external_id: str = ""
    order_reference: str = ""
    order_value: str | Decimal | int | float | None = None
    order_currency: str = ""
    remedy_sought: str = ""
    uploads: list[Upload] = field(default_factory=list)
    # For a post in a public thread or on social media: how many people follow its author.
    followers: int = 0
    # For channel public_thread: the post's platform, author's handle, URL… (its e-mail is then optional).
    public: PublicPost | None = None


@dataclass
class Opened:
    case: Case
    status_url: str
    # None when a follow-on comment joined a case already open (`joined`): no new link is made for it.
    status_link: "StatusLink | None"
    # The options the remedy policy priced for the case (offered already when the policy said so).
    remedies: list["Remedy"] = field(default_factory=list)
    joined: bool = False


def validate_story(value: str) -> str:
    text = clean_text(value or "")
    if not text:
        raise ValidationError(_("Please tell us what happened: the message is empty."), code="empty")
    if len(text) > MAX_STORY:
        raise ValidationError(
            _("The message is too long: %(length)s characters, the limit is %(limit)s.")
            % {"length": len(text), "limit": MAX_STORY},
            code="too_long",
        )
    return text


def _order_value(raw: str | Decimal | int | float | None) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return money.parse_order_value(raw.strip() if isinstance(raw, str) else raw)
    except money.OrderValueError as exc:
        raise ValidationError(order_value_refusal(exc.kind), code=exc.kind) from None


def validate_upload(upload: Upload) -> str:
    """The content type of an acceptable attachment, judged by its bytes; the name proves nothing."""
    name = single_line(upload.name)[:200] or "attachment"
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("The file %(name)s is too large: the limit is %(limit)s MB.")
            % {"name": name, "limit": MAX_ATTACHMENT_BYTES // 2**20},
            code="too_large",
        )
    if not upload.content:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty_file")
    kind = filetype.guess(upload.content)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("The file %(name)s is not an image (JPEG, PNG, GIF, WebP) or a PDF.") % {"name": name}, code="file_type"
        )
    return kind.mime


TEXT_FIELDS = (
    "email", "description", "name", "language", "subject", "external_id", "order_reference", "order_currency",
    "remedy_sought", "channel", "order_value", "ui_language",
)  # fmt: skip


def validate_intake(request: IntakeRequest) -> dict:
    """Clean every field, collecting all problems at once so the caller can show them together."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict = {}
    # Text that is not text (a NUL, a lone surrogate) is refused by name before any clean-up could hide it.
    for name in TEXT_FIELDS:
        value = getattr(request, name)
        message = text_refusal(value) if isinstance(value, str) else None
        if message:
            errors[name] = [ValidationError(message, code="invalid_text")]
    if errors:
        raise ValidationError(errors)

    def check(name: str, fn):  # type: ignore[no-untyped-def]
        try:
            cleaned[name] = fn()
        except ValidationError as exc:
            errors.setdefault(name, []).append(exc)

    check("description", lambda: validate_story(request.description))

    public_thread = request.channel == Channel.PUBLIC_THREAD

    def email() -> str:
        value = single_line(request.email or "").lower()
        if not value and public_thread:
            return ""  # known by their handle on the platform instead
        if not value:
            raise ValidationError(_("Please give an e-mail address so we can answer you."), code="required")
        if len(value) > 254:
            raise ValidationError(_("Enter a valid e-mail address."), code="invalid")
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), code="invalid") from None
        return value

    check("email", email)

    def language() -> str:
        if not request.language:
            return ""
        code = languages.normalize(request.language)
        if code is None:
            raise ValidationError(
                _("Unknown language code %(code)s; supported: %(supported)s.")
                % {"code": repr(request.language)[:40], "supported": ", ".join(languages.supported_codes())},
                code="language",
            )
        return code

    check("language", language)

    def channel() -> str:
        if request.channel not in Channel.values:
            raise ValidationError(
                _("Unknown channel %(channel)s; use one of: %(choices)s.")
                % {"channel": repr(request.channel)[:40], "choices": ", ".join(Channel.values)},
                code="channel",
            )
        return request.channel

    check("channel", channel)
    for name, limit in (("name", 200), ("subject", 200), ("order_reference", 100), ("external_id", 100)):
        value = single_line(getattr(request, name) or "")

        def limited(value: str = value, limit: int = limit) -> str:
            if len(value) > limit:
                raise ValidationError(_("At most %(limit)s characters, please.") % {"limit": limit}, code="too_long")
            return value

        check(name, limited)

    def remedy() -> str:
        value = clean_text(request.remedy_sought or "")
        if len(value) > 2000:
            raise ValidationError(_("At most %(limit)s characters, please.") % {"limit": 2000}, code="too_long")
        return value

    check("remedy_sought", remedy)
    check("order_value", lambda: _order_value(request.order_value))

    def currency() -> str:
        code = single_line(request.order_currency or "").upper()
        if code and not money.is_currency(code):
            raise ValidationError(
                _("Unknown currency %(code)s; use an ISO 4217 code such as EUR.") % {"code": repr(code)[:20]},
                code="currency",
            )
        return code

    check("order_currency", currency)

    def followers() -> int:
        if isinstance(request.followers, bool) or not isinstance(request.followers, int):
            raise ValidationError(_("The follower count must be a whole number."), code="invalid")
        if not 0 <= request.followers <= 10**10:
            raise ValidationError(_("The follower count must be between 0 and 10,000,000,000."), code="invalid")
        return request.followers

    check("followers", followers)

    def public() -> PublicFacts | None:
        if request.public is None:
            if public_thread:
                raise ValidationError(
                    _("A public-thread post needs its platform, the author's handle and the post's address."),
                    code="required",
                )
            return None
        if not public_thread:
            raise ValidationError(_("Public-thread details go with the channel public_thread only."), code="channel")
        return public_post_clean(request.public)

    try:
        cleaned["public"] = public()
    except ValidationError as exc:
        for name, problems in (exc.error_dict if hasattr(exc, "error_dict") else {"public": [exc]}).items():
            errors.setdefault(name, []).extend(problems)
    if cleaned.get("public") is not None:
        cleaned["followers"] = max(cleaned.get("followers") or 0, cleaned["public"].followers)
    if cleaned.get("order_value") is not None and not cleaned.get("order_currency") and "order_currency" not in errors:
        errors["order_currency"] = [
            ValidationError(_("Give the currency of the order value, such as EUR."), code="required")
        ]

    def uploads() -> list[tuple[Upload, str]]:
        if len(request.uploads) > MAX_ATTACHMENTS:
            raise ValidationError(_("At most %(limit)s files, please.") % {"limit": MAX_ATTACHMENTS}, code="too_many")
        return [(upload, validate_upload(upload)) for upload in request.uploads]

    check("attachments", uploads)
    if errors:
        raise ValidationError(errors)
    return cleaned


REFERENCE_SEQUENCE = "cases_case_reference_seq"


def _next_reference(year: int) -> str:
    """The next case reference, e.g. AM-2026-000123: the year it was opened and a number that never repeats.

    PostgreSQL: a sequence (migration 0003), which hands out numbers without locking, so concurrent intakes
    never wait on each other; a rolled-back intake leaves a gap, which references may have. SQLite: a counter
    row, since SQLite runs one writer at a time anyway.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('{REFERENCE_SEQUENCE}')")
        else:
            table = ReferenceCounter._meta.db_table
            increment = f"UPDATE {table} SET value = value + 1 WHERE name = 'case' RETURNING value"  # noqa: S608
            cursor.execute(increment)
            row = cursor.fetchone()
            if row is None:  # the counter row went missing (a flushed database): start it again
                ReferenceCounter.objects.bulk_create([ReferenceCounter(name="case")], ignore_conflicts=True)
                cursor.execute(increment)
                row = cursor.fetchone()
            return format_reference(year, row[0])
        (value,) = cursor.fetchone()
    return format_reference(year, value)


def attachment_store(
    *, case: Case, message: Message | None, upload: Upload, content_type: str, at: datetime
) -> Attachment:
    public_id = uuid.uuid4()
    safe_name = single_line(upload.name)[:200] or "attachment"
    extension = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/gif": "gif",
        "image/webp": "webp",
        "application/pdf": "pdf",
    }[content_type]
    attachment = Attachment(
        public_id=public_id,
        case=case,
        message=message,
        original_name=safe_name,
        content_type=content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        created_at=at,
    )
    # The stored name is ours, never the customer's, so nothing they send can pick a path or an extension.
    attachment.file.save(f"{public_id}.{extension}", ContentFile(upload.content), save=False)
    attachment.save()
    return attachment


def case_open(
    *,
    request: IntakeRequest,
    actor_label: str = "",
    priority: int | None = None,
    now: datetime | None = None,
    email_message_id: str | None = None,
) -> Opened:
    """Store a complaint, acknowledge it through the outbox and hand back the customer's status link."""
    from amends.portal.services import status_link_create

    from .notifications import acknowledgement_enqueue

    cleaned = validate_intake(request)
    backdated = now is not None  # the demo and imports open cases in the past
    now = now or timezone.now()
    active = policy_active()
    windows = active.windows if active is not None else ()
    # The customer's earlier complaints, counted in the one query that finds them: over the last 30 days for
    # triage, and over each window the remedy policy counts in.
    counts = {
        f"within_{days}": Count("cases", filter=Q(cases__created_at__gte=now - timedelta(days=days)))
        for days in windows
    }
    public: PublicFacts | None = cleaned["public"]
    if public is not None:
        joined = _join_thread(public, cleaned, actor_label=actor_label, now=now if backdated else None)
        if joined is not None:
            return joined
    if cleaned["email"]:
        who = Q(email=cleaned["email"])
    else:
        assert public is not None  # noqa: S101 - validate_intake requires an e-mail or a public post
        who = Q(handles__platform=public.platform, handles__handle_key=public.handle_key)
    # The language triage read in the customer's latest earlier case: it decides Serbian against Croatian when
    # the text cannot, and which variant answers a Croatian or Bosnian complaint. A subquery of the same
    # statement: one round trip per intake fewer.
    latest_language = Subquery(
        Case.objects.filter(customer=OuterRef("pk")).order_by("-created_at").values("triage__language")[:1]
    )
    known = (
        Customer.objects.filter(who)
        .annotate(
            recent=Count("cases", filter=Q(cases__created_at__gte=now - timedelta(days=30))),
            previous_language=latest_language,
            **counts,
        )
        .first()
    )
    history = complaint_days_from_counts({days: getattr(known, f"within_{days}") for days in windows}) if known else ()
    previous = (known.previous_language if known else None) or ""
    found = _triage(
        cleaned, known=known, ui_language=languages.normalize(request.ui_language or "") or "", previous=previous
    )
    if priority is None:
        priority = SEVERITY_PRIORITY[int(found.severity.value)] if found else Priority.NORMAL
    # The category's playbook names the owning team and the targets (read from a per-process cache: no query).
    category = category_by_slug(str(found.category.value)) if found else None
    plan = intake_plan(category_id=category.pk if category else None, priority=priority)
    known_name = known.name if known else ""
    with transaction.atomic():
        if cleaned["email"]:
            customer = customer_get_or_create(
                email=cleaned["email"],
                name=cleaned["name"],
                language=cleaned["language"],
                external_id=cleaned["external_id"] or None,
                known=known,
            )
            if (
                public is not None
                and customer_by_handle(platform=public.platform, handle_key=public.handle_key) is None
            ):
                customer_handle_attach(customer=customer, platform=public.platform, handle=public.handle)
        else:
            assert public is not None  # noqa: S101
            customer = customer_for_handle(
                platform=public.platform,
                handle=public.handle,
                name=cleaned["name"],
                language=cleaned["language"],
                known=known,
            )
        if public is not None:
            # The first look above ran before this transaction: another comment of the same author may have
            # opened a case in the thread since. Look again holding the author's row, so that of two comments
            # arriving at once the second waits here and joins the first one's case.
            opened_meanwhile = public_thread_open_case_locked(facts=public, customer=customer)
            if opened_meanwhile is not None:
                return _join(opened_meanwhile, public, cleaned, actor_label=actor_label, now=now if backdated else None)
        # Someone known only by a handle gets no acknowledgement by e-mail: the brand answers them in the thread.
        acknowledged = bool(customer.email)
        language = (
            cleaned["language"]
            or _reply_language(found, previous=previous)
            or languages.normalize(request.ui_language or "")
            or customer.preferred_language
            or settings.LANGUAGE_CODE
        )
        story = cleaned["description"]
        case = Case(
            public_id=uuid.uuid4(),
            reference=_next_reference(now.year),
            customer=customer,
            brand=brand_default(),
            channel=cleaned["channel"],
            subject=cleaned["subject"] or _subject_from(story),
            description=story,
            language=language,
            order_reference=cleaned["order_reference"],
            order_value=cleaned["order_value"],
            order_currency=cleaned["order_currency"],
            remedy_sought=cleaned["remedy_sought"],
            # The acknowledgement is written in this same transaction, so the case is born acknowledged; the
            # timeline still records both steps (new → acknowledged is a transition the lifecycle allows).
            status=Status.ACKNOWLEDGED if acknowledged else Status.NEW,
            priority=priority,
            team_id=plan.team_id,
            first_response_due_at=now + plan.first_response,
            resolution_due_at=now + plan.resolution,
            created_at=now,
            updated_at=now,
        )
        _refresh_due(case)
        pricing = _price(case, found=found, history=history, active=active)
        priced_at = now if backdated else timezone.now()
        if pricing is not None and pricing.auto_offer:
            # Low-risk: the options go out with the acknowledgement. The 60-second rule, measured.
            case.first_offer_at = priced_at
        case.save(force_insert=True)
        if known is not None and customer.name != known_name:
            search_identity_refresh(customer=customer)  # the customer's earlier cases now find by the name too
        search_document_create(case=case)
        message = message_create(
            case=case,
            direction=Message.Direction.IN,
            body=story,
            author_kind=ActorKind.CUSTOMER,
            email_message_id=email_message_id,
            at=now,
        )
        for upload, content_type in cleaned["attachments"]:
            attachment_store(case=case, message=message, upload=upload, content_type=content_type, at=now)
        events = [
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.OPENED,
                actor_kind=_actor_kind(cleaned["channel"]),
                actor_label=actor_label or customer_label(customer),
                public=True,
                data={"channel": case.channel},
                created_at=now,
            ),
            *(
                [
                    CaseEvent(
                        case=case,
                        kind=CaseEvent.Kind.ACKNOWLEDGED,
                        actor_kind=ActorKind.SYSTEM,
                        actor_label="amends",
                        public=True,
                        data={"from": Status.NEW, "to": Status.ACKNOWLEDGED},
                        created_at=now,
                    )
                ]
                if acknowledged
                else []
            ),
            *_routed(case=case, category=category, plan=plan, at=now),
        ]
        status_link, status_url = status_link_create(case=case)
        if found is not None:
            # Inserted last, once clustering has given it its cluster and ladder (one insert, no update).
            record = case_triage_record(case=case, result=found)
            case.triage = record  # type: ignore[attr-defined]
        remedies = []
        if pricing is not None:
            remedies = remedies_price(case=case, pricing=pricing, at=priced_at, events=events)
        CaseEvent.objects.bulk_create(events)
        if public is not None:
            case.public_thread = public_thread_record(case=case, facts=public)  # type: ignore[attr-defined]
        if acknowledged:
            acknowledgement_enqueue(
                case=case,
                status_url=status_url,
                replying_to=email_message_id,
                options=[(line.text, line.url) for line in option_lines(remedies, case.language)],
            )
        _emit("case.opened", case)
        if found is not None:
            # Last, in the intake's own transaction (case_cluster's atomic block is a savepoint in it): the
            # cluster's row is locked only from here to the commit just after, as long as it was when clustering
            # had a transaction of its own, and an intake takes one commit (one write lock on SQLite) instead of
            # two. A failure rolls back to the savepoint alone: the case stands without a cluster.
            try:
                case_cluster(case=case, record=record)
            except Exception:
                logger.exception("clustering failed; the case stands without a cluster")
            record.save(force_insert=True)
    if found is not None:
        hooks.case_triaged(case, record)
    hooks.case_opened(case)
    return Opened(case=case, status_url=status_url, status_link=status_link, remedies=remedies)


def _join_thread(public: PublicFacts, cleaned: dict, *, actor_label: str, now: datetime | None) -> Opened | None:
    """A follow-on comment by the same author in the same thread joins their open case as a new message."""
    case = public_thread_open_case(public)
    if case is None:
        return None
    return _join(case, public, cleaned, actor_label=actor_label, now=now)


def _join(case: Case, public: PublicFacts, cleaned: dict, *, actor_label: str, now: datetime | None) -> Opened:
    from .services import case_add_customer_message

    with transaction.atomic():
        case_add_customer_message(
            case=case,
            body=cleaned["description"],
            channel=Channel.PUBLIC_THREAD,
            actor_label=actor_label or f"@{public.handle}",
            at=now,
        )
        public_thread_seen_again(case=case, facts=public)
    case.refresh_from_db()
    return Opened(case=case, status_url="", status_link=None, joined=True)


def _price(
    case: Case, *, found: "Triage | None", history: tuple[int, ...], active: ActivePolicy | None
) -> Pricing | None:
    """The remedy policy's reading of the new case, before it is stored (pure computation). A failure must never
    lose a complaint: the case is then stored without options, and the log says why."""
    if active is None:
        return None
    try:
        return remedies_evaluate(facts=case_facts(case=case, triage=found, customer_history=history), active=active)
    except Exception:
        logger.exception("remedy pricing failed; the case is stored without options")
        return None


def _routed(*, case: Case, category: "Category | None", plan: Plan, at: datetime) -> list[CaseEvent]:
    """The event saying which team the category's playbook routed the case to, if it named one."""
    if category is None or plan.team_id is None:
        return []
    return [
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.ROUTED,
            actor_kind=ActorKind.SYSTEM,
            actor_label="amends",
            data={"playbook": category.slug, "routed_to": plan.team_name},
            created_at=at,
        )
    ]


SEVERITY_PRIORITY = {1: Priority.NORMAL, 2: Priority.NORMAL, 3: Priority.HIGH, 4: Priority.URGENT}


def _triage(cleaned: dict, *, known: Customer | None, ui_language: str, previous: str = "") -> "Triage | None":
    """Triage before the transaction opens, so the models' few milliseconds never hold a database lock. A
    failure of triage must never lose a complaint: the case is then stored untriaged."""
    try:
        return triage_text(
            text=cleaned["description"],
            stated_language=cleaned["language"] or ui_language,
            previous_language=previous,
            channel=cleaned["channel"],
            order_value=cleaned["order_value"],
            customer_tier=known.tier if known else "",
            customer_value=known.lifetime_value if known else None,
            previous_contacts=getattr(known, "recent", 0),
            followers=cleaned["followers"],
        )
    except Exception:
        logger.exception("triage failed; the case is stored without it")
        return None


def _reply_language(found: "Triage | None", *, previous: str = "") -> str:
    """The language to answer in, as a Django language code, when triage is sure of it (a South Slavic complaint
    in a language amends does not write is answered in the nearest one it does, never in English)."""
    if found is None or "uncertain" in found.language.signals:
        return ""
    return reply_language(
        str(found.language.value),
        offered=tuple(languages.supported_codes()),
        company_language=settings.LANGUAGE_CODE,
        previous=previous,
    )


def _actor_kind(channel: str) -> str:
    return ActorKind.INTEGRATION if channel == Channel.API else ActorKind.CUSTOMER


def _subject_from(story: str) -> str:
    """A complaint that came without a subject is called by its first sentence, cut at a word."""
    return single_line(subject_from_story(story))
