"""Sentiment of a customer's message: negative, neutral or positive, with calibrated probabilities. Pure Python:
no Django import.

A learned model, not cue counting: TF-IDF over character n-grams (inside words) and words and word pairs of the
normalised text (transliterated to Latin and folded, so Serbian in either script and Cyrillic or Latin spellings
share features), and a multinomial logistic regression. It learns what cue lists cannot: that "thank you, but
the card is still blocked" is a complaint, that "!!!" after praise is delight, that a question is neutral.

The labelled examples are in data/sentiment/ (one file per language, plus mixed and short messages), written for
amends; they are not the held-out sets in benchmarks/data/, which no training or tuning ever reads. The trained
weights ship in data/sentiment_model.npz (a few hundred kilobytes), built by `python -m amends.triage.sentiment`;
a test fails when they are older than the examples. Loading takes milliseconds; training ~1 s would be paid by
the first complaint of every process, so the weights are built once and committed.

Calibration: the logistic regression's scores are divided by a temperature chosen to minimise the log-loss of
out-of-fold predictions, so "0.8 negative" means about eight in ten such messages are negative on text the model
did not see. Folds group the same situation written in different languages, so that a fold never tests a
situation its training saw in another language.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .text import normalize

LABELS = ("negative", "neutral", "positive")
DATA = Path(__file__).with_name("data") / "sentiment"
WEIGHTS = Path(__file__).with_name("data") / "sentiment_model.npz"

# What the model reads of a long message: its beginning and its end, where people greet, state their case and
# sign off with their mood. It bounds the cost of one call (a few milliseconds at most) whatever the length; no
# training or evaluation example is longer than this.
HEAD, TAIL = 700, 300
_RUN = re.compile(r"(.)\1{3,}")
_TOKEN = re.compile(r"[^\W_]+|[!?]+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]", re.UNICODE)
CHAR_SIZES = (2, 3, 4, 5)


def _clip(text: str) -> str:
    return text if len(text) <= HEAD + TAIL else f"{text[:HEAD]} \n {text[-TAIL:]}"


def shouting(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.6


def tokens(text: str) -> list[str]:
    """Words, runs of ! and ?, and single symbols (emoji) of the normalised text; letter runs of four or more
    are cut to three ("sooooo", "!!!!!!") so that emphasis is one feature however long."""
    return _TOKEN.findall(_RUN.sub(r"\1\1\1", normalize(_clip(text))))


def analyse(text: str) -> list[str]:
    """The features of one text (the vectoriser's analyser at training and the model's at prediction)."""
    found = tokens(text)
    features = [f"w {t}" for t in found]
    features += [f"b {a} {b}" for a, b in pairwise(found)]
    for token in found:
        if _WORD.search(token):
            padded = f" {token} "
            for n in CHAR_SIZES:
                features.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    if shouting(_clip(text)):
        features.append("shape capitals")
    return features


@dataclass
class Sentiment:
    label: str
    # P(positive) - P(negative): -1 for certainly negative, +1 for certainly positive, 0 for neutral or torn.
    score: float
    confidence: float  # the probability of the label
    probabilities: dict[str, float]
    cues: list[str] = field(default_factory=list)  # the customer's own words that weighed most for the label


def examples(directory: Path = DATA) -> list[tuple[str, str, str]]:
    """(label, text, group) for every training example. The group is the line number in the five language
    files, which tell the same situations in the same order, so cross-validation can keep a situation in one
    fold; the mixed file's lines are groups of their own."""
    rows = []
    for path in sorted(directory.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                label, text = line.split("\t", 1)
                group = f"{path.stem}:{number}" if path.stem == "mixed" else f"line:{number}"
                rows.append((label, text, group))
    return rows


def data_digest(directory: Path = DATA) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.tsv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class SentimentModel:
    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        temperature: float,
        digest: str = "",
        head: tuple[np.ndarray, np.ndarray, float] | None = None,
    ) -> None:
        self.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        self.terms = vocabulary
        self.idf = idf.astype(np.float64)
        self.coef = coef.astype(np.float64)
        self.intercept = intercept.astype(np.float64)
        self.temperature = float(temperature)
        self.digest = digest
        # The encoder's head: coefficients over the 384 embedding dimensions, intercepts, temperature. Used only
        # when the deployment opts into running the encoder on each complaint (AMENDS_TRIAGE_EMBEDDINGS).
        self.head = None if head is None else (head[0].astype(np.float64), head[1].astype(np.float64), float(head[2]))

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for term in analyse(text):
            j = self.vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0  # sublinear tf
        weights = tf * self.idf[indices]
        return indices, weights / np.sqrt((weights * weights).sum())

    def read(self, text: str, *, encoder: bool = False) -> Sentiment:
        """The sentiment of one text. With encoder=True (and a head in the model) the multilingual encoder reads
        the text and its head decides: far better on situations the examples never showed, at ~20 ms a text
        instead of ~0.5 ms; the TF-IDF model still names the cue words."""
        indices, values = self._vector(text or "")
        if not len(indices):
            # Nothing the model knows (empty, digits only, an unknown script): no attitude can be read.
            even = {label: round(1 / 3, 3) for label in LABELS}
            return Sentiment("neutral", 0.0, 0.0, even, [])
        if encoder and self.head is not None:
            from .category import embedder

            coef, intercept, temperature = self.head
            scores = (coef @ embedder().embed([text])[0].astype(np.float64) + intercept) / temperature
        else:
            scores = (self.coef[:, indices] @ values + self.intercept) / self.temperature
        exp = np.exp(scores - scores.max())
        probabilities = exp / exp.sum()
        best = int(np.argmax(probabilities))
        label = LABELS[best]
        return Sentiment(
            label=label,
            score=round(float(probabilities[2] - probabilities[0]), 3),
            confidence=round(float(probabilities[best]), 3),
            probabilities={name: round(float(p), 3) for name, p in zip(LABELS, probabilities, strict=True)},
            cues=self._cues(text, indices, values, best) if label != "neutral" else [],
        )

    def _cues(self, text: str, indices: np.ndarray, values: np.ndarray, best: int) -> list[str]:
        """The words (as the customer wrote them) whose word features pushed hardest towards the label."""
        others = [k for k in range(len(LABELS)) if k != best]
        push = values * (self.coef[best, indices] - self.coef[others, :][:, indices].max(axis=0))
        normalised = tokens(text)
        original = _TOKEN.findall(_RUN.sub(r"\1\1\1", _clip(text).lower()))
        spelling = dict(zip(normalised, original, strict=False)) if len(normalised) == len(original) else {}
        cues: list[str] = []
        for k in np.argsort(push)[::-1][:12]:
            term = self.terms[int(indices[k])]
            if push[k] <= 0.05 or not term.startswith(("w ", "b ")):
                continue
            words = term.split(" ")[1:]
            cue = " ".join(spelling.get(w, w) for w in words)
            if cue not in cues and not any(cue in c or c in cue for c in cues):
                cues.append(cue)
            if len(cues) == 4:
                break
        return cues

    def save(self, path: Path = WEIGHTS) -> None:
        arrays: dict[str, Any] = {
            "vocabulary": np.array("\n".join(self.terms)),
            "idf": self.idf.astype(np.float32),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept.astype(np.float32),
            "temperature": np.array(self.temperature),
            "digest": np.array(self.digest),
        }
        if self.head is not None:
            arrays["head_coef"] = self.head[0].astype(np.float32)
            arrays["head_intercept"] = self.head[1].astype(np.float32)
            arrays["head_temperature"] = np.array(self.head[2])
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "SentimentModel":
        with np.load(path, allow_pickle=False) as stored:
            return cls(
                vocabulary=str(stored["vocabulary"]).split("\n"),
                idf=stored["idf"],
                coef=stored["coef"],
                intercept=stored["intercept"],
                temperature=float(stored["temperature"]),
                digest=str(stored["digest"]),
                head=(
                    (stored["head_coef"], stored["head_intercept"], float(stored["head_temperature"]))
                    if "head_coef" in stored
                    else None
                ),
            )


# Chosen by grouped cross-validation on the training examples only (benchmarks/sentiment.py --tune): C among
# 1, 3, 10, 30 and min_df 1 or 2 (accuracy 0.69-0.71, macro-F1 0.69-0.71); 10 and 1 best with a smaller model
# than 30.
C = 10.0
MIN_DF = 1
FOLDS = 5


def _fit(texts: list[str], labels: list[str], c: float = C, min_df: int = MIN_DF):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=min_df, dtype=np.float64)
    x = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=c, max_iter=2000)
    classifier.fit(x, [LABELS.index(label) for label in labels])
    return vectorizer, classifier


def out_of_fold_scores(
    rows: list[tuple[str, str, str]], *, c: float = C, min_df: int = MIN_DF, folds: int = FOLDS
) -> np.ndarray:
    """Each training example's raw class scores from a model that did not see its situation."""
    from sklearn.model_selection import GroupKFold

    texts = [t for _, t, _ in rows]
    labels = [label for label, _, _ in rows]
    groups = [g for _, _, g in rows]
    scores = np.zeros((len(rows), len(LABELS)))
    for train_index, test_index in GroupKFold(n_splits=folds).split(texts, labels, groups):
        vectorizer, classifier = _fit([texts[i] for i in train_index], [labels[i] for i in train_index], c, min_df)
        scores[test_index] = classifier.decision_function(vectorizer.transform([texts[i] for i in test_index]))
    return scores


def best_temperature(scores: np.ndarray, truth: Iterable[int]) -> float:
    """The temperature that minimises the log-loss of these (out-of-fold) scores."""
    y = np.asarray(list(truth))
    best, best_loss = 1.0, float("inf")
    for temperature in np.arange(0.3, 3.01, 0.05):
        z = scores / temperature
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -float(log_p[np.arange(len(y)), y].mean())
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return round(best, 2)


HEAD_C = 10.0  # the encoder head's penalty, chosen by the same grouped cross-validation


def fit_head(rows: list[tuple[str, str, str]], embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The encoder head: a logistic regression over the examples' embeddings, calibrated like the main model."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    y = np.array([LABELS.index(label) for label, _, _ in rows])
    groups = [g for _, _, g in rows]
    scores = np.zeros((len(rows), len(LABELS)))
    for train_index, test_index in GroupKFold(n_splits=FOLDS).split(embeddings, y, groups):
        fold = LogisticRegression(C=HEAD_C, max_iter=3000).fit(embeddings[train_index], y[train_index])
        scores[test_index] = fold.decision_function(embeddings[test_index])
    head = LogisticRegression(C=HEAD_C, max_iter=3000).fit(embeddings, y)
    return head.coef_, head.intercept_, best_temperature(scores, y)


def train(directory: Path = DATA, *, encoder: bool = True) -> SentimentModel:
    rows = examples(directory)
    texts = [t for _, t, _ in rows]
    labels = [label for label, _, _ in rows]
    temperature = best_temperature(out_of_fold_scores(rows), (LABELS.index(label) for label in labels))
    head = None
    if encoder:
        from .category import embedder

        head = fit_head(rows, embedder().embed(texts).astype(np.float64))
    vectorizer, classifier = _fit(texts, labels)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return SentimentModel(
        vocabulary=vocabulary,
        idf=vectorizer.idf_,
        coef=classifier.coef_,
        intercept=classifier.intercept_,
        temperature=temperature,
        digest=data_digest(directory),
        head=head,
    )


@cache
def model() -> SentimentModel:
    return SentimentModel.load()


def read(text: str, *, encoder: bool = False) -> Sentiment:
    return model().read(text, encoder=encoder)


if __name__ == "__main__":  # python -m amends.triage.sentiment: rebuild the shipped weights
    trained = train()
    trained.save()
    print(f"{len(trained.terms)} features, temperature {trained.temperature}, written to {WEIGHTS}")
