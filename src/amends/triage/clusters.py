"""Recognising the same problem across many complaints. Pure Python: no Django import.

Two complaints are about the same problem when they share a category and, within a time window, either an
entity (an order number, an error code, a product or place name, a web address) or enough of their words
after transliteration and folding (so Serbian Cyrillic and Latin, or a brand spelled in Cyrillic, still
meet). Similar wording alone proves little: many customers paste the same template, so near-identical texts
are counted as one voice, and a cluster is called a probable incident only when enough different customers
describe it in their own words.
"""

import hashlib
import re
from dataclasses import dataclass

from .text import normalize

_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_ORDER = re.compile(r"\b(?:[A-Za-z]{1,4}[-#]?)?\d{5,}\b")
_ERROR = re.compile(
    r"\b(?:error|errors|chyba|greška|greska|ошибка|грешка|грешка|код)\s*[:#]?\s*(\d{3,4})\b", re.IGNORECASE
)
_HTTP_CODE = re.compile(r"\b([45]\d\d)\b")
_WEB = re.compile(r"\b(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:/\S*)?", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-ÞА-ЯЂЈЉЊЋЏ][\w-]{2,})")
# Words every complaint uses; they say nothing about which problem it is.
_BORING_TEXT = (
    "order ordered please thank thanks still nothing today yesterday customer service would could "
    "заказ заказал пожалуйста спасибо сегодня вчера поръчка поръчах моля благодаря днес "
    "narudžbina porudžbina molim hvala danas juče objednávka objednal prosím ďakujem dnes včera "
    "наруџбина молим хвала данас јуче"
)
_BORING = frozenset(normalize(w) for w in _BORING_TEXT.split(" "))

SITE_WIDE = frozenset({"outage"})  # one broken website is one problem, whatever words people use
JOIN_JACCARD = 0.25
TEMPLATE_JACCARD = 0.85


@dataclass(frozen=True)
class Fingerprint:
    words: frozenset[str]
    entities: frozenset[str]
    digest: str  # equal for texts that differ only in numbers, case, spacing and diacritics


def fingerprint(text: str) -> Fingerprint:
    normalized = normalize(text)
    words = frozenset(w for w in _WORD.findall(normalized) if w not in _BORING)
    entities = {f"order:{m.upper()}" for m in _ORDER.findall(text)}
    entities |= {f"error:{m}" for m in _ERROR.findall(text)}
    entities |= {f"error:{m}" for m in _HTTP_CODE.findall(text) if m in {"404", "500", "502", "503", "504"}}
    entities |= {f"web:{m.lower()}" for m in _WEB.findall(text) if not m.lower().endswith((".jpg", ".png"))}
    entities |= {f"name:{normalize(m)}" for m in _NAME.findall(text) if normalize(m) not in _BORING}
    skeleton = re.sub(r"[\d\W_]+", " ", normalized).strip()
    return Fingerprint(
        words=words, entities=frozenset(entities), digest=hashlib.blake2b(skeleton.encode(), digest_size=8).hexdigest()
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def match(
    case: Fingerprint, cluster_words: frozenset[str], cluster_entities: frozenset[str], *, category: str
) -> list[str]:
    """Why a complaint belongs to a cluster of its category (empty: it does not)."""
    shared = sorted(case.entities & cluster_entities)
    if shared:
        return [f"shares {', '.join(shared[:3])}"]
    similarity = jaccard(case.words, cluster_words)
    if similarity >= JOIN_JACCARD:
        return [f"word overlap {similarity:.2f}"]
    if category in SITE_WIDE:
        return [f"{category} reported in the same window"]
    return []


def is_incident(*, customers: int, voices: int, window_minutes: float, threshold: int) -> bool:
    """Enough different customers, in enough different words, in a short time."""
    return customers >= threshold and voices >= max(2, threshold // 2) and window_minutes <= 24 * 60
