"""Incidents: declaring one, promoting a flagged cluster, its timeline, the complaints that belong to it, the ladder's
statements and publishing.

Every change writes an IncidentEvent (the incident's timeline is its audit trail), and every case that joins or
leaves an incident gets a CaseEvent saying so. Publishing writes the signed `incident.published` webhook into the
outbox in the same transaction. Validation happens here, so the console and the API refuse the same things with
the same words, and a refused request stores nothing.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.brands.selectors import brand_default
from amends.cases.models import ActorKind, Case, CaseEvent
from amends.core.text import clean_text, single_line
from amends.core.validators import text_refusal
from amends.remedies.catalogue import Kind
from amends.triage.clusters import fingerprint
from amends.triage.models import CaseTriage, Category, ComplaintCluster
from amends.triage.text import normalize, transliterate
from amends.webhooks.services import webhook_emit

from .drafts import company_languages, draft, public_url, remedy_words, statement_coach
from .ladder import Level, level_of
from .models import Incident, IncidentCase, IncidentEvent, IncidentStatement

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_SUMMARY = 5_000
MAX_UPDATE = 5_000
MAX_STATEMENT = 10_000
MAX_ENTITIES = 20
MAX_ENTITY = 100
SLUG_LENGTH = 60
# An incident starts when the first customer noticed; one that starts later than this from now is a typo.
FUTURE_SLACK = timedelta(minutes=5)
ENTITY_KINDS = ("order", "error", "web", "name")


class IncidentRefused(Exception):
    """A request the incident's state or the actor's role refuses; nothing was changed."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class How:
    CLUSTER = "cluster"  # joined when its cluster was promoted
    MATCHED = "matched"  # matched on arrival: same cluster, or the entities and window the incident names
    MANUAL = "manual"  # linked by a person or an integration


def _require_manager(actor: User | None) -> None:
    """Managers declare and change incidents; an integration's API key may too (a shop's monitoring declares an
    outage). An agent reads them."""
    if actor is not None and not actor.is_manager:
        raise IncidentRefused("not_manager", _("Only a manager may declare or change an incident."), status=403)


def _text(value: object, *, field: str, limit: int, single: bool, errors: dict[str, str]) -> str:
    if not isinstance(value, str):
        errors[field] = _("Give a text.")
        return ""
    refusal = text_refusal(value)
    if refusal:
        errors[field] = refusal
        return ""
    cleaned = single_line(value) if single else clean_text(value)
    if not cleaned:
        errors[field] = _("This field cannot be empty.")
    elif len(cleaned) > limit:
        errors[field] = _("At most %(limit)s characters, please.") % {"limit": limit}
    return cleaned


def _entities(raw: object, errors: dict[str, str]) -> list[str]:
    """Products, services, error codes or addresses the incident touched, in the form triage finds them in a
    complaint (`error:503`, `web:shop.example`, `order:SO-1`); a plain word stands for a name (`name:checkout`)."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        errors["entities"] = _("Give the entities as a list of texts.")
        return []
    if len(raw) > MAX_ENTITIES:
        errors["entities"] = _("At most %(limit)s entities, please.") % {"limit": MAX_ENTITIES}
        return []
    found: list[str] = []
    for item in raw:
        refusal = text_refusal(item)
        value = single_line(item) if not refusal else ""
        if refusal or not value or len(value) > MAX_ENTITY:
            errors["entities"] = refusal or _("Each entity is a word or code of 1 to %(limit)s characters.") % {
                "limit": MAX_ENTITY
            }
            return []
        kind, sep, rest = value.partition(":")
        if sep and kind.lower() in ENTITY_KINDS and rest.strip():
            rest = rest.strip()
            entity = {
                "order": f"order:{rest.upper()}",
                "error": f"error:{rest}",
                "web": f"web:{rest.lower()}",
                "name": f"name:{normalize(rest)}",
            }[kind.lower()]
        else:
            entity = _plain_entity(value)
        if entity.endswith(":"):
            continue  # nothing left of it once folded (punctuation only)
        if entity not in found:
            found.append(entity)
    return found


_ERROR_CODE = re.compile(r"\d{3,4}")
_ORDER_NUMBER = re.compile(r"(?:[A-Za-z]{1,4}[-#]?)?\d{5,}")
_ADDRESS = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:/\S*)?", re.IGNORECASE)


def _plain_entity(value: str) -> str:
    """What a manager typed without a prefix, read as triage reads complaints (amends.triage.clusters): 503 is an
    error code, shop.example an address, SO-12345 an order, anything else a name."""
    if _ERROR_CODE.fullmatch(value):
        return f"error:{value}"
    if _ORDER_NUMBER.fullmatch(value):
        return f"order:{value.upper()}"
    address = _ADDRESS.fullmatch(value)
    if address:
        return f"web:{address.group(1).lower()}"
    return f"name:{normalize(value)}"


def _severity(raw: object, errors: dict[str, str]) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in Incident.Severity.values:
        errors["severity"] = _("The severity is 1 (minor), 2 (major) or 3 (critical).")
        return Incident.Severity.MAJOR
    return raw


def _remedy(kind: str, value: object, errors: dict[str, str]) -> tuple[str, Decimal | None]:
    if not kind:
        if value not in (None, ""):
            errors["remedy_value"] = _("Choose the kind of remedy the value is for.")
        return "", None
    if kind not in {k.value for k in Kind}:
        errors["remedy_kind"] = _("Unknown remedy kind %(kind)s; use one of: %(kinds)s.") % {
            "kind": repr(kind)[:40],
            "kinds": ", ".join(k.value for k in Kind),
        }
        return "", None
    if value in (None, ""):
        return kind, None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors["remedy_value"] = _("The remedy's value must be a number.")
        return kind, None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000000"):
        errors["remedy_value"] = _("The remedy's value must be above 0 and below 10,000,000,000.")
        return kind, None
    if kind == Kind.DISCOUNT_CODE and amount > 100:
        errors["remedy_value"] = _("A discount is at most 100 %.")
    return kind, amount.quantize(Decimal("0.01"))


def _moment(value: object, field: str, errors: dict[str, str]) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        errors[field] = _("Give a date and time with its time zone.")
        return None
    return value


def _category(slug: str, errors: dict[str, str]) -> Category | None:
    if not slug:
        return None
    category = Category.objects.filter(slug=slug, is_active=True).first()
    if category is None:
        errors["category"] = _("Unknown category %(slug)s.") % {"slug": repr(slug)[:60]}
    return category


def slug_for(title: str) -> str:
    """A readable address from the title in Latin letters (Cyrillic transliterated), e.g. "checkout-down"."""
    return slugify(transliterate(title))[:SLUG_LENGTH].strip("-") or "incident"


def _free_slug(title: str) -> str:
    base = slug_for(title)
    taken = set(Incident.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    for n in range(2, 1000):
        candidate = f"{base[: SLUG_LENGTH - len(str(n)) - 1]}-{n}"
        if candidate not in taken:
            return candidate
    return f"{base[:40]}-{uuid.uuid4().hex[:12]}"


def _event(
    incident: Incident,
    kind: str,
    *,
    actor: User | None,
    body: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        body=body,
        public=public,
        data=data or {},
        actor=actor,
        created_at=at or timezone.now(),
    )


def _case_event(case_id: int, incident: Incident, *, kind: str, how: str, actor: User | None, label: str) -> CaseEvent:
    return CaseEvent(
        case_id=case_id,
        kind=kind,
        actor_kind=ActorKind.AGENT if actor else (ActorKind.INTEGRATION if how == How.MANUAL else ActorKind.SYSTEM),
        actor=actor,
        actor_label=label or (actor.display_name if actor else "amends"),
        data={"incident": str(incident.public_id), "title": incident.title, "how": how},
        created_at=timezone.now(),
    )


def incident_declare(
    *,
    actor: User | None,
    title: object,
    summary: object,
    started_at: object,
    ended_at: object = None,
    entities: object = None,
    severity: object = Incident.Severity.MAJOR,
    category: str = "",
    remedy_kind: str = "",
    remedy_value: object = None,
    cluster: ComplaintCluster | None = None,
    actor_label: str = "",
) -> Incident:
    """A manager (or an integration) declares an incident. Every field is checked and all problems are reported
    together; a refused incident stores nothing."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    clean_title = _text(title, field="title", limit=MAX_TITLE, single=True, errors=errors)
    clean_summary = _text(summary, field="summary", limit=MAX_SUMMARY, single=False, errors=errors)
    start = _moment(started_at, "started_at", errors)
    end = _moment(ended_at, "ended_at", errors)
    now = timezone.now()
    if start is None and "started_at" not in errors:
        errors["started_at"] = _("Say when the incident started.")
    if start is not None and start > now + FUTURE_SLACK:
        errors["started_at"] = _("An incident cannot start in the future.")
    if start is not None and end is not None and end < start:
        errors["ended_at"] = _("The incident cannot end before it started.")
    found_entities = _entities(entities, errors)
    level = _severity(severity, errors)
    found_category = _category(category, errors)
    kind, value = _remedy(remedy_kind, remedy_value, errors)
    if errors:
        raise ValidationError(errors)
    assert start is not None  # noqa: S101 (checked above; for the type checker)
    with transaction.atomic():
        for attempt in range(3):
            try:
                with transaction.atomic():
                    incident = Incident.objects.create(
                        public_id=uuid.uuid4(),
                        slug=_free_slug(clean_title),
                        title=clean_title,
                        summary=clean_summary,
                        started_at=start,
                        ended_at=end,
                        entities=found_entities,
                        severity=level,
                        state=Incident.State.RESOLVED if end is not None and end <= now else Incident.State.OPEN,
                        cluster=cluster,
                        category=found_category,
                        brand=brand_default(),
                        declared_by=actor,
                        remedy_kind=kind,
                        remedy_value=value,
                        created_at=now,
                        updated_at=now,
                    )
                break
            except IntegrityError:
                if cluster is not None and Incident.objects.filter(cluster=cluster).exists():
                    raise IncidentRefused(
                        "already_promoted", _("This cluster is an incident already."), status=409
                    ) from None
                if attempt == 2:
                    raise
                # Someone took the same address a moment ago: look for a free one again.
        _event(
            incident,
            "declared",
            actor=actor,
            body=clean_summary,
            data={"label": actor_label} if actor_label else {},
        )
    return incident


def incident_promote_cluster(
    *,
    actor: User | None,
    cluster_id: uuid.UUID | str,
    title: object = None,
    summary: object = None,
    severity: object = Incident.Severity.MAJOR,
    remedy_kind: str = "",
    remedy_value: object = None,
    actor_label: str = "",
) -> Incident:
    """A cluster that triage flagged as a probable incident becomes one; the complaints in it join it."""
    _require_manager(actor)
    try:
        key = uuid.UUID(str(cluster_id))
    except ValueError:
        raise IncidentRefused("unknown_cluster", _("No cluster has this id."), status=404) from None
    with transaction.atomic():
        cluster = ComplaintCluster.objects.select_for_update().filter(public_id=key).first()
        if cluster is None:
            raise IncidentRefused("unknown_cluster", _("No cluster has this id."), status=404)
        if cluster.state == ComplaintCluster.State.DISMISSED:
            raise IncidentRefused("dismissed", _("This cluster was dismissed; it cannot become an incident."))
        if cluster.flagged_at is None:
            raise IncidentRefused(
                "not_flagged", _("Triage has not flagged this cluster as a probable incident; declare one instead.")
            )
        if Incident.objects.filter(cluster=cluster).exists():
            raise IncidentRefused("already_promoted", _("This cluster is an incident already."))
        words = _("%(cases)s complaints from %(customers)s customers: %(title)s") % {
            "cases": cluster.cases,
            "customers": cluster.customers,
            "title": cluster.title,
        }
        incident = incident_declare(
            actor=actor,
            title=cluster.title if title in (None, "") else title,
            summary=words if summary in (None, "") else summary,
            started_at=cluster.first_seen,
            entities=list(cluster.entities)[:MAX_ENTITIES],
            severity=severity,
            category=cluster.category.slug if cluster.category else "",
            remedy_kind=remedy_kind,
            remedy_value=remedy_value,
            cluster=cluster,
            actor_label=actor_label,
        )
        members = list(
            CaseTriage.objects.filter(cluster=cluster, case__incident_link__isnull=True).values_list(
                "case_id", flat=True
            )
        )
        _link_many(incident, members, how=How.CLUSTER, actor=actor, label=actor_label)
        _event(incident, "promoted", actor=actor, data={"cluster": str(cluster.public_id), "cases": len(members)})
    return incident


def _link_many(incident: Incident, case_ids: list[int], *, how: str, actor: User | None, label: str) -> int:
    now = timezone.now()
    IncidentCase.objects.bulk_create(
        [IncidentCase(incident=incident, case_id=pk, how=how, created_at=now) for pk in case_ids]
    )
    CaseEvent.objects.bulk_create(
        [
            _case_event(pk, incident, kind=CaseEvent.Kind.INCIDENT_LINKED, how=how, actor=actor, label=label)
            for pk in case_ids
        ]
    )
    return len(case_ids)


def incident_update(
    *, incident: Incident, actor: User | None, body: object, public: bool, actor_label: str = ""
) -> IncidentEvent:
    """An entry on the incident's timeline: public ones appear on the published page and in its feed."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    text = _text(body, field="body", limit=MAX_UPDATE, single=False, errors=errors)
    if not isinstance(public, bool):
        errors["public"] = _("Say true or false.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = _event(incident, "update", actor=actor, body=text, public=public, data=_label(actor_label))
        Incident.objects.filter(pk=incident.pk).update(updated_at=event.created_at)
    return event


def _label(actor_label: str) -> dict[str, str]:
    return {"label": actor_label} if actor_label else {}


def incident_resolve(
    *, incident: Incident, actor: User | None, body: object = None, ended_at: object = None, actor_label: str = ""
) -> Incident:
    """The incident is over: its end is now unless given. Resolving twice is refused (409), not repeated. A last
    word is optional (None), but one that is given must say something: blank text is refused, not taken for none."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    text = "" if body is None else _text(body, field="body", limit=MAX_UPDATE, single=False, errors=errors)
    end = _moment(ended_at, "ended_at", errors) or timezone.now()
    if end < incident.started_at:
        errors["ended_at"] = _("The incident cannot end before it started.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        changed = Incident.objects.filter(pk=incident.pk, state=Incident.State.OPEN).update(
            state=Incident.State.RESOLVED, ended_at=end, updated_at=now
        )
        if not changed:
            raise IncidentRefused("already_resolved", _("This incident is resolved already."))
        incident.state, incident.ended_at, incident.updated_at = Incident.State.RESOLVED, end, now
        _event(incident, "resolved", actor=actor, body=text, public=True, data=_label(actor_label))
    return incident


@dataclass
class Linked:
    link: IncidentCase
    created: bool


def incident_link_case(
    *,
    incident: Incident,
    case: Case,
    actor: User | None,
    how: str = How.MANUAL,
    actor_label: str = "",
    matched_on: str = "",
) -> Linked:
    """Link a complaint to the incident. Again for the same incident: nothing changes; a case of another incident
    is refused (a case belongs to one incident at most: unlink it there first)."""
    if how == How.MANUAL:
        _require_manager(actor)
    existing = IncidentCase.objects.filter(case=case).select_related("incident").first()
    if existing is not None:
        if existing.incident_id == incident.pk:
            return Linked(existing, created=False)
        raise IncidentRefused(
            "other_incident",
            _("This case belongs to the incident %(title)s; unlink it there first.")
            % {"title": existing.incident.title},
        )
    try:
        with transaction.atomic():
            link = IncidentCase.objects.create(incident=incident, case=case, how=how, created_at=timezone.now())
            _case_event(
                case.pk, incident, kind=CaseEvent.Kind.INCIDENT_LINKED, how=how, actor=actor, label=actor_label
            ).save()
            _event(
                incident,
                "case_linked",
                actor=actor,
                data={
                    "case": str(case.public_id),
                    "reference": case.reference,
                    "how": how,
                    **({"matched_on": matched_on} if matched_on else {}),
                    **_label(actor_label),
                },
            )
    except IntegrityError:
        # Linked a moment ago by someone else (or by the matcher): the earlier link stands.
        winner = IncidentCase.objects.filter(case=case).first()
        if winner is not None and winner.incident_id == incident.pk:
            return Linked(winner, created=False)
        raise IncidentRefused("other_incident", _("This case was just linked to another incident.")) from None
    return Linked(link, created=True)


def incident_unlink_case(*, incident: Incident, case: Case, actor: User | None, actor_label: str = "") -> None:
    _require_manager(actor)
    with transaction.atomic():
        deleted, _rows = IncidentCase.objects.filter(incident=incident, case=case).delete()
        if not deleted:
            raise IncidentRefused("not_linked", _("This case is not part of this incident."), status=404)
        _case_event(
            case.pk, incident, kind=CaseEvent.Kind.INCIDENT_UNLINKED, how=How.MANUAL, actor=actor, label=actor_label
        ).save()
        _event(
            incident,
            "case_unlinked",
            actor=actor,
            data={"case": str(case.public_id), "reference": case.reference, **_label(actor_label)},
        )


def _entity_hit(entities: list[str], found_entities: frozenset[str], found_words: frozenset[str]) -> str | None:
    for entity in entities:
        if entity in found_entities:
            return entity
        kind, _sep, value = entity.partition(":")
        if kind == "name" and value in found_words:
            return entity
    return None


def incident_match_case(*, case: Case, record: CaseTriage | None) -> IncidentCase | None:
    """A complaint that arrives while an incident is on is linked to it when it is in the incident's cluster, or
    names what the incident names (an entity; the category, for an incident that names no entity) within the
    incident's window (from its start to its end, or to now while it is open)."""
    at = case.created_at
    candidates = list(
        Incident.objects.filter(started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=at))
        .order_by("-started_at")[:20]
    )
    if not candidates:
        return None
    cluster_id = record.cluster_id if record is not None else None
    category_id = record.category_id if record is not None else None
    found = fingerprint(case.description)
    chosen, reason = None, ""
    for incident in candidates:
        if cluster_id is not None and incident.cluster_id == cluster_id:
            chosen, reason = incident, "cluster"
            break
    if chosen is None:
        for incident in candidates:
            hit = _entity_hit(list(incident.entities or []), found.entities, found.words)
            if hit:
                chosen, reason = incident, hit
                break
            if not incident.entities and incident.category_id is not None and incident.category_id == category_id:
                chosen, reason = incident, "category"
                break
    if chosen is None:
        return None
    try:
        linked = incident_link_case(
            incident=chosen, case=case, actor=None, how=How.MATCHED, actor_label="amends", matched_on=reason
        )
    except IncidentRefused:
        return None
    return linked.link


# ---------------------------------------------------------------- statements and publishing


def incident_statement_save(
    *, incident: Incident, actor: User | None, level: str, language: str, title: object, body: object
) -> IncidentStatement:
    """A manager's edit of the statement for one rung in one language."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    rung = _level(level, errors)
    if language not in company_languages():
        errors["language"] = _("Unknown language %(code)s.") % {"code": repr(language)[:20]}
    clean_title = _text(title, field="title", limit=MAX_TITLE, single=True, errors=errors)
    clean_body = _text(body, field="body", limit=MAX_STATEMENT, single=False, errors=errors)
    if rung == Level.PRIVATE_REPLY:
        errors["level"] = _("Nothing is published at the level of private replies.")
    if errors:
        raise ValidationError(errors)
    statement, _created = IncidentStatement.objects.update_or_create(
        incident=incident,
        level=rung.code,
        language=language,
        defaults={"title": clean_title, "body": clean_body, "edited_by": actor, "updated_at": timezone.now()},
    )
    return statement


def _level(code: object, errors: dict[str, str]) -> Level:
    try:
        return level_of(str(code))
    except ValueError:
        errors["level"] = _("Unknown level; use one of: company_page_post, blog_post, public_apology.")
        return Level.PRIVATE_REPLY


def statements_for(incident: Incident, level: Level) -> dict[str, tuple[str, str, bool]]:
    """Per language: the title and body of the statement at `level` (the manager's edit, else the template's
    draft) and whether a manager wrote it."""
    stored = {s.language: s for s in IncidentStatement.objects.filter(incident=incident, level=level.code)}
    result = {}
    for language in company_languages():
        if language in stored:
            result[language] = (stored[language].title, stored[language].body, True)
        else:
            title, body = draft(incident, level, language)
            result[language] = (title, body, False)
    return result


@dataclass
class Published:
    incident: Incident
    published: bool  # False: it was published already, and nothing happened again


def incident_publish(
    *, incident: Incident, actor: User | None, level: object, override: bool = False, actor_label: str = ""
) -> Published:
    """Publish the incident at a rung of the ladder: its page /incidents/<slug> (and feed) go live with the
    statement in every language, and the signed `incident.published` webhook, written in the same transaction,
    lets a connector post it to the company's social accounts. Publishing again changes nothing and sends
    nothing. A statement the coach blocks (blaming someone else, arguing) is refused unless overridden."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    rung = _level(level, errors)
    if "level" not in errors and rung == Level.PRIVATE_REPLY:
        errors["level"] = _(
            "At the level of private replies nothing is published: agents answer each customer with the incident "
            "apology. Choose a post, a blog post or a public apology."
        )
    if errors:
        raise ValidationError(errors)
    texts = statements_for(incident, rung)
    if not override:
        blocked = sorted(
            language
            for language, (_title, body, _edited) in texts.items()
            if statement_coach(incident=incident, body=body, language=language).blocking
        )
        if blocked:
            raise ValidationError(
                {
                    "statement": _(
                        "The coach found something that must be fixed in the statement in %(languages)s; fix it, "
                        "or publish with override to take responsibility."
                    )
                    % {"languages": ", ".join(blocked)}
                }
            )
    now = timezone.now()
    with transaction.atomic():
        changed = Incident.objects.filter(pk=incident.pk, published_at__isnull=True).update(
            published_at=now, public_level=rung.code, updated_at=now
        )
        if not changed:
            incident.refresh_from_db()
            return Published(incident, published=False)
        # The statement as published is kept, so the page shows what went out even if the templates change.
        for language, (title, body, _edited) in texts.items():
            IncidentStatement.objects.update_or_create(
                incident=incident,
                level=rung.code,
                language=language,
                defaults={"title": title, "body": body, "updated_at": now},
            )
        incident.published_at, incident.public_level, incident.updated_at = now, rung.code, now
        _event(
            incident,
            "published",
            actor=actor,
            public=False,
            data={"level": rung.code, "override": override, **_label(actor_label)},
        )
        webhook_emit(event="incident.published", case_id=None, data={"incident": incident_payload(incident, texts)})
    return Published(incident, published=True)


def incident_payload(incident: Incident, texts: dict[str, tuple[str, str, bool]] | None = None) -> dict[str, Any]:
    """What a connector is told about a published incident: enough to post it under the brand's account."""
    if texts is None:
        texts = {
            s.language: (s.title, s.body, True)
            for s in IncidentStatement.objects.filter(incident=incident, level=incident.public_level)
        }
    return {
        "id": str(incident.public_id),
        "slug": incident.slug,
        "url": public_url(incident),
        "feed": public_url(incident) + "/feed.atom",
        "title": incident.title,
        "state": incident.state,
        "severity": incident.severity,
        "level": incident.public_level,
        "started_at": incident.started_at,
        "ended_at": incident.ended_at,
        "remedy": remedy_words(incident),
        "brand": {"name": incident.brand.sender_name, "handle": incident.brand.public_handle},
        "statements": [{"language": lang, "title": t, "body": b} for lang, (t, b, _e) in texts.items()],
    }
