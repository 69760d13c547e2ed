"""Triage of one complaint: every part, each with its value, confidence and the signals that decided it.

Pure Python: no Django import. The Django side (amends.triage.services) loads the models once per process,
calls `triage` at intake on every channel and stores the result on the case.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from amends.core.text import html_to_text

from . import language as lang
from .category import CategoryModel
from .signals import analyse

MAX_TEXT = 20_000  # what the models read; the intake refuses longer stories anyway


@dataclass
class Part:
    value: Any
    confidence: float
    signals: list[str]


@dataclass
class Triage:
    version: str
    language: Part
    category: Part
    severity: Part
    sentiment: Part
    churn_risk: Part
    public_risk: Part
    ladder: Part
    needs_review: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def triage(
    text: str,
    *,
    model: CategoryModel | None,
    served: tuple[str, ...],
    stated_language: str = "",
    company_language: str = "en",
    previous_language: str = "",
    channel: str = "",
    order_value: Decimal | None = None,
    customer_tier: str = "",
    customer_value: Decimal | None = None,
    previous_contacts: int = 0,
    followers: int = 0,
    affected: int = 1,
    threshold: float = 0.45,
) -> Triage:
    text = (text or "")[:MAX_TEXT]
    if "<" in text and ">" in text:
        text = html_to_text(text)
    guess = lang.detect(
        text, served=served, stated=stated_language, company_language=company_language, previous=previous_language
    )
    language_part = Part(
        guess.code, round(guess.confidence, 3), [*guess.signals, *(["uncertain"] if guess.uncertain else [])]
    )
    if model is None or not any(ch.isalpha() for ch in text):
        category = Part("other", 0.0, ["no model" if model is None else "no words to classify"])
        needs_review = True
    else:
        prediction = model.predict(text)
        alternatives = [f"then {label} {p:.2f}" for label, p in prediction.alternatives]
        category = Part(prediction.label, prediction.confidence, [*prediction.signals, *alternatives])
        needs_review = prediction.confidence < threshold
    found = analyse(
        text,
        language=guess.code,
        channel=channel,
        order_value=order_value,
        customer_tier=customer_tier,
        customer_value=customer_value,
        previous_contacts=previous_contacts,
        followers=followers,
        affected=affected,
        # The encoder reads each complaint only where the deployment opted in (AMENDS_TRIAGE_EMBEDDINGS), and then
        # the category model has embedded this very text already: the sentiment head reuses it.
        encoder=bool(model is not None and model.embeddings),
    )
    return Triage(
        version=model.version if model else "none",
        language=language_part,
        category=category,
        severity=Part(found.severity, 1.0, found.severity_reasons),
        sentiment=Part(found.sentiment, found.sentiment_confidence, found.sentiment_cues),
        churn_risk=Part(found.churn_risk, found.churn_risk, found.churn_cues),
        public_risk=Part(found.public_risk, found.public_risk, found.public_cues),
        # The press cues travel with the ladder part: the incident's ladder counts complaints that mention the press.
        ladder=Part(
            found.ladder,
            found.public_risk,
            [
                f"affected: {affected}",
                *([f"press: {', '.join(found.found['press'][:3])}"] if found.found.get("press") else []),
            ],
        ),
        needs_review=needs_review,
    )
