"""A learned per-sentence detector for the coach's blocking rules and for ownership. Pure Python (scikit-learn).

Phrase lists catch the words someone thought of; blame and arguing come in endless wordings ("вы сами ошиблись",
"сами погрешили", "согласно нашей политике"). So each sentence of a draft is also read by a classifier trained on
labelled sentences written for it (`data/coach_sentences.tsv`: language, labels, sentence; realistic replies
across trades in en, ru, bg, sr in both scripts, sk). Features are character n-grams of the folded, Latin
transliteration, so Serbian Cyrillic and Latin, and the Slavic languages among themselves, share what they share.
One calibrated logistic regression per label gives a probability; the coach flags a sentence above THRESHOLDS.

The model is trained once per process on first use (a few hundred sentences: well under a second) rather than
shipped as a pickle, so the training data in the repository is the whole truth about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amends.core.text import fold
from amends.triage.text import transliterate

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import FeatureUnion

# Sentences written and labelled for the detector, and the sentences of the labelled replies the phrase rules were
# fitted on (negatives where the reply's labels make them certain; see the file's header).
TRAINING = (
    Path(__file__).parent / "data" / "coach_sentences.tsv",
    Path(__file__).parent / "data" / "coach_reply_sentences.tsv",
)
LABELS = ("blame", "arguing", "proof", "anger", "ownership")
# The probability above which a sentence counts, per label. Chosen by cross-validation on the training sentences
# (benchmarks/coach.py --cross-validate), never on the held-out sets: high for the blocking rules, whose false
# alarm stops a good reply; lower for ownership, whose miss only costs a warning.
THRESHOLDS = {"blame": 0.35, "arguing": 0.3, "proof": 0.35, "anger": 0.4, "ownership": 0.4}
_SENTENCES = re.compile(r"[^.!?;\n]+[.!?;]*")
_MIN_LETTERS = 8


def fast_probabilities(texts: list[str], detector: Compiled) -> list[dict[str, float]]:
    import numpy as np
    from scipy.sparse import hstack

    prepared = [features(t) for t in texts]
    matrix = hstack([vectorizer.transform(prepared) for vectorizer in detector.vectorizers]).tocsr()
    scores = matrix @ detector.weights + detector.intercepts
    folds = 1.0 / (1.0 + np.exp(detector.slopes * scores + detector.offsets))
    result: list[dict[str, float]] = [{} for _ in texts]
    for label in dict.fromkeys(detector.columns):
        mask = np.array([c == label for c in detector.columns])
        means = folds[:, mask].mean(axis=1)
        for i, value in enumerate(means):
            result[i][label] = float(value)
    return result


def features(sentence: str) -> str:
    return fold(transliterate(sentence)).strip()


Row = tuple[str, set[str], str]


def training_rows(paths: tuple[Path, ...] = TRAINING) -> list[Row]:
    """(language, labels, sentence) of every training sentence; a label written "?blame" means unknown: the
    sentence is neither a positive nor a negative for that label."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            language, labels, sentence = line.split("\t", 2)
            rows.append((language, set() if labels == "-" else set(labels.split(",")), sentence))
    return rows


@dataclass(frozen=True)
class Detector:
    """One vectorizer shared by every label (a draft's sentences are read once), one classifier per label."""

    vectors: FeatureUnion
    classifiers: dict[str, CalibratedClassifierCV]


def build(rows: list[Row]) -> Detector:
    """One calibrated classifier per label, trained on `rows`."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    texts = [features(sentence) for _language, _labels, sentence in rows]
    vectors = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ]
    )
    matrix = vectors.fit_transform(texts)
    classifiers = {}
    for label in LABELS:
        known = [i for i, (_language, labels, _sentence) in enumerate(rows) if f"?{label}" not in labels]
        target = [label in rows[i][1] for i in known]
        classifier = CalibratedClassifierCV(
            LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear"), method="sigmoid", cv=3
        )
        classifiers[label] = classifier.fit(matrix[known], target)
    return Detector(vectors, classifiers)


@dataclass(frozen=True)
class Compiled:
    """The trained detector as plain arithmetic, for speed: scikit-learn's per-call input checks cost ~10x the
    maths on a dozen sentences. Exactly the same probabilities: each label's calibrated classifier is the mean,
    over its cross-validation folds, of expit(-(a * (x·w + c) + b)); here every fold of every label is one
    column of `weights`, so a draft's sentences take one sparse product."""

    vectorizers: list[Any]
    weights: Any  # features × (labels × folds)
    intercepts: Any
    slopes: Any  # the sigmoid calibration's a, per column
    offsets: Any  # and its b
    columns: list[str]  # the label of each column


def compile_detector(detector: Detector) -> Compiled:
    import numpy as np

    weights, intercepts, slopes, offsets, columns = [], [], [], [], []
    for label, classifier in detector.classifiers.items():
        for part in classifier.calibrated_classifiers_:
            weights.append(part.estimator.coef_.ravel())
            intercepts.append(float(part.estimator.intercept_[0]))
            slopes.append(float(part.calibrators[0].a_))
            offsets.append(float(part.calibrators[0].b_))
            columns.append(label)
    return Compiled(
        vectorizers=[vectorizer for _name, vectorizer in detector.vectors.transformer_list],
        weights=np.column_stack(weights),
        intercepts=np.array(intercepts),
        slopes=np.array(slopes),
        offsets=np.array(offsets),
        columns=columns,
    )


@cache
def model() -> Detector:
    return build(training_rows())


@cache
def compiled() -> Compiled:
    return compile_detector(model())


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence worth reading: a signature's fragments and bare numbers are not."""
    spans = []
    for match in _SENTENCES.finditer(text):
        if sum(c.isalpha() for c in match.group()) >= _MIN_LETTERS:
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            spans.append((start, match.end()))
    return spans


def probabilities(texts: list[str], detector: Detector | None = None) -> list[dict[str, float]]:
    """For each sentence, the probability of each label."""
    if not texts:
        return []
    if detector is None:
        return fast_probabilities(texts, compiled())
    matrix = detector.vectors.transform([features(t) for t in texts])
    columns = {label: c.predict_proba(matrix)[:, 1] for label, c in detector.classifiers.items()}
    return [{label: float(columns[label][i]) for label in columns} for i in range(len(texts))]
