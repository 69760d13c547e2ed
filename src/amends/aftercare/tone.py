"""Whether a customer's sentence is negative or positive: the complaint lexicons' cue words first (they are the
customer's own words, in their language, and a manager can read why), the learned sentiment model second.
Pure Python: no Django import."""

from dataclasses import dataclass

from amends.triage import sentiment
from amends.triage.signals import _TOKEN, lexicon
from amends.triage.text import normalize

# How sure the learned model must be before its reading counts without a cue word to back it.
MODEL_CONFIDENCE = 0.8


@dataclass(frozen=True)
class Tone:
    negative: tuple[str, ...]  # the cue words found
    positive: tuple[str, ...]
    score: float  # the model's P(positive) - P(negative)

    @property
    def is_negative(self) -> bool:
        return bool(self.negative) or (not self.positive and self.score <= -MODEL_CONFIDENCE)

    @property
    def is_positive(self) -> bool:
        return not self.negative and (bool(self.positive) or self.score >= MODEL_CONFIDENCE)


def read(text: str, *, language: str) -> Tone:
    text = (text or "").strip()
    if not text:
        return Tone(negative=(), positive=(), score=0.0)
    normalized = normalize(text)
    tokens = _TOKEN.findall(normalized)
    joined = " " + " ".join(tokens) + " "
    lex = lexicon(language or "en")
    negative = tuple(lex.find("negative", tokens, joined))
    positive = tuple(p for p in lex.find("positive", tokens, joined) if not _negated(p, tokens))
    return Tone(negative=negative, positive=positive, score=sentiment.read(text).score)


# "not satisfied", "ne spokojny", "не доволен": a praise word right after a negation is not praise.
_NEGATIONS = frozenset({"not", "no", "never", "ne", "nie", "nije", "neni", "nisam", "не", "ni"})


def _negated(cue: str, tokens: list[str]) -> bool:
    negations = {normalize(n) for n in _NEGATIONS}
    return any(t.startswith(cue) and i and tokens[i - 1] in negations for i, t in enumerate(tokens))
