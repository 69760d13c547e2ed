"""Triage on the Django side: the active models (loaded once per process), storing results, corrections,
retraining and taxonomy edits."""

import gc
import logging
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from amends.accounts.models import User
from amends.core.tallies import tally_totals

from .category import CategoryModel, stored_as_arrays, train
from .clusters import fingerprint, is_incident, match
from .defaults import starter_examples
from .engine import Triage, triage
from .language import warm_up
from .models import CaseTriage, Category, CategoryModelVersion, ComplaintCluster, TriageLabel
from .sentiment import model as sentiment_model
from .signals import ladder_level

if TYPE_CHECKING:
    from amends.cases.models import Case

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: tuple[float, CategoryModel] | None = None
RECHECK_SECONDS = 30.0


def served_languages() -> tuple[str, ...]:
    return tuple(settings.TRIAGE_LANGUAGES)


def category_model_train(*, activate: bool = True) -> CategoryModelVersion:
    """Train on the starter examples of active categories plus every correction agents made, and keep it."""
    active = set(Category.objects.filter(is_active=True).values_list("slug", flat=True))
    examples = [(category, text) for _lang, category, text in starter_examples() if category in active]
    labels = list(TriageLabel.objects.filter(category__is_active=True).values_list("category__slug", "text"))
    texts = [text for _c, text in examples] + [text for _c, text in labels]
    targets = [c for c, _t in examples] + [c for c, _t in labels]
    version = timezone.now().strftime("cat-%Y%m%d-%H%M%S-%f")
    model = train(texts, targets, version=version, embeddings=settings.TRIAGE_EMBEDDINGS)
    with transaction.atomic():
        if activate:
            CategoryModelVersion.objects.filter(is_active=True).update(is_active=False)
        record = CategoryModelVersion.objects.create(
            version=version,
            created_at=timezone.now(),
            trained_on=len(texts),
            labels_used=len(labels),
            artifact=model.dumps(),
            is_active=activate,
        )
    category_model_forget()
    return record


def category_model_forget() -> None:
    global _loaded
    _loaded = None


def category_model_active() -> CategoryModel:
    """The active model, loaded once per process and re-checked every half minute for a newer version."""
    global _loaded
    now = time.monotonic()
    if _loaded is not None and now - _loaded[0] < RECHECK_SECONDS:
        return _loaded[1]
    with _lock:
        current = CategoryModelVersion.objects.filter(is_active=True).values_list("version", flat=True).first()
        if _loaded is not None and _loaded[1].version == current:
            _loaded = (now, _loaded[1])
            return _loaded[1]
        if current is None and _loaded is not None:
            # The database lost its model (a fresh or flushed database) while this process still holds one:
            # store that one rather than spend a training run.
            model = _loaded[1]
            CategoryModelVersion.objects.update_or_create(
                version=model.version,
                defaults={
                    "created_at": timezone.now(),
                    "trained_on": model.trained_on,
                    "artifact": model.dumps(),
                    "is_active": True,
                },
            )
            _loaded = (now, model)
            return model
        record = category_model_train() if current is None else CategoryModelVersion.objects.get(version=current)
        artifact = bytes(record.artifact)
        model = CategoryModel.loads(artifact)
        if not stored_as_arrays(artifact):
            # Stored before the arrays format: store it again in that format, so the next process to load it
            # needs no scikit-learn (reading this one imported it).
            CategoryModelVersion.objects.filter(pk=record.pk).update(artifact=model.dumps())
        warm_up(served_languages())  # load the language models now, not on some customer's complaint
        sentiment_model()  # and the sentiment weights
        _loaded = (now, model)
        # The models are large and live as long as the process: keep the garbage collector from walking them
        # on every collection (that walk is what put 10 ms outliers into the triage latency).
        gc.collect()
        gc.freeze()
        return model


def triage_text(
    *,
    text: str,
    stated_language: str = "",
    previous_language: str = "",
    channel: str = "",
    order_value: Decimal | None = None,
    customer_tier: str = "",
    customer_value: Decimal | None = None,
    previous_contacts: int = 0,
    followers: int = 0,
) -> Triage:
    return triage(
        text,
        model=category_model_active(),
        served=served_languages(),
        stated_language=stated_language,
        company_language=settings.LANGUAGE_CODE,
        previous_language=previous_language,
        channel=channel,
        order_value=order_value,
        customer_tier=customer_tier,
        customer_value=customer_value,
        previous_contacts=previous_contacts,
        followers=followers,
        threshold=settings.TRIAGE_CONFIDENCE_THRESHOLD,
    )


_categories: tuple[float, dict[str, Category]] | None = None


def category_by_slug(slug: str) -> Category | None:
    """Active categories, read at most every few seconds per process: every intake needs one."""
    global _categories
    now = time.monotonic()
    if _categories is None or now - _categories[0] > 5.0:
        _categories = (now, {c.slug: c for c in Category.objects.filter(is_active=True)})
    return _categories[1].get(slug)


def categories_forget() -> None:
    global _categories
    _categories = None


def case_triage_record(*, case: "Case", result: Triage) -> CaseTriage:
    """The triage row of a new case, not stored yet: the intake clusters the case first (case_cluster fills in the
    cluster and the ladder), then inserts the row whole, in one statement."""
    category = category_by_slug(str(result.category.value))
    return CaseTriage(
        case_id=case.pk,
        result=result.as_dict(),
        model_version=result.version,
        language=str(result.language.value),
        category=category,
        severity=int(result.severity.value),
        needs_review=result.needs_review or category is None,
        customer_id=case.customer_id,
        created_at=timezone.now(),
    )


def case_triage_store(*, case: "Case", result: Triage) -> CaseTriage:
    """Store triage on a new case (inside the intake's transaction), unclustered."""
    record = case_triage_record(case=case, result=result)
    record.save(force_insert=True)
    return record


def case_cluster(*, case: "Case", record: CaseTriage) -> ComplaintCluster | None:
    """Put a triaged case in the cluster of complaints about the same problem. Called by the intake as the last
    step of its transaction, before the triage row is inserted: the row is then written with its cluster and the
    ladder the cluster's size sets (no update of it afterwards). The cluster's own work is a savepoint, so a
    failure leaves the case standing without a cluster; the cluster's row is locked only from here to the commit."""
    category = record.category
    if category is None or not record.result["category"]["confidence"]:
        return None
    with transaction.atomic():
        cluster = cluster_assign(record=record, case=case, category=category)
    if cluster.customers > 1:
        data = dict(record.result)
        public_risk = float(data["public_risk"]["value"])
        press = [s for s in data["ladder"]["signals"] if str(s).startswith("press: ")]
        data["ladder"] = {
            "value": ladder_level(public_risk=public_risk, affected=cluster.customers, press=bool(press)),
            "confidence": public_risk,
            "signals": [f"affected: {cluster.customers} customers in one cluster", *press],
        }
        record.result = data
    record.cluster = cluster
    if record.pk is not None:  # a stored row (not the intake's way): brought in line with the cluster
        CaseTriage.objects.filter(pk=record.pk).update(cluster=cluster, result=record.result)
    return cluster


SIGNATURE_MEMBERS = 20
MAX_WORDS = 120
MAX_ENTITIES = 40
MAX_VOICES = 50  # enough to tell a template from many voices; a cluster stores no more


def cluster_assign(*, record: CaseTriage, case: "Case", category: Category) -> ComplaintCluster:
    """Join the open cluster of the same problem seen lately, or start one; flag it when it becomes an incident.
    One write either way: a new cluster is inserted with its first member counted, a joined one updated."""
    now = case.created_at
    found = fingerprint(case.description)
    window = now - timedelta(hours=settings.TRIAGE_CLUSTER_WINDOW_HOURS)
    candidates = (
        ComplaintCluster.objects.filter(category=category, last_seen__gte=window, state=ComplaintCluster.State.OPEN)
        .only("id", "words", "entities")
        .order_by("-last_seen")[:50]
    )
    joined = next(
        (c.pk for c in candidates if match(found, frozenset(c.words), frozenset(c.entities), category=category.slug)),
        None,
    )
    if joined is None:
        cluster = ComplaintCluster(
            public_id=uuid.uuid4(),
            category=category,
            title=case.subject[:200] or category.name,
            first_seen=now,
            last_seen=now,
        )
        new_customer = True  # a cluster begun here has no other member yet
    else:
        # Lock only the cluster being joined, and only now: concurrent intakes of other problems never wait.
        cluster = ComplaintCluster.objects.select_for_update().get(pk=joined)
        # Asked after the lock (a statement of its own, so it sees what the lock's holder committed): the same
        # customer's complaint joining the same cluster at the same moment is counted once.
        new_customer = not CaseTriage.objects.filter(cluster=cluster, customer_id=case.customer_id).exists()
    changed = ["voices", "cases", "customers", "last_seen", "flagged_at"]
    if cluster.cases < SIGNATURE_MEMBERS:
        # The first members define what the problem looks like; later ones only count.
        cluster.words = sorted(set(cluster.words) | found.words)[:MAX_WORDS]
        cluster.entities = sorted(set(cluster.entities) | found.entities)[:MAX_ENTITIES]
        changed += ["words", "entities"]
    if found.digest not in cluster.digests and len(cluster.digests) < MAX_VOICES:
        cluster.digests = [*cluster.digests, found.digest]
        changed.append("digests")
    cluster.voices = len(cluster.digests)
    cluster.cases += 1
    cluster.customers += int(new_customer)
    cluster.last_seen = max(cluster.last_seen, now)
    span = (cluster.last_seen - cluster.first_seen).total_seconds() / 60
    if cluster.flagged_at is None and is_incident(
        customers=cluster.customers,
        voices=cluster.voices,
        window_minutes=span,
        threshold=settings.TRIAGE_INCIDENT_THRESHOLD,
    ):
        cluster.flagged_at = timezone.now()
        logger.warning("probable incident: %s (%s customers)", cluster.title, cluster.customers)
    if joined is None:
        cluster.save(force_insert=True)
    else:
        cluster.save(update_fields=changed)  # the word lists only while they still change
    return cluster


@transaction.atomic
def triage_correct(*, case_id: int, text: str, category_slug: str, actor: User) -> TriageLabel:
    """An agent sets the right category. The correction is a label the next retraining learns from."""
    category = Category.objects.filter(slug=category_slug, is_active=True).first()
    if category is None:
        raise ValidationError({"category": f"unknown category {category_slug!r}"})
    label = TriageLabel.objects.create(
        case_id=case_id, category=category, text=text, labelled_by=actor, created_at=timezone.now()
    )
    record = CaseTriage.objects.filter(case_id=case_id).first()
    if record is not None:
        result = dict(record.result)
        result["category"] = {
            "value": category.slug,
            "confidence": 1.0,
            "signals": [f"corrected by {actor.display_name}"],
        }
        CaseTriage.objects.filter(pk=record.pk).update(
            category=category, needs_review=False, corrected=True, result=result
        )
    return label


def category_create(*, name: str, description: str = "") -> Category:
    name = name.strip()
    slug = slugify(name).replace("-", "_")[:50]
    if not name or not slug:
        raise ValidationError({"name": "a category needs a name"})
    if Category.objects.filter(slug=slug).exists():
        raise ValidationError({"name": f"a category {slug!r} exists already"})
    category = Category.objects.create(slug=slug, name=name[:100], description=description[:300])
    categories_forget()
    return category


@transaction.atomic
def category_remove(*, category: Category, move_to: Category | None = None) -> int:
    """Retire a category. Refused while cases use it, unless they are moved to another category explicitly."""
    in_use = CaseTriage.objects.filter(category=category).count()
    if in_use and move_to is None:
        raise ValidationError(
            {"category": f"{in_use} case(s) are in {category.name}; choose a category to move them to first"}
        )
    if move_to is not None and (move_to.pk == category.pk or not move_to.is_active):
        raise ValidationError({"move_to": "move the cases to another, active category"})
    moved = CaseTriage.objects.filter(category=category).update(category=move_to) if move_to else 0
    TriageLabel.objects.filter(category=category).update(category=move_to) if move_to else None
    Category.objects.filter(pk=category.pk).update(is_active=False)
    categories_forget()
    return moved


def categories_in_use() -> dict[int, int]:
    """Triaged cases in each category, from the kept count (core.tallies), not a count of every triage row."""
    return {int(value): n for value, n in tally_totals("triage.category").items() if value.isdigit()}
