"""Severity, churn risk and public risk from cue lexicons, and sentiment from the learned model (sentiment.py).
Pure Python: no Django import.

Cues live in lexicons/<language>.json, one file per language: adding a language is adding a file. A cue of
four letters or more is a stem (it matches the words it begins); a shorter cue must be a whole word; a cue
with a space is a phrase. Cues and text are compared after transliteration to Latin and diacritic folding.
"""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from . import sentiment as sentiment_model
from .text import normalize

LEXICONS = Path(__file__).with_name("lexicons")
# A language without its own file borrows its closest neighbour's; English cues (brand names, "facebook") apply
# to every language as well.
NEIGHBOURS = {"hr": "sr", "bs": "sr", "cs": "sk", "uk": "ru", "mk": "bg", "be": "ru"}
KINDS = ("safety", "legal", "regulator", "vulnerable", "repeat", "churn", "public", "press", "negative", "positive")
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Lexicon:
    stems: dict[str, tuple[str, ...]]
    words: dict[str, frozenset[str]]
    phrases: dict[str, tuple[str, ...]]
    _stem_sets: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def find(self, kind: str, tokens: list[str], joined: str) -> list[str]:
        return self.find_all(tokens, joined)[kind]

    def find_all(self, tokens: list[str], joined: str) -> dict[str, list[str]]:
        """The cues of every kind in the text: its whole words, then the stems its words begin with (in the
        stems' order), then its phrases. A stem is looked up by each prefix of each word (a few dozen set
        look-ups) rather than each stem tried on each word (thousands of startswith calls)."""
        prefixes = {t[:n] for t in tokens for n in range(MIN_STEM, len(t) + 1)}
        found = {}
        for kind in KINDS:
            hits = [w for w in tokens if w in self.words[kind]]
            stems = self._stem_sets[kind] & prefixes
            if stems:
                hits += sorted(stems)
            hits += [phrase for phrase in self.phrases[kind] if f" {phrase} " in joined]
            found[kind] = list(dict.fromkeys(hits))
        return found

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stem_sets", {kind: frozenset(stems) for kind, stems in self.stems.items()})


MIN_STEM = 4  # a cue this long or longer is a stem; a shorter one must be a whole word


@cache
def lexicon(language: str) -> Lexicon:
    base = language.split("-")[0].lower()
    sources = [base, NEIGHBOURS.get(base, base), "en"]
    cues: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for name in dict.fromkeys(sources):
        path = LEXICONS / f"{name}.json"
        if path.exists():
            for kind, items in json.loads(path.read_text(encoding="utf-8")).items():
                cues[kind].update(normalize(item).strip() for item in items)
    return Lexicon(
        stems={k: tuple(sorted(c for c in v if " " not in c and len(c) >= MIN_STEM)) for k, v in cues.items()},
        words={k: frozenset(c for c in v if " " not in c and len(c) < MIN_STEM) for k, v in cues.items()},
        phrases={k: tuple(sorted(c for c in v if " " in c)) for k, v in cues.items()},
    )


def languages_with_lexicons() -> list[str]:
    return sorted(p.stem for p in LEXICONS.glob("*.json"))


@dataclass
class Signals:
    severity: int
    severity_reasons: list[str]
    sentiment: str
    sentiment_score: float  # P(positive) - P(negative), -1..1
    sentiment_cues: list[str]
    churn_risk: float
    churn_cues: list[str]
    public_risk: float
    public_cues: list[str]
    ladder: str
    found: dict[str, list[str]] = field(default_factory=dict)
    sentiment_confidence: float = 0.0  # the calibrated probability of the sentiment label


LADDER = ("private_reply", "company_page_post", "blog_post", "public_apology")


def ladder_level(*, public_risk: float, affected: int, press: bool) -> str:
    """Seed 003: answer in private; a public post when it is public; a blog post when many are affected; a
    public apology when it gets out of hand."""
    if affected >= 200 or (press and affected >= 20):
        return "public_apology"
    if affected >= 20 or press:
        return "blog_post"
    if public_risk >= 0.5:
        return "company_page_post"
    return "private_reply"


def analyse(
    text: str,
    *,
    language: str,
    channel: str = "",
    order_value: Decimal | None = None,
    customer_tier: str = "",
    customer_value: Decimal | None = None,
    previous_contacts: int = 0,
    followers: int = 0,
    affected: int = 1,
    encoder: bool = False,
) -> Signals:
    """encoder=True lets the multilingual encoder read the text for sentiment (see sentiment.read)."""
    lex = lexicon(language)
    normalized = normalize(text)
    tokens = _TOKEN.findall(normalized)
    joined = " " + " ".join(tokens) + " "
    found = lex.find_all(tokens, joined)

    points, reasons = 1, []
    if found["safety"]:
        points = 4
        reasons.append("health or safety hazard: " + ", ".join(found["safety"][:3]))
    if found["legal"] or found["regulator"]:
        points = max(points, 3)
        reasons.append("legal threat or regulator: " + ", ".join((found["legal"] + found["regulator"])[:3]))
    if order_value is not None and order_value >= 500:
        points += 1
        reasons.append(f"money lost: order value {order_value}")
    elif order_value is not None and order_value >= 100:
        reasons.append(f"order value {order_value}")
        points = max(points, 2)
    if found["repeat"] or previous_contacts >= 1:
        points += 1
        why = ", ".join(found["repeat"][:2]) or f"{previous_contacts} earlier case(s)"
        reasons.append(f"repeated contact about the problem: {why}")
    if found["vulnerable"]:
        points += 1
        reasons.append("vulnerable customer: " + ", ".join(found["vulnerable"][:2]))
    if customer_tier in ("gold", "vip") or (customer_value is not None and customer_value >= 1000):
        points += 1
        reasons.append(f"high-value customer ({customer_tier or customer_value})")
    severity = max(1, min(4, points))
    if not reasons:
        reasons.append("no aggravating signal")

    mood = sentiment_model.read(text, encoder=encoder)
    score = mood.score
    sentiment_cues = mood.cues
    if sentiment_model.shouting(text[:2000]):
        sentiment_cues = [*sentiment_cues, "written in capitals"]

    churn = min(1.0, 0.7 * bool(found["churn"]) + 0.15 * len(found["churn"]) + 0.1 * (score <= -0.6))
    public = 0.0
    public_cues = list(found["public"][:5])
    if channel == "public_thread":
        public += 0.6
        public_cues.insert(0, "public thread")
    if found["public"]:
        public += 0.4 + 0.1 * min(3, len(found["public"]))
    if found["legal"]:
        public += 0.2
    if followers >= 10_000:
        public += 0.4
        public_cues.append(f"{followers} followers")
    elif followers >= 1_000:
        public += 0.2
        public_cues.append(f"{followers} followers")
    public = min(1.0, public)
    return Signals(
        severity=severity,
        severity_reasons=reasons,
        sentiment=mood.label,
        sentiment_score=round(score, 2),
        sentiment_confidence=mood.confidence,
        sentiment_cues=sentiment_cues,
        churn_risk=round(churn, 2),
        churn_cues=found["churn"][:5],
        public_risk=round(public, 2),
        public_cues=public_cues,
        ladder=ladder_level(public_risk=public, affected=affected, press=bool(found["press"])),
        found=found,
    )
